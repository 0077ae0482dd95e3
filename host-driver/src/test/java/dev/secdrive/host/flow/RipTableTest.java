package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.rip.TrackRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RipTableTest {

  @TempDir Path dir;

  static TrackRecord record(String device, Optional<String> isrc, String medium, int track) {
    byte[] r = new byte[32];
    r[0] = (byte) track;
    return TrackRecord.unsigned(
            medium,
            device,
            track,
            isrc,
            150,
            1000,
            r,
            TrackRecord.COPY_FREE,
            7,
            TrackRecord.designate(r, 150, 1000, 4),
            new byte[32],
            new byte[32])
        .sign(new byte[32]);
  }

  @Test
  void aMissingFileIsAnEmptyTable() {
    assertTrue(RipTable.load(dir.resolve("none.json")).entries().isEmpty());
  }

  @Test
  void entriesRoundTripByDriveAndIsrcOrByDiscAndTrack() {
    Path file = dir.resolve("sub/table.json");
    TrackRecord a = record("SD-1", Optional.of("GBSDA2600001"), "CD-1", 1);
    TrackRecord b = record("SD-1", Optional.empty(), "CD-1", 2);
    TrackRecord c = record("SD-2", Optional.of("GBSDA2600001"), "CD-1", 1);
    RipTable.empty().with(a).with(b).with(c).save(file);
    RipTable table = RipTable.load(file);
    assertEquals(3, table.entries().size());
    assertArrayEquals(
        a.encode(),
        table
            .find(RipTable.Key.of("SD-1", Optional.of("GBSDA2600001"), "CD-9", 5))
            .orElseThrow()
            .record());
    assertEquals(
        b,
        table
            .find(RipTable.Key.of("SD-1", Optional.empty(), "CD-1", 2))
            .orElseThrow()
            .decoded(file));
    assertTrue(table.find(RipTable.Key.of("SD-1", Optional.empty(), "CD-1", 3)).isEmpty());
    // one entry per (drive, ISRC): a new registration replaces the old
    TrackRecord again = record("SD-1", Optional.of("GBSDA2600001"), "CD-2", 4);
    RipTable.load(file).with(again).save(file);
    assertEquals(3, RipTable.load(file).entries().size());
    assertEquals(
        again,
        RipTable.load(file)
            .find(RipTable.Key.of("SD-1", Optional.of("GBSDA2600001"), "", 0))
            .orElseThrow()
            .decoded(file));
  }

  @Test
  void aFileThatIsNoTableIsRefusedWithItsPath() throws Exception {
    Path file = dir.resolve("t.json");
    Files.writeString(file, "{\"format\": 1, \"entries\": [", StandardCharsets.UTF_8);
    FlowException e = assertThrows(FlowException.class, () -> RipTable.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    Files.writeString(file, "{\"format\": 2, \"entries\": []}", StandardCharsets.UTF_8);
    assertTrue(
        assertThrows(FlowException.class, () -> RipTable.load(file))
            .getMessage()
            .contains("format 1"));
    Files.writeString(
        file,
        "{\"format\": 1, \"entries\": [{\"deviceId\": \"SD-1\", \"isrc\": \"GBSDA2600001\", \"record\": \"zz\"}]}");
    assertTrue(
        assertThrows(FlowException.class, () -> RipTable.load(file))
            .getMessage()
            .contains("not hex"));
  }

  @Test
  void aRecordEditedIntoNonsenseIsRefusedWhenUsed() throws Exception {
    Path file = dir.resolve("t.json");
    Files.writeString(
        file,
        "{\"format\": 1, \"entries\": [{\"deviceId\": \"SD-1\", \"isrc\": \"GBSDA2600001\","
            + " \"record\": \"5344545201\"}]}");
    RipTable.Entry entry =
        RipTable.load(file)
            .find(RipTable.Key.of("SD-1", Optional.of("GBSDA2600001"), "", 0))
            .orElseThrow();
    FlowException e = assertThrows(FlowException.class, () -> entry.decoded(file));
    assertTrue(e.getMessage().contains("was edited"), e.getMessage());
    assertEquals(List.of(), RipTable.empty().entries());
  }

  @Test
  void aKeyTwiceInTheFileIsRefusedNotResolvedSilently() throws Exception {
    Path file = dir.resolve("t.json");
    String entry = "{\"deviceId\": \"SD-1\", \"isrc\": \"GBSDA2600001\", \"record\": \"%s\"}";
    String a =
        java.util.HexFormat.of()
            .formatHex(record("SD-1", Optional.of("GBSDA2600001"), "CD-1", 1).encode());
    String b =
        java.util.HexFormat.of()
            .formatHex(record("SD-1", Optional.of("GBSDA2600001"), "CD-2", 1).encode());
    Files.writeString(
        file,
        "{\"format\": 1, \"entries\": ["
            + String.format(entry, a)
            + ", "
            + String.format(entry, b)
            + "]}");
    FlowException e = assertThrows(FlowException.class, () -> RipTable.load(file));
    assertTrue(e.getMessage().contains("entry 2 repeats the key"), e.getMessage());
  }

  @Test
  void registrationsAtOnceAllLand() throws Exception {
    Path file = dir.resolve("shared/table.json");
    int n = 16;
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrackRecord r = record("SD-1", Optional.empty(), "CD-1", i + 1);
      Thread t = new Thread(() -> RipTable.register(file, r));
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(n, RipTable.load(file).entries().size());
  }
}
