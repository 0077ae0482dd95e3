package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.center.store.JdbcConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The content move story on the default databases: embedded H2, A and B in each distributor's data
 * directory, C in a shared directory both open with AUTO_SERVER=TRUE; and the story once more
 * through the command line ({@code secdrive client ...}).
 */
class ContentMoveStoryH2IT extends ContentMoveStory {

  @Override
  JdbcConfig privateDatabase(String which, Path dataDir) {
    return DistributorServer.privateH2(dataDir);
  }

  @Override
  JdbcConfig sharedDatabase(Path sharedDir) {
    return DistributorServer.sharedH2(sharedDir);
  }

  private String drive(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  private JsonNode client(String command, int lun, String distributor, String... options)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("client", command, drive(lun), "--json"));
    if (distributor != null) {
      Path password = work.resolve("password");
      Files.writeString(password, PASSWORD + "\n");
      Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
      args.addAll(
          List.of("--distributor", distributor, "--user", ALICE, "--password-file", "" + password));
    }
    args.addAll(List.of(options));
    Cli cli = Cli.run(args.toArray(String[]::new));
    assertEquals(0, cli.exit(), cli::toString);
    return Json.MAPPER.readTree(cli.out());
  }

  @Test
  void theStoryThroughTheCommandLine() throws Exception {
    Cli tree = Cli.run("authority", "key-tree", "--out", work.resolve("key-tree.json").toString());
    assertEquals(1, tree.exit(), tree::toString);
    assertTrue(
        tree.err().contains("already exists; not replacing a key tree without --replace"),
        tree::toString);
    String key = java.util.HexFormat.of().formatHex(authority.publicKey());
    String clientA =
        client("register", A, a.url(), "--authority-key", key).get("clientId").asText();
    String clientB = client("register", B, b.url()).get("clientId").asText();
    assertEquals("Distributor B", client("status", B, null).get("distributor").asText());
    Path file = work.resolve("song.sdcp");
    client("download", A, a.url(), "--content-id", SONG, "--out", file.toString());
    assertEquals(
        PRICE, client("license", A, a.url(), "--content-id", SONG).get("billedCents").asLong());
    settle(adminA, ALICE);
    Path plain = work.resolve("song.out");
    JsonNode played =
        client("play", A, null, "--package", "" + file, "--lba", "" + P, "--out", "" + plain);
    assertTrue(played.get("written").asBoolean());
    assertArrayEquals(song, Files.readAllBytes(plain));
    client("certificate", A, a.url(), "--content-id", SONG, "--to", clientB);
    settle(adminA, ALICE);
    JsonNode out =
        client("move-out", A, null, "--content-id", SONG, "--lba", "" + P, "--package", "" + file);
    assertTrue(out.get("moveRecordLba").asLong() > P);
    carryTheMediumToB();
    assertEquals(
        "Distributor A", client("move-in", B, null, "--lba", "" + P).get("issuer").asText());
    client("play", B, null, "--lba", "" + P, "--out", "" + plain);
    assertArrayEquals(song, Files.readAllBytes(plain));
    JsonNode status = client("status", B, null);
    assertEquals(clientB, status.get("clientId").asText());
    assertEquals(2, status.get("usedSerials").asInt());
    assertEquals(SONG, status.get("licenses").get(0).get("contentId").asText());

    // A refusal names its step and the cause, and exits non-zero.
    Cli again = Cli.run("client", "move-in", drive(B), "--lba", "" + P);
    assertTrue(again.exit() != 0, again::toString);
    assertTrue(again.err().contains("move-in (S161-S173)"), again::toString);
    assertTrue(again.err().contains("already used by this client"), again::toString);
    assertEquals(clientA, a.distributor().client(clientA).clientId());
  }
}
