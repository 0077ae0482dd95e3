package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.center.distributor.Distributor;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.emulator.secure.Authority;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two distributors of one federation through the command line: {@code distributor init} (sharing
 * one operations database), {@code user add}, {@code content add} and {@code revoke}, then the
 * distributor started on its data directory serves what the commands recorded.
 */
class DistributorCommandIT {

  @TempDir Path work;

  private static Cli ok(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(0, cli.exit(), cli::toString);
    return cli;
  }

  private Path keyTree() {
    Path file = work.resolve("key-tree.json");
    ok("authority", "key-tree", "--out", file.toString(), "--depth", "10", "--category-depth", "2");
    return file;
  }

  @Test
  void twoDistributorsAreSetUpAndAdministeredFromTheCommandLine() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path tree = keyTree();
    Path shared = work.resolve("shared");
    Path dirA = work.resolve("a");
    Path dirB = work.resolve("b");
    Cli init =
        ok(
            "distributor",
            "init",
            "--data-dir",
            dirA.toString(),
            "--name",
            "Distributor A",
            "--authority",
            authority.toString(),
            "--key-tree",
            tree.toString(),
            "--category",
            "0",
            "--shared-dir",
            shared.toString(),
            "--json");
    JsonNode setUp = Json.MAPPER.readTree(init.out());
    assertEquals("Distributor A", setUp.get("name").asText());
    assertEquals(0, setUp.get("category").asInt());
    ok(
        "distributor",
        "init",
        "--data-dir",
        dirB.toString(),
        "--name",
        "Distributor B",
        "--authority",
        authority.toString(),
        "--key-tree",
        tree.toString(),
        "--category",
        "1",
        "--shared-dir",
        shared.toString());

    Cli wrongCategory =
        Cli.run(
            "distributor",
            "init",
            "--data-dir",
            work.resolve("c").toString(),
            "--name",
            "C",
            "--authority",
            authority.toString(),
            "--key-tree",
            tree.toString(),
            "--category",
            "4",
            "--shared-dir",
            shared.toString());
    assertEquals(1, wrongCategory.exit(), wrongCategory::toString);
    assertTrue(wrongCategory.err().contains("category 4 is not in key tree"), wrongCategory.err());

    Path password = Files.writeString(work.resolve("password"), "a long password\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    Cli user =
        ok(
            "distributor",
            "user",
            "add",
            "--data-dir",
            dirA.toString(),
            "--id",
            "alice",
            "--name",
            "Alice",
            "--password-file",
            password.toString());
    assertEquals("registered user alice (Alice)", user.out().trim());
    Cli again =
        Cli.run(
            "distributor",
            "user",
            "add",
            "--data-dir",
            dirA.toString(),
            "--id",
            "alice",
            "--name",
            "Alice",
            "--password-file",
            password.toString());
    assertEquals(1, again.exit());
    assertEquals("secdrive: user alice is already registered here", again.err().trim());

    Path song = Files.write(work.resolve("song.wav"), new byte[3000]);
    Cli content =
        ok(
            "distributor",
            "content",
            "add",
            "--data-dir",
            dirA.toString(),
            "--id",
            "SONG-1",
            "--file",
            song.toString(),
            "--price",
            "250",
            "--license-id",
            "LIC-1",
            "--plays",
            "5",
            "--days",
            "7",
            "--copies",
            "2",
            "--removable-copies",
            "1",
            "--json");
    assertEquals(3000, Json.MAPPER.readTree(content.out()).get("length").asInt());
    Cli badPlays =
        Cli.run(
            "distributor",
            "content",
            "add",
            "--data-dir",
            dirA.toString(),
            "--id",
            "SONG-2",
            "--file",
            song.toString(),
            "--license-id",
            "LIC-2",
            "--copies",
            "70000");
    assertEquals(1, badPlays.exit());
    assertTrue(badPlays.err().contains("option 'copies'"), badPlays.err());

    Cli offer =
        ok(
            "distributor",
            "offer",
            "add",
            "--data-dir",
            dirA.toString(),
            "--content",
            "SONG-1",
            "--id",
            "RENEW-30",
            "--price",
            "50",
            "--days",
            "30",
            "--plays",
            "9");
    assertEquals("added offer RENEW-30 for content SONG-1 (50 cents)", offer.out().trim());
    Cli offerForNothing =
        Cli.run(
            "distributor",
            "offer",
            "add",
            "--data-dir",
            dirA.toString(),
            "--content",
            "SONG-9",
            "--id",
            "RENEW-30");
    assertEquals(1, offerForNothing.exit());
    assertTrue(offerForNothing.err().contains("SONG-9"), offerForNothing.err());
    Cli badOffer =
        Cli.run(
            "distributor",
            "offer",
            "add",
            "--data-dir",
            dirA.toString(),
            "--content",
            "SONG-1",
            "--id",
            "RENEW-2",
            "--removable-copies",
            "70000");
    assertEquals(1, badOffer.exit());
    assertTrue(badOffer.err().contains("option 'removableCopies'"), badOffer.err());

    Cli revoke = Cli.run("distributor", "revoke", "--data-dir", dirB.toString(), "leaf-7");
    assertEquals(1, revoke.exit());
    assertEquals("secdrive: no client leaf-7 in the federation", revoke.err().trim());

    try (DistributorServer a =
            DistributorServer.start(dirA, new InetSocketAddress("127.0.0.1", 0));
        DistributorServer b =
            DistributorServer.start(dirB, new InetSocketAddress("127.0.0.1", 0))) {
      HttpResponse<String> catalog =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(a.url() + "/contents")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, catalog.statusCode());
      JsonNode listed = Json.MAPPER.readTree(catalog.body());
      assertEquals("SONG-1", listed.get(0).get("contentId").asText());
      assertEquals(250, listed.get(0).get("priceCents").asLong());
      assertEquals(7, listed.get(0).get("days").asInt());
      HttpResponse<String> offers =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(a.url() + "/contents/SONG-1/offers")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, offers.statusCode());
      JsonNode renew = Json.MAPPER.readTree(offers.body()).get(0);
      assertEquals("RENEW-30", renew.get("offerId").asText());
      assertEquals(50, renew.get("priceCents").asLong());
      assertEquals(30, renew.get("days").asInt());
      assertEquals(9, renew.get("plays").asLong());
      assertEquals(0, renew.get("copies").asInt());
      Distributor atA = a.distributor();
      assertEquals("alice", atA.checkPassword("alice", "a long password"));
      assertEquals(1L << 8, b.distributor().firstLeaf());
    }
  }
}
