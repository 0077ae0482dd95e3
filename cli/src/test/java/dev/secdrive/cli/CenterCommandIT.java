package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.center.CenterKeys;
import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.LicenseCenter;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.protocol.security.Certificate;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The software copy through the command line only: {@code secdrive center init}, the site started
 * on its data directory, {@code user-key create}, {@code center user add}, {@code master author},
 * {@code copy}, {@code run}, {@code center user show} and {@code center pay}.
 */
class CenterCommandIT {

  @TempDir Path media;
  @TempDir Path work;

  private static Cli ok(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(0, cli.exit(), cli::toString);
    return cli;
  }

  @Test
  void masterAuthorCanBeRunAgainAfterALaterTitleFailed() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path data = work.resolve("center");
    ok("center", "init", "--data-dir", data.toString(), "--file", authority.toString());
    Path one = Files.write(work.resolve("one.bin"), new byte[5000]);
    Path two = Files.write(work.resolve("two.bin"), new byte[7000]);
    Path token = data.resolve(LicenseCenter.ADMIN_TOKEN_FILE);
    try (LicenseCenter center = LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0))) {
      String url = "http://" + Addresses.format(center.address());
      String[] admin = {"--center", url, "--admin-token", token.toString()};
      ok(
          concat(
              new String[] {"center", "title", "add"}, admin, "--id", "taken", "--name", "Taken"));
      String[] author = {"master", "author", "--media-dir", media.toString()};

      // The second title clashes with one registered otherwise: the first stays registered.
      Cli failed =
          Cli.run(
              concat(
                  author,
                  admin,
                  "--id",
                  "MASTER-AGAIN",
                  "--title",
                  "one=" + one + ",name=One,scheme=1,price=100",
                  "--title",
                  "taken=" + two + ",name=Other,scheme=1"));
      assertEquals(1, failed.exit(), failed::toString);
      assertEquals(
          "secdrive: --title taken: the central site has taken registered already as scheme 2"
              + " 'Taken', not scheme 1 'Other'; give the same scheme and name to press it again,"
              + " or another title ID",
          failed.err().trim());
      assertTrue(
          MediumStore.openOrCreate(media).list().stream()
              .noneMatch(m -> m.id().equals("MASTER-AGAIN")),
          "no master was pressed");

      // The re-run with the first title as before goes on with its key from the site.
      Cli again =
          ok(
              concat(
                  author,
                  admin,
                  "--id",
                  "MASTER-AGAIN",
                  "--title",
                  "one=" + one + ",name=One,scheme=1,price=100",
                  "--title",
                  "taken=" + two + ",name=Taken",
                  "--json"));
      JsonNode master = Json.MAPPER.readTree(again.out());
      assertEquals("MASTER-AGAIN", master.get("mediumId").asText());
      assertEquals(2, master.get("titles").size());

      // Another scheme or name for a registered title is still refused.
      Cli renamed =
          Cli.run(
              concat(
                  author,
                  admin,
                  "--id",
                  "MASTER-3",
                  "--title",
                  "one=" + one + ",name=Renamed,scheme=1"));
      assertEquals(1, renamed.exit(), renamed::toString);
      assertTrue(
          renamed.err().contains("registered already as scheme 1 'One', not scheme 1 'Renamed'"),
          renamed::toString);
    }
  }

  @Test
  void aCenterCertifiedAsLicensorIsRecertifiedKeepingItsMasterKey() throws Exception {
    Path authorityFile = work.resolve("authority.json");
    Authority authority = Authority.create();
    authority.save(authorityFile);
    Path data = work.resolve("center");
    ok("center", "init", "--data-dir", data.toString(), "--file", authorityFile.toString());
    String token = LicenseCenter.adminToken(data);
    byte[] ka;
    try (LicenseCenter center = LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0))) {
      CenterClient client = new CenterClient("http://" + Addresses.format(center.address()), token);
      client.registerTitle("UPGRADE-2", "Upgrade", 2, 0);
      ka = client.titleKey("UPGRADE-2").key();
    }

    // center.json as a center wrote it before central sites had a role of their own
    Path keyFile = data.resolve(CenterKeys.FILE);
    ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(keyFile));
    Certificate current =
        Certificate.decode(HexFormat.of().parseHex(stored.get("certificate").asText()));
    stored.put(
        "certificate",
        HexFormat.of()
            .formatHex(
                authority
                    .certify(
                        Certificate.unsigned(
                            Certificate.Role.LICENSOR,
                            current.subject(),
                            current.x25519PublicKey(),
                            current.ed25519PublicKey()))
                    .encode()));
    Files.write(keyFile, Json.MAPPER.writeValueAsBytes(stored));
    CenterSetupException refused =
        assertThrows(
            CenterSetupException.class,
            () -> LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0)));
    assertTrue(
        refused
            .getMessage()
            .contains(
                "run secdrive center recertify --data-dir "
                    + data.toAbsolutePath()
                    + " --file AUTHORITY"),
        refused.getMessage());

    Path otherFile = work.resolve("other-authority.json");
    Authority other = Authority.create();
    other.save(otherFile);
    Cli wrong =
        Cli.run(
            "center", "recertify", "--data-dir", data.toString(), "--file", otherFile.toString());
    assertEquals(1, wrong.exit(), wrong::toString);
    assertTrue(wrong.err().contains(HexFormat.of().formatHex(other.publicKey())), wrong::toString);
    assertTrue(
        wrong.err().contains(HexFormat.of().formatHex(authority.publicKey())), wrong::toString);

    Cli recertified =
        ok(
            "center",
            "recertify",
            "--data-dir",
            data.toString(),
            "--file",
            authorityFile.toString(),
            "--json");
    assertEquals("CENTRAL_SITE", Json.MAPPER.readTree(recertified.out()).get("role").asText());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    try (LicenseCenter center = LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0))) {
      CenterClient client = new CenterClient("http://" + Addresses.format(center.address()), token);
      assertArrayEquals(ka, client.titleKey("UPGRADE-2").key(), "KM is kept");
      Certificate certificate = client.center().certificate();
      assertEquals(Certificate.Role.CENTRAL_SITE, certificate.role());
      assertArrayEquals(current.ed25519PublicKey(), certificate.ed25519PublicKey());
      assertTrue(authority.verify(certificate, Certificate.Role.CENTRAL_SITE));
    }
  }

  private static String[] concat(String[] a, String[] b, String... c) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length + c.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    System.arraycopy(c, 0, all, a.length + b.length, c.length);
    return all;
  }

  @Test
  void aMasterIsAuthoredCopiedAndRunWithTheCommandLine() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path data = work.resolve("center");
    Cli init =
        ok(
            "center",
            "init",
            "--data-dir",
            data.toString(),
            "--file",
            authority.toString(),
            "--json");
    assertEquals("secdrive central site", Json.MAPPER.readTree(init.out()).get("name").asText());
    Cli again =
        Cli.run("center", "init", "--data-dir", data.toString(), "--file", authority.toString());
    assertEquals(1, again.exit(), again::toString);
    assertTrue(again.err().contains("is already set up"), again::toString);

    byte[] game = new byte[300_001];
    new Random(5).nextBytes(game);
    byte[] film = new byte[200_003];
    new Random(6).nextBytes(film);
    Path gameFile = Files.write(work.resolve("game.bin"), game);
    Path filmFile = Files.write(work.resolve("film.bin"), film);
    Path token = data.resolve(LicenseCenter.ADMIN_TOKEN_FILE);
    Path userKey = work.resolve("carol.key");

    try (LicenseCenter center = LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0))) {
      String url = "http://" + Addresses.format(center.address());
      ok("user-key", "create", "--out", userKey.toString());
      ok(
          "center",
          "user",
          "add",
          "--center",
          url,
          "--admin-token",
          token.toString(),
          "--id",
          "carol",
          "--name",
          "Carol",
          "--user-key",
          userKey.toString());
      Cli authored =
          ok(
              "master",
              "author",
              "--media-dir",
              media.toString(),
              "--id",
              "MASTER-CLI",
              "--center",
              url,
              "--admin-token",
              token.toString(),
              "--title",
              "game-cli=" + gameFile + ",name=Game,scheme=1,price=250",
              "--title",
              "film-cli=" + filmFile + ",name=Film",
              "--json");
      JsonNode master = Json.MAPPER.readTree(authored.out());
      assertEquals("MASTER-CLI", master.get("mediumId").asText());
      assertEquals(2, master.get("titles").size());
      assertEquals(1, master.get("titles").get(0).get("scheme").asInt());
      assertEquals(2, master.get("titles").get(1).get("scheme").asInt());

      Rig.createMedium(MediumStore.open(media), "MO-CLI", "mo-640", null);
      ok(
          "authority",
          "enrol",
          "--media-dir",
          media.toString(),
          "--authority",
          authority.toString(),
          "--anchor-dir",
          Rig.anchors(media).toString(),
          "--drive",
          "lun=0,profile=cdrom,device-id=CLI-MASTER",
          "--device-id",
          "CLI-USER");
      try (Emulator emulator =
          Emulator.builder()
              .mediaDirectory(media)
              .anchorDirectory(Rig.anchors(media))
              .profiles(Rig.PROFILES)
              .timing(TimingMode.FAST)
              .drive(new DriveConfig(0, "cdrom", "CLI-MASTER", "MASTER-CLI"))
              .drive(new DriveConfig(1, "mo-640", "CLI-USER", "MO-CLI"))
              .start()) {
        String base = "tcp://" + Addresses.format(emulator.address()) + "/";
        ok(
            "copy",
            "--master",
            base + 0,
            "--target",
            base + 1,
            "--title",
            "game-cli",
            "--center",
            url,
            "--user",
            "carol",
            "--user-key",
            userKey.toString(),
            "--lba",
            "10");
        Path out = work.resolve("game.out");
        ok(
            "run",
            base + 1,
            "--title",
            "game-cli",
            "--lba",
            "10",
            "--center",
            url,
            "--out",
            out.toString());
        assertArrayEquals(game, Files.readAllBytes(out));

        // The scheme-1 title cost 250 cents, unpaid: the next copy is refused until paid.
        Cli refused =
            Cli.run(
                "copy",
                "--master",
                base + 0,
                "--target",
                base + 1,
                "--title",
                "film-cli",
                "--center",
                url,
                "--user",
                "carol",
                "--user-key",
                userKey.toString(),
                "--lba",
                "2000");
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("(HTTP 402)"), refused::toString);
        Cli shown =
            ok(
                "center",
                "user",
                "show",
                "--center",
                url,
                "--admin-token",
                token.toString(),
                "--id",
                "carol");
        assertTrue(
            shown.out().startsWith("user carol (Carol): 1 cop(ies), 250 cents owed"),
            shown::toString);
        Cli paid =
            ok(
                "center",
                "pay",
                "--center",
                url,
                "--admin-token",
                token.toString(),
                "--user",
                "carol",
                "--amount",
                "250");
        assertTrue(paid.out().contains("still owed: 0 cents"), paid::toString);

        ok(
            "copy",
            "--master",
            base + 0,
            "--target",
            base + 1,
            "--title",
            "film-cli",
            "--center",
            url,
            "--user",
            "carol",
            "--user-key",
            userKey.toString(),
            "--lba",
            "2000");
        Path filmOut = work.resolve("film.out");
        ok("run", base + 1, "--title", "film-cli", "--lba", "2000", "--out", filmOut.toString());
        assertArrayEquals(film, Files.readAllBytes(filmOut));
      }
    }
  }
}
