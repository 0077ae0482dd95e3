package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.host.api.Drive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive authority} and {@code secdrive license} end to end: an emulator with two secure
 * drives (an MO and a DVD-RAM, each with a medium), the licensor and player flows of the host
 * driver over TCP, backups to the user area, a file and the second drive, and the refusals a user
 * meets.
 */
class LicenseIT {

  private static final int CONTENT_LENGTH = 300_001; // not a whole number of blocks

  @TempDir Path media;
  @TempDir Path scratch;

  Rig rig;
  private String mo;
  private String dvd;
  private String secondMo;
  private Path credential;
  private Path content;
  private byte[] plaintext;

  @BeforeEach
  void start() throws Exception {
    var store = dev.secdrive.emulator.media.MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-1", "mo-640", null);
    Rig.createMedium(store, "DVD-1", "dvd-ram-4.7", null);
    rig =
        new Rig(
            media,
            TimingMode.FAST,
            List.of(
                new DriveConfig(0, "mo-640", "DEV-MO-0", "MO-1"),
                new DriveConfig(1, "dvd-ram", "DEV-DVD-1", "DVD-1"),
                new DriveConfig(2, "mo-640", "DEV-MO-2", null)));
    mo = uri(0, "timeout=10s");
    dvd = uri(1, "timeout=10s");
    secondMo = uri(2, "timeout=10s");
    credential = scratch.resolve("studio.json");
    ok(
        "authority",
        "licensor",
        "--media-dir",
        media.toString(),
        "--name",
        "Studio One",
        "--out",
        credential.toString());
    plaintext = new byte[CONTENT_LENGTH];
    new Random(7).nextBytes(plaintext);
    content = Files.write(scratch.resolve("movie.bin"), plaintext);
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  /** The drive on {@code lun}; {@link LicenseOverIscsiIT} attaches it over iSCSI instead. */
  String uri(int lun, String query) {
    return rig.uri(lun, query);
  }

  private static Cli ok(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(0, cli.exit(), cli::toString);
    return cli;
  }

  private static String refused(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(1, cli.exit(), cli::toString);
    return cli.err().trim();
  }

  private static JsonNode json(String... args) throws Exception {
    return Json.MAPPER.readTree(ok(args).out());
  }

  private void provision(String plays) {
    ok(
        "license",
        "provision",
        mo,
        "--credential",
        credential.toString(),
        "--content-id",
        "MOVIE-1",
        "--in",
        content.toString(),
        "--lba",
        "1000",
        "--plays",
        plays);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void provisionPlayUntilExhausted() throws Exception {
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credential)));
    JsonNode provisioned =
        json(
            "license",
            "provision",
            mo,
            "--credential",
            credential.toString(),
            "--content-id",
            "MOVIE-1",
            "--in",
            content.toString(),
            "--lba",
            "1000",
            "--plays",
            "2",
            "--json");
    assertEquals("MO-1", provisioned.get("mediumId").asText());
    assertEquals("DEV-MO-0", provisioned.get("deviceId").asText());
    assertEquals((CONTENT_LENGTH + 2047) / 2048, provisioned.get("dataBlocks").asLong());

    // The user area holds ciphertext: a plain READ does not give the content back.
    try (Drive drive = Drive.open(mo)) {
      byte[] raw = drive.read(1001, 4);
      assertFalse(Arrays.equals(Arrays.copyOf(plaintext, raw.length), raw));
    }

    JsonNode status = json("license", "status", mo, "--json");
    assertEquals("MOVIE-1", status.at("/records/0/contentId").asText());
    assertEquals(2, status.at("/records/0/playsLeft").asLong());
    long version = status.get("version").asLong();

    Path out = scratch.resolve("played.bin");
    Cli played =
        ok(
            "license",
            "play",
            mo,
            "--content-id",
            "MOVIE-1",
            "--lba",
            "1000",
            "--out",
            out.toString(),
            "--progress");
    assertArrayEquals(plaintext, Files.readAllBytes(out));
    assertTrue(played.err().contains("play"), played::toString); // the bar, asked for

    Cli hashed = ok("license", "play", mo, "--content-id", "MOVIE-1", "--lba", "1000");
    assertEquals(
        CONTENT_LENGTH + " bytes of MOVIE-1, SHA-256 " + sha256(plaintext), hashed.out().trim());
    assertEquals("", hashed.err(), "no progress bar when not interactive");

    JsonNode after = json("license", "status", mo, "--json");
    assertEquals(0, after.at("/records/0/playsLeft").asLong());
    assertEquals(version + 2, after.get("version").asLong());

    assertEquals(
        "secdrive: ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT PRESENT"
            + " (05/6F/01): license exhausted: no plays left on SECURITY PROTOCOL OUT OPEN"
            + " PLAYBACK",
        refused("license", "play", mo, "--content-id", "MOVIE-1", "--lba", "1000"));
    assertTrue(
        refused("license", "play", mo, "--content-id", "OTHER", "--lba", "1000")
            .contains("holds the title of content 'MOVIE-1', not 'OTHER'"));
  }

  @Test
  void licensorsOfAnotherAuthorityAndOversizedTitlesAreRefused() throws Exception {
    Path foreignAuthority = scratch.resolve("other-authority.json");
    ok("authority", "init", "--file", foreignAuthority.toString());
    assertTrue(
        refused("authority", "init", "--file", foreignAuthority.toString())
            .endsWith(
                "already exists; an authority is not replaced (drives are enrolled with it)"));
    Path foreign = scratch.resolve("foreign.json");
    ok(
        "authority",
        "licensor",
        "--file",
        foreignAuthority.toString(),
        "--name",
        "Pirate",
        "--out",
        foreign.toString());
    assertEquals(
        "secdrive: the drive's certificate (device DEV-MO-0) is not signed by the licensing"
            + " authority; refusing to send it a content key",
        refused(
            "license",
            "provision",
            mo,
            "--credential",
            foreign.toString(),
            "--content-id",
            "MOVIE-1",
            "--in",
            content.toString(),
            "--lba",
            "1000"));

    long lastLba;
    try (Drive drive = Drive.open(mo)) {
      lastLba = drive.capacity().lastLba();
    }
    assertTrue(
        refused(
                "license",
                "provision",
                mo,
                "--credential",
                credential.toString(),
                "--content-id",
                "MOVIE-1",
                "--in",
                content.toString(),
                "--lba",
                Long.toString(lastLba - 10))
            .contains("but the medium's last LBA is " + lastLba));
    JsonNode status = json("license", "status", mo, "--json");
    assertEquals(0, status.get("records").size(), "nothing installed by a refused provision");
  }

  @Test
  void backupToFileAndUserAreaThenRestoreAndRefuseAStaleOne() throws Exception {
    provision("3");
    Path blob = scratch.resolve("license.blob");
    JsonNode toFile =
        json("license", "backup", mo, "--to", "file:" + blob, "--bind", "medium+device", "--json");
    assertEquals("medium+device", toFile.get("binding").asText());
    assertEquals(Files.size(blob), toFile.get("bytes").asLong());
    ok("license", "backup", mo, "--to", "user-area:5000");

    // The secure area is destroyed; the user-area backup brings the license back.
    rig.emulator.eraseSecureArea(0);
    Cli restored = ok("license", "restore", mo, "--from", "user-area:5000");
    assertTrue(restored.out().contains("1 record(s)"), restored::toString);
    assertEquals(3, json("license", "status", mo, "--json").at("/records/0/playsLeft").asLong());

    // A play moves the license on (medium write 3: provision, restore, play); the file backup,
    // taken at write 1, is now stale and refused with the medium's counter.
    ok("license", "play", mo, "--content-id", "MOVIE-1", "--lba", "1000");
    long version = json("license", "status", mo, "--json").get("version").asLong();
    String stale = refused("license", "restore", mo, "--from", "file:" + blob);
    assertEquals(
        "secdrive: ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE"
            + " (05/6F/00): stale: older than the medium's license state (its write counter or this"
            + " drive's record) (the medium's write counter or the license version this drive"
            + " recorded: 3) on SECURITY PROTOCOL OUT RESTORE; backup was taken at medium write 1"
            + " with license version 1; the medium's license state has been written since",
        stale);

    // A blob of another medium: the host names both media (the blob header shows its medium).
    String otherMedium = refused("license", "restore", dvd, "--from", "file:" + blob);
    assertTrue(otherMedium.contains("(05/6F/00)"), otherMedium);
    assertTrue(
        otherMedium.endsWith(
            "issued for another medium on SECURITY PROTOCOL OUT RESTORE; backup is of medium"
                + " MO-1, this medium is DVD-1"),
        otherMedium);

    // A device-bound blob does not open in another drive: the same medium in a second MO drive,
    // so that the device binding, not the medium, is what refuses it.
    rig.emulator.remove(0, true);
    rig.emulator.insert(2, "MO-1");
    String otherDrive = refused("license", "restore", secondMo, "--from", "file:" + blob);
    assertTrue(otherDrive.contains("(05/6F/00)"), otherDrive);
    assertEquals(
        "secdrive: ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE"
            + " (05/6F/00): bound to another drive on SECURITY PROTOCOL OUT RESTORE; backup is"
            + " bound to drive DEV-MO-0, this drive is DEV-MO-2",
        otherDrive);
    // and the license in the second drive is the one of before the refusal
    assertEquals(version, json("license", "status", secondMo, "--json").get("version").asLong());
  }

  @Test
  void provisionDestroysNoTitleUnlessToldToReplace() throws Exception {
    provision("3");
    byte[] title;
    try (Drive drive = Drive.open(mo)) {
      title = drive.read(1000, 1 + (CONTENT_LENGTH + 2047) / 2048);
    }
    // the same content again: refused before anything is written
    Cli again =
        Cli.run(
            "license",
            "provision",
            mo,
            "--credential",
            credential.toString(),
            "--content-id",
            "MOVIE-1",
            "--in",
            content.toString(),
            "--lba",
            "3000");
    assertEquals(1, again.exit(), again::toString);
    assertEquals(
        "secdrive: content MOVIE-1 is already licensed on medium MO-1 (3 plays left);"
            + " provisioning it again replaces that license (--replace)",
        again.err().trim());
    // another content at the LBA of the title, or with its header inside the new title's blocks
    for (String lba : List.of("1000", "990")) {
      String over =
          refused(
              "license",
              "provision",
              mo,
              "--credential",
              credential.toString(),
              "--content-id",
              "MOVIE-2",
              "--in",
              content.toString(),
              "--lba",
              lba);
      assertTrue(
          over.startsWith(
              "secdrive: LBA 1000 of medium MO-1 holds the header of title MOVIE-1; a title of"
                  + " MOVIE-2 at LBA "
                  + lba),
          over);
    }
    try (Drive drive = Drive.open(mo)) {
      assertArrayEquals(title, drive.read(1000, title.length / 2048), "the title is intact");
      assertArrayEquals(new byte[2048], drive.read(3000, 1), "nothing written at LBA 3000");
    }
    JsonNode status = json("license", "status", mo, "--json");
    assertEquals(1, status.get("records").size(), status::toString);
    Cli played = ok("license", "play", mo, "--content-id", "MOVIE-1", "--lba", "1000");
    assertTrue(played.out().endsWith(sha256(plaintext) + "\n"), played::toString);

    // a backup in the user area is not overwritten either
    ok("license", "backup", mo, "--to", "user-area:5000");
    assertTrue(
        refused(
                "license",
                "provision",
                mo,
                "--credential",
                credential.toString(),
                "--content-id",
                "MOVIE-3",
                "--in",
                content.toString(),
                "--lba",
                "4990")
            .startsWith("secdrive: LBA 5000 of medium MO-1 holds a license backup;"));

    // --replace: the licensor renews its own license over its own title
    ok(
        "license",
        "provision",
        mo,
        "--credential",
        credential.toString(),
        "--content-id",
        "MOVIE-1",
        "--in",
        content.toString(),
        "--lba",
        "1000",
        "--plays",
        "7",
        "--replace");
    assertEquals(7, json("license", "status", mo, "--json").at("/records/0/playsLeft").asLong());

    // another licensor of the same authority cannot take it over, even with --replace
    Path rival = scratch.resolve("rival.json");
    ok(
        "authority",
        "licensor",
        "--media-dir",
        media.toString(),
        "--name",
        "Rival Studio",
        "--out",
        rival.toString());
    String takeover =
        refused(
            "license",
            "provision",
            mo,
            "--credential",
            rival.toString(),
            "--content-id",
            "MOVIE-1",
            "--in",
            content.toString(),
            "--lba",
            "8000",
            "--replace");
    // the host sees the licensor in LICENSE STATUS and refuses before it writes a block (the
    // drive would refuse the PROVISION too, 0Dh, but only after the title had been overwritten)
    assertTrue(
        takeover.contains("is licensed by '")
            && takeover.contains(
                "not by 'Rival Studio': only its licensor can replace it;"
                    + " nothing was written"),
        takeover);
    JsonNode after = json("license", "status", mo, "--json");
    assertEquals(7, after.at("/records/0/playsLeft").asLong());
    assertFalse(after.at("/records/0/licensor").asText().isEmpty(), after::toString);
    Path intact = scratch.resolve("movie-after-takeover.out");
    ok(
        "license",
        "play",
        mo,
        "--content-id",
        "MOVIE-1",
        "--lba",
        "1000",
        "--out",
        intact.toString());
    assertArrayEquals(plaintext, Files.readAllBytes(intact), "the title is intact");
    try (Drive drive = Drive.open(mo)) {
      assertArrayEquals(new byte[2048], drive.read(8000, 1), "nothing was written at LBA 8000");
    }
  }

  @Test
  void backupToASecondDriveAndRestoreThroughIt() throws Exception {
    provision("unlimited");
    JsonNode backup =
        json("license", "backup", mo, "--to", "drive:" + dvd, "--lba", "700", "--json");
    assertEquals("sealed", backup.get("binding").asText());
    rig.emulator.eraseSecureArea(0);
    assertEquals(0, json("license", "status", mo, "--json").get("records").size());

    ok("license", "restore", mo, "--from", "drive:" + dvd, "--lba", "700");
    JsonNode status = json("license", "status", mo, "--json");
    assertTrue(status.at("/records/0/unlimited").asBoolean(), status::toString);
    Cli played = ok("license", "play", mo, "--content-id", "MOVIE-1", "--lba", "1000");
    assertTrue(played.out().endsWith(sha256(plaintext) + "\n"), played::toString);

    // The blob on the DVD is sealed to the DVD drive: the MO drive cannot restore it directly.
    assertTrue(
        refused("license", "restore", mo, "--from", "file:" + writeBlobFromDvd())
            .contains("(05/6F/00)"));
  }

  /** Copies the sealed blob off the DVD's user area into a file, as an attacker might. */
  private Path writeBlobFromDvd() throws Exception {
    byte[] blocks;
    try (Drive drive = Drive.open(dvd)) {
      blocks = drive.read(700, 2);
    }
    long length = dev.secdrive.protocol.security.BackupBlob.encodedLength(blocks);
    byte[] blob = Arrays.copyOf(blocks, (int) length);
    return Files.write(scratch.resolve("sealed.blob"), blob);
  }

  @Test
  void deviceIdAndMediumIdAreShownAsLabels() {
    Cli device = ok("drive", mo, "device-id");
    assertTrue(device.out().contains("| Device ID: DEV-MO-0 "), device::toString);
    assertTrue(device.out().startsWith("+---"), device::toString);
    Cli medium = ok("media", "info", "--media-dir", media.toString(), "MO-1");
    assertTrue(medium.out().contains("| Medium ID: MO-1 "), medium::toString);
  }
}
