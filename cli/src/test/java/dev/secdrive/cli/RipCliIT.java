package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive watermark key}, {@code secdrive cdda author} and {@code secdrive rip} end to end:
 * WAV files in, a pressed disc in the media directory, an emulator on 127.0.0.1:0 serving it, WAV
 * files out, with human and JSON output.
 */
class RipCliIT {

  @TempDir Path dir;

  @Test
  void authorAndRipTwiceFromTheCommandLine() throws Exception {
    Path media = dir.resolve("media");
    Path key = dir.resolve("wm.key");
    Cli made = Cli.run("watermark", "key", "--out", key.toString());
    assertEquals(0, made.exit(), made::toString);
    Cli again = Cli.run("watermark", "key", "--out", key.toString());
    assertEquals(1, again.exit(), again::toString);
    assertTrue(again.err().contains("exists"), again::toString);

    Path a = dir.resolve("a.wav");
    Path b = dir.resolve("b.wav");
    Wav.write(a, TestAudio.tones(5, 1));
    Wav.write(b, TestAudio.music(5, 2));
    Path bad = dir.resolve("bad.wav");
    Wav.write(bad, new Pcm(48_000, 2, new short[2 * 48_000]));
    Cli refused =
        Cli.run(
            "cdda",
            "author",
            "--media-dir",
            media.toString(),
            "--id",
            "CLI-CD",
            "--watermark-key",
            key.toString(),
            "--track",
            bad.toString());
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("bad.wav"), refused::toString);
    assertTrue(refused.err().contains("44,100 Hz"), refused::toString);
    assertFalse(Files.exists(media.resolve("CLI-CD")), "nothing pressed");

    Cli authored =
        Cli.run(
            "cdda",
            "author",
            "--media-dir",
            media.toString(),
            "--id",
            "CLI-CD",
            "--mcn",
            "0123456789012",
            "--watermark-key",
            key.toString(),
            "--content-id",
            "500",
            "--track",
            a.toString(),
            "--isrc",
            "GB-SDA-26-00101",
            "--track",
            b.toString(),
            "--isrc",
            "GBSDA2600102",
            "--track-copy-control",
            "once");
    assertEquals(0, authored.exit(), authored::toString);
    assertTrue(authored.out().contains("pressed CD-DA disc CLI-CD"), authored::toString);
    assertTrue(authored.out().contains("GBSDA2600101"), authored::toString);
    assertTrue(authored.out().contains("copy once, content 501"), authored::toString);

    try (Rig rig =
        new Rig(
            media, TimingMode.FAST, List.of(new DriveConfig(0, "cdda", "CLI-CDDA", "CLI-CD")))) {
      Path table = dir.resolve("table.json");
      String[] rip = {
        "rip",
        rig.uri(0),
        "--all",
        "--out",
        dir.resolve("out").toString(),
        "--watermark-key",
        key.toString(),
        "--table",
        table.toString()
      };
      Cli first = Cli.run(rip);
      assertEquals(0, first.exit(), first::toString);
      assertTrue(first.out().contains("registered in the table"), first::toString);
      assertTrue(first.out().contains("ripped 2 tracks (table mode)"), first::toString);
      assertTrue(Files.exists(dir.resolve("out/track01.wav")));
      assertTrue(Files.exists(dir.resolve("out/track02.wav")));

      // the WAVs are there: a second rip into the same directory is refused before it reads
      Cli exists = Cli.run(rip);
      assertTrue(exists.exit() != 0, exists::toString);
      assertTrue(exists.err().contains("track01.wav exists"), exists::toString);

      String[] json = java.util.Arrays.copyOf(rip, rip.length + 2);
      json[rip.length] = "--json";
      json[rip.length + 1] = "--force";
      Cli second = Cli.run(json);
      assertEquals(0, second.exit(), second::toString);
      JsonNode value = new ObjectMapper().readTree(second.out());
      assertEquals(0, value.get("detections").asInt(), second::toString);
      assertEquals("table", value.get("tracks").get(0).get("verification").asText());
      assertEquals("COPY_ONCE", value.get("tracks").get(1).get("copyControl").asText());
      assertEquals(501, value.get("tracks").get(1).get("contentId").asLong());
      assertEquals("GBSDA2600101", value.get("tracks").get(0).get("isrc").asText());

      Cli full =
          Cli.run(
              "rip",
              rig.uri(0),
              "--track",
              "2",
              "--mode",
              "full",
              "--out",
              dir.resolve("full").toString(),
              "--watermark-key",
              key.toString(),
              "--json");
      assertEquals(0, full.exit(), full::toString);
      JsonNode f = new ObjectMapper().readTree(full.out());
      assertEquals(1, f.get("tracks").size());
      assertEquals("detected", f.get("tracks").get(0).get("verification").asText());
      assertTrue(f.get("detections").asInt() >= 1);
      assertTrue(f.get("tracks").get(0).get("segmentsVerified").asInt() >= 5, full::toString);

      Cli noTrack =
          Cli.run(
              "rip",
              rig.uri(0),
              "--track",
              "7",
              "--out",
              dir.resolve("x").toString(),
              "--watermark-key",
              key.toString(),
              "--table",
              table.toString());
      assertEquals(1, noTrack.exit(), noTrack::toString);
      assertTrue(noTrack.err().contains("no track 7"), noTrack::toString);
    }
  }
}
