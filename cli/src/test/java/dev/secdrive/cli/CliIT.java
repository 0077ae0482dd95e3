package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secdrive command line against a real emulator: human output, --json, and bad input. */
class CliIT {

  @TempDir Path media;
  @TempDir Path scratch;

  private static JsonNode json(Cli cli) throws Exception {
    assertEquals(0, cli.exit(), cli::toString);
    return Json.MAPPER.readTree(cli.out());
  }

  @Test
  void mediaCreateInfoList() throws Exception {
    Cli created =
        Cli.run(
            "media",
            "create",
            "--media-dir",
            media.toString(),
            "--type",
            "mo-230",
            "--label",
            "Backup disc");
    assertEquals(0, created.exit(), created::toString);
    String id = created.out().trim();
    assertTrue(id.matches("SD[0-9A-F]{14}"), id);

    Cli info = Cli.run("media", "info", "--media-dir", media.toString(), id);
    assertEquals(0, info.exit(), info::toString);
    assertTrue(info.out().contains("| Medium ID: " + id), info.out()); // the label shows the ID
    assertTrue(info.out().contains("Backup disc"), info.out());
    assertTrue(info.out().contains("512-byte blocks x 446325"), info.out());

    JsonNode asJson = json(Cli.run("media", "info", "--media-dir", media.toString(), id, "--json"));
    assertEquals("mo-230", asJson.get("type").asText());
    assertEquals(446325, asJson.get("blockCount").asLong());

    Cli named = Cli.run("media", "create", "--media-dir", media.toString(), "--id", "MY-DISC");
    assertEquals("MY-DISC", named.out().trim(), named::toString);
    Cli list = Cli.run("media", "list", "--media-dir", media.toString());
    assertTrue(list.out().contains("MY-DISC") && list.out().contains(id), list::toString);
  }

  @Test
  void mediaErrorsNameTheProblem() throws Exception {
    Cli missing = Cli.run("media", "info", "--media-dir", scratch.resolve("nope").toString(), "X");
    assertEquals(1, missing.exit());
    assertTrue(
        missing.err().contains("media directory " + scratch.resolve("nope") + " does not exist"),
        missing::toString);

    Cli unknownType =
        Cli.run("media", "create", "--media-dir", media.toString(), "--type", "zip-100");
    assertEquals(1, unknownType.exit());
    assertTrue(
        unknownType.err().contains("unknown medium type 'zip-100' (known: cd-da, cd-rom-650"),
        unknownType::toString);

    Cli pressed =
        Cli.run("media", "create", "--media-dir", media.toString(), "--type", "cd-rom-650");
    assertTrue(
        pressed.err().contains("is pressed (read-only): give its content with --content FILE"),
        pressed::toString);

    Cli audio = Cli.run("media", "create", "--media-dir", media.toString(), "--type", "cd-da");
    assertEquals(1, audio.exit());
    assertTrue(
        audio.err().contains("make it with 'secdrive cdda author --media-dir D --id ID"),
        audio::toString);

    Cli badId = Cli.run("media", "create", "--media-dir", media.toString(), "--id", "../escape");
    assertEquals(1, badId.exit());
    assertTrue(badId.err().contains("invalid medium ID '../escape'"), badId::toString);

    Cli.run("media", "create", "--media-dir", media.toString(), "--id", "BROKEN");
    Files.writeString(media.resolve("BROKEN/medium.json"), "{ not json");
    Cli corrupt = Cli.run("media", "info", "--media-dir", media.toString(), "BROKEN");
    assertEquals(1, corrupt.exit());
    assertTrue(
        corrupt
            .err()
            .contains("medium metadata " + media.resolve("BROKEN/medium.json") + " is corrupt"),
        corrupt::toString);
    assertTrue(!corrupt.err().contains("\tat "), "no stack trace: " + corrupt.err());
  }

  @Test
  void driveCommandsOverTcp() throws Exception {
    var store = dev.secdrive.emulator.media.MediumStore.openOrCreate(media);
    Rig.createMedium(store, "CLI-DISC", "mo-640", null);
    try (Rig rig =
        new Rig(
            media, TimingMode.FAST, List.of(new DriveConfig(0, "mo-640", "CLI-DEV", "CLI-DISC")))) {
      String uri = rig.uri(0);
      JsonNode inquiry = json(Cli.run("drive", uri, "inquiry", "--json"));
      assertEquals("SECDRIVE", inquiry.at("/inquiry/vendor").asText());
      assertEquals("CLI-DEV", inquiry.get("deviceId").asText());
      assertEquals("CLI-DEV", Cli.run("drive", uri, "device-id", "--plain").out().trim());
      assertTrue(Cli.run("drive", uri, "device-id").out().contains("| Device ID: CLI-DEV "), uri);
      assertEquals("CLI-DISC", Cli.run("drive", uri, "medium-id").out().trim());
      assertEquals(
          2048, json(Cli.run("drive", uri, "capacity", "--json")).get("blockSize").asInt());
      assertEquals("ready", Cli.run("drive", uri, "tur").out().trim());

      Cli write = Cli.run("drive", uri, "write", "--lba", "3", "--text", "hello, drive");
      assertEquals("wrote 1 block(s) at LBA 3", write.out().trim(), write::toString);
      JsonNode read = json(Cli.run("drive", uri, "read", "--lba", "3", "--json"));
      assertTrue(
          read.get("hex").asText().startsWith("68656c6c6f2c206472697665000000"), read::toString);
      Path out = scratch.resolve("block.bin");
      Cli.run("drive", uri, "read", "--lba", "3", "--out", out.toString());
      assertEquals(
          "hello, drive", new String(Files.readAllBytes(out), 0, 12, StandardCharsets.UTF_8));

      assertEquals("[0]", Cli.run("drive", uri, "luns").out().trim());
      assertTrue(Cli.run("drive", uri, "commands").out().contains("READ MEDIA SERIAL NUMBER"));
      assertEquals("ejected", Cli.run("drive", uri, "eject").out().trim());
      Cli notReady = Cli.run("drive", uri, "tur");
      assertEquals(1, notReady.exit());
      assertEquals(
          "secdrive: NOT READY: MEDIUM NOT PRESENT (02/3A/00) on TEST UNIT READY",
          notReady.err().trim());
      assertEquals("loaded", Cli.run("drive", uri, "load").out().trim());
      assertEquals("ready", Cli.run("drive", uri, "tur").out().trim()); // a new connection: no UA

      // the control API from the command line
      String control = rig.controlUrl();
      Cli wp =
          Cli.run("control", control, "--media-dir", rig.media.toString(), "write-protect", "on");
      assertTrue(wp.out().contains("write-protected"), wp::toString);
      Cli refused = Cli.run("drive", uri, "write", "--lba", "0", "--fill", "0xA5");
      assertEquals(
          "secdrive: DATA PROTECT: WRITE PROTECTED (07/27/00) on WRITE(10) lba=0 blocks=1",
          refused.err().trim());
      Cli.run("control", control, "--media-dir", rig.media.toString(), "write-protect", "off");
      Cli faults =
          Cli.run(
              "control",
              control,
              "--media-dir",
              rig.media.toString(),
              "faults",
              "--read-error",
              "9");
      assertTrue(faults.out().contains("read errors:  [9]"), faults::toString);
      Cli bad = Cli.run("drive", uri, "read", "--lba", "9");
      assertEquals(
          "secdrive: MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00) at LBA 9 on READ(10) lba=9 blocks=1",
          bad.err().trim());
      Cli.run("control", control, "--media-dir", rig.media.toString(), "faults", "--clear");
      // a host that holds a reservation and never lets go: the operator ends it
      try (dev.secdrive.host.api.Drive holder = dev.secdrive.host.api.Drive.open(uri)) {
        holder.execute(new dev.secdrive.protocol.cdb.Reserve6(), 0, data -> null).get();
        Cli conflict = Cli.run("drive", uri, "read", "--lba", "0");
        assertEquals(1, conflict.exit(), conflict::toString);
        assertTrue(conflict.err().contains("RESERVATION CONFLICT"), conflict::toString);
        Cli cleared =
            Cli.run("control", control, "--media-dir", rig.media.toString(), "clear-reservations");
        assertEquals(0, cleared.exit(), cleared::toString);
        assertEquals(0, Cli.run("drive", uri, "read", "--lba", "0").exit());
      }
      Cli removed = Cli.run("control", control, "--media-dir", rig.media.toString(), "remove");
      assertTrue(removed.out().contains("medium none"), removed::toString);
      Cli inserted =
          Cli.run("control", control, "--media-dir", rig.media.toString(), "insert", "CLI-DISC");
      assertTrue(inserted.out().contains("medium CLI-DISC"), inserted::toString);
      Cli unknown =
          Cli.run("control", control, "--media-dir", rig.media.toString(), "insert", "NOPE");
      assertEquals(1, unknown.exit());
      assertTrue(unknown.err().contains("no medium NOPE in"), unknown::toString);
      Cli noDrive =
          Cli.run("control", control, "--media-dir", rig.media.toString(), "--lun", "4", "remove");
      assertEquals("secdrive: no drive on LUN 4", noDrive.err().trim(), noDrive::toString);

      // only with the emulator's token
      Path elsewhere = scratch.resolve("elsewhere");
      Cli noToken = Cli.run("control", control, "--media-dir", elsewhere.toString(), "status");
      assertEquals(1, noToken.exit());
      assertTrue(
          noToken.err().startsWith("secdrive: no control token at " + elsewhere),
          noToken::toString);
      assertTrue(noToken.err().contains("(give --media-dir or --token-file)"), noToken::toString);
      Path other =
          dev.secdrive.emulator.control.ControlToken.loadOrCreate(scratch.resolve("other")).file();
      Cli wrong = Cli.run("control", control, "--token-file", other.toString(), "status");
      assertEquals("secdrive: the control token is wrong", wrong.err().trim(), wrong::toString);
      Path own = rig.emulator.controlToken().orElseThrow().file();
      Cli right = Cli.run("control", control, "status", "--token-file", own.toString());
      assertEquals(0, right.exit(), right::toString);
      assertTrue(right.out().contains("medium CLI-DISC"), right::toString);
    }
  }

  @Test
  void badDriveUrisAndUnreachableHosts() {
    Cli scheme = Cli.run("drive", "udp://127.0.0.1:7140/0", "inquiry");
    assertEquals(1, scheme.exit());
    assertEquals(
        "secdrive: invalid drive URI 'udp://127.0.0.1:7140/0': unsupported scheme 'udp' (supported: tcp, serial, iscsi)",
        scheme.err().trim());
    Cli port = Cli.run("drive", "tcp://127.0.0.1:99999/0", "inquiry");
    assertTrue(port.err().contains("invalid drive URI 'tcp://127.0.0.1:99999/0'"), port::toString);
    Cli refused = Cli.run("drive", "tcp://127.0.0.1:1/0", "inquiry");
    assertEquals(
        "secdrive: cannot connect to tcp://127.0.0.1:1: Connection refused", refused.err().trim());
    Cli unknownHost = Cli.run("drive", "tcp://no-such-host.invalid:7140/0", "inquiry");
    assertEquals(1, unknownHost.exit());
    assertTrue(
        unknownHost
            .err()
            .contains("cannot connect to tcp://no-such-host.invalid:7140: unknown host"),
        unknownHost::toString);
    Path token =
        dev.secdrive.emulator.control.ControlToken.loadOrCreate(scratch.resolve("t")).file();
    Cli control =
        Cli.run("control", "http://127.0.0.1:1", "--token-file", token.toString(), "status");
    assertEquals(
        "secdrive: cannot reach the control API at http://127.0.0.1:1: connection refused",
        control.err().trim());
    Cli usage = Cli.run("drive", "tcp://127.0.0.1:7140/0", "read");
    assertEquals(2, usage.exit());
    assertTrue(usage.err().contains("Missing required option: '--lba=<lba>'"), usage::toString);
  }

  @Test
  void profilesListsEveryModel() throws Exception {
    JsonNode profiles = json(Cli.run("profiles", "--json"));
    assertEquals(6, profiles.size());
    assertTrue(Cli.run("profiles").out().contains("cd-rom-650"));
    assertTrue(Cli.run("profiles").out().contains("cd-da"));
  }
}
