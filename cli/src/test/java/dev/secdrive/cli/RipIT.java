package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.FlowException;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.RipTable;
import dev.secdrive.host.flow.Ripper;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Wav;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.kit.watermark.WatermarkKey;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watermark-verified ripping end to end (seed 004; PROTOCOL.md "Verification table"): discs
 * authored from generated audio in this test, served by an emulator on 127.0.0.1:0, ripped through
 * the real host driver over TCP in each mode, and every refusal of issue 13's list.
 */
class RipIT {

  static final int A = 0;
  static final int B = 1;
  static final int MO = 2;
  static final double SECONDS = 6;

  @TempDir static Path dir;
  static Rig rig;
  static Watermark watermark;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    rig =
        new Rig(
            dir.resolve("media"),
            TimingMode.FAST,
            List.of(
                new DriveConfig(A, "cdda", "RIP-DRIVE-A", null),
                new DriveConfig(B, "cdda", "RIP-DRIVE-B", null),
                new DriveConfig(MO, "mo-640", "RIP-MO", null)));
    watermark = new Watermark(WatermarkKey.generate());
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  // ------------------------------------------------------------------ helpers

  static CdAuthor.TrackSpec marked(Pcm audio, String isrc, CopyControl copy, long content) {
    return new CdAuthor.TrackSpec(
        audio, Optional.ofNullable(isrc), Optional.of(new Payload(copy, content)));
  }

  static CdAuthor.TrackSpec unmarked(Pcm audio, String isrc) {
    return new CdAuthor.TrackSpec(audio, Optional.ofNullable(isrc), Optional.empty());
  }

  static List<Pcm> press(String id, CdAuthor.TrackSpec... tracks) {
    return CdAuthor.press(
        rig.media, id, "test " + id, Optional.empty(), watermark, List.of(tracks));
  }

  /** Puts disc {@code id} into drive {@code lun}, taking out what was there. */
  static void load(int lun, String id) {
    takeOut(lun);
    rig.emulator.insert(lun, id);
  }

  static void takeOut(int lun) {
    if (rig.emulator.drive(lun).medium() != null) {
      rig.emulator.remove(lun, true);
    }
  }

  static Ripper ripper(Drive drive, Ripper.Mode mode, Path table) {
    return new Ripper(drive, watermark, Ripper.Settings.of(mode, table));
  }

  static List<Ripper.Ripped> rip(int lun, Ripper.Mode mode, Path table, Path out) {
    return rip(lun, mode, table, out, List.of());
  }

  static List<Ripper.Ripped> rip(
      int lun, Ripper.Mode mode, Path table, Path out, List<Integer> tracks) {
    try (Drive drive = Drive.open(rig.uri(lun))) {
      return ripper(drive, mode, table).rip(tracks, out, Progress.NONE);
    }
  }

  static Ripper.RefusedException refused(
      int lun, Ripper.Mode mode, Path table, Path out, Ripper.Refusal why) {
    try (Drive drive = Drive.open(rig.uri(lun))) {
      Ripper.RefusedException e =
          assertThrows(
              Ripper.RefusedException.class,
              () -> ripper(drive, mode, table).rip(List.of(), out, Progress.NONE));
      assertEquals(why, e.refusal(), e.getMessage());
      return e;
    }
  }

  static void assertDriveReason(Ripper.RefusedException e, Reason reason) {
    assertEquals(Optional.of(reason), e.driveReason(), e.getMessage());
    assertTrue(e.getMessage().contains(reason.text()), e.getMessage());
  }

  static byte[] bytesOf(Path wav) throws IOException {
    return Wav.read(wav).toLittleEndian();
  }

  static ObjectNode table(Path file) throws IOException {
    return (ObjectNode) JSON.readTree(file.toFile());
  }

  static ObjectNode entry(ObjectNode table, String deviceId, String isrc) {
    for (var e : table.get("entries")) {
      if (e.get("deviceId").asText().equals(deviceId) && e.path("isrc").asText().equals(isrc)) {
        return (ObjectNode) e;
      }
    }
    throw new AssertionError("no entry for " + deviceId + " " + isrc + " in " + table);
  }

  static void write(Path file, ObjectNode table) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), table);
  }

  static String flip(String hex, int at) {
    byte[] b = HexFormat.of().parseHex(hex);
    b[at] ^= 0x01;
    return HexFormat.of().formatHex(b);
  }

  static Path fresh(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  // ------------------------------------------------------------------ first and repeat rips

  @Test
  void theFirstRipDetectsAndRegistersAndTheRepeatRipVerifiesFromTheTableWithoutDetection()
      throws IOException {
    Path work = fresh("first-and-repeat");
    List<CdAuthor.TrackSpec> tracks = new ArrayList<>();
    tracks.add(marked(TestAudio.tones(SECONDS, 1), "GB-SDA-26-00001", CopyControl.COPY_FREE, 101));
    tracks.add(marked(TestAudio.noise(SECONDS, 2), "GBSDA2600002", CopyControl.COPY_ONCE, 102));
    Optional<Pcm> speech =
        TestAudio.speech("Watermark verified ripping of compact disc audio.", SECONDS, work);
    if (speech.isPresent()) {
      tracks.add(marked(speech.get(), "GBSDA2600003", CopyControl.COPY_FREE, 103));
    } else {
      System.err.println("RipIT: espeak-ng is not installed; the speech track is skipped");
    }
    tracks.replaceAll(
        t ->
            t.isrc().isPresent()
                ? new CdAuthor.TrackSpec(
                    t.audio(), Optional.of(CdAuthor.isrc(t.isrc().get())), t.payload())
                : t);
    List<Pcm> pressed = press("ALBUM-1", tracks.toArray(CdAuthor.TrackSpec[]::new));
    load(A, "ALBUM-1");
    Path table = work.resolve("table.json");

    List<Ripper.Ripped> first;
    Ripper firstRipper;
    try (Drive drive = Drive.open(rig.uri(A))) {
      firstRipper = ripper(drive, Ripper.Mode.TABLE, table);
      first = firstRipper.rip(List.of(), work.resolve("first"), Progress.NONE);
    }
    assertEquals(tracks.size(), first.size());
    for (int i = 0; i < first.size(); i++) {
      Ripper.Ripped r = first.get(i);
      assertEquals(Ripper.Verification.REGISTERED, r.verification());
      assertEquals(tracks.get(i).payload().orElseThrow(), r.payload());
      assertTrue(r.segmentsVerified() >= 5, "verification over the whole track: " + r);
      assertTrue(r.detectionCpuNanos() > 0);
      // the WAV is the pressed (marked) audio, padded with silence to whole sectors
      byte[] want = pressed.get(i).toLittleEndian();
      byte[] got = bytesOf(r.wav());
      assertEquals(r.sectors() * 2352, got.length);
      assertArrayEquals(want, java.util.Arrays.copyOf(got, want.length));
    }
    assertTrue(firstRipper.detections() > 0);
    assertEquals(tracks.size(), RipTable.load(table).entries().size());

    Ripper again;
    List<Ripper.Ripped> repeat;
    try (Drive drive = Drive.open(rig.uri(A))) {
      again = ripper(drive, Ripper.Mode.TABLE, table);
      repeat = again.rip(List.of(), work.resolve("repeat"), Progress.NONE);
    }
    assertEquals(0, again.detections(), "a repeat rip runs no watermark detection");
    assertEquals(0, again.detectionCpuNanos());
    for (int i = 0; i < repeat.size(); i++) {
      assertEquals(Ripper.Verification.TABLE, repeat.get(i).verification());
      assertEquals(first.get(i).payload(), repeat.get(i).payload());
      assertArrayEquals(bytesOf(first.get(i).wav()), bytesOf(repeat.get(i).wav()));
    }
  }

  @Test
  void fullModeChecksEveryWindowAndSampledModeOnlyAShareAtFreshPositions() throws IOException {
    Path work = fresh("modes");
    press(
        "ALBUM-MODES", marked(TestAudio.music(12, 4), "GBSDA2600010", CopyControl.COPY_FREE, 110));
    load(A, "ALBUM-MODES");
    List<Ripper.Ripped> full = rip(A, Ripper.Mode.FULL, null, work.resolve("full"));
    assertEquals(Ripper.Verification.DETECTED, full.get(0).verification());
    assertEquals(full.get(0).sectors(), full.get(0).sectorsExamined());
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper sampled =
          new Ripper(
              drive,
              watermark,
              Ripper.Settings.of(Ripper.Mode.SAMPLED, null).withSampling(0.25, 0),
              new SplittableRandom(11));
      Ripper.Ripped r = sampled.rip(List.of(), work.resolve("sampled"), Progress.NONE).get(0);
      assertEquals(Ripper.Verification.SAMPLED, r.verification());
      assertEquals(new Payload(CopyControl.COPY_FREE, 110), r.payload());
      assertTrue(r.sectorsExamined() < r.sectors(), "only a share is examined: " + r);
      assertArrayEquals(bytesOf(full.get(0).wav()), bytesOf(r.wav()));
    }
    // the ripper refuses a range the detector cannot decode from
    try (Drive drive = Drive.open(rig.uri(A))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new Ripper(
                      drive,
                      watermark,
                      Ripper.Settings.of(Ripper.Mode.SAMPLED, null).withSampling(0.5, 10)));
      assertTrue(e.getMessage().contains("shorter than"), e.getMessage());
    }
  }

  @Test
  void aLongTrackRipsInSampledModeWhereverItsRangesFall() throws IOException {
    Path work = fresh("long-sampled");
    // detections place the block grid to within two search steps each: ranges all over a long
    // track must agree on its alignment nonetheless
    press(
        "ALBUM-LONG", marked(TestAudio.noise(90, 26), "GBSDA2600046", CopyControl.COPY_FREE, 146));
    load(A, "ALBUM-LONG");
    try (Drive drive = Drive.open(rig.uri(A))) {
      for (long seed = 1; seed <= 3; seed++) {
        Ripper sampled =
            new Ripper(
                drive,
                watermark,
                Ripper.Settings.of(Ripper.Mode.SAMPLED, null).withSampling(1.0, 0),
                new SplittableRandom(seed));
        Ripper.Ripped r =
            sampled.rip(List.of(), work.resolve("sampled-" + seed), Progress.NONE).get(0);
        assertEquals(Ripper.Verification.SAMPLED, r.verification());
        assertTrue(r.rangesExamined() >= 20, "every range examined: " + r);
      }
    }
  }

  // ------------------------------------------------------------------ refusals by the mark

  @Test
  void aNoCopyTrackIsRefusedInEveryModeAndTheDriveRegistersNone() throws IOException {
    Path work = fresh("no-copy");
    press(
        "ALBUM-NOCOPY",
        marked(TestAudio.tones(SECONDS, 5), "GBSDA2600020", CopyControl.NO_MORE_COPIES, 120));
    load(A, "ALBUM-NOCOPY");
    Path table = work.resolve("table.json");
    for (Ripper.Mode mode : Ripper.Mode.values()) {
      Ripper.RefusedException e =
          refused(A, mode, table, work.resolve(mode.name()), Ripper.Refusal.NO_COPY);
      assertTrue(e.getMessage().contains("no more copies"), e.getMessage());
      assertFalse(Files.exists(work.resolve(mode.name()).resolve("track01.wav")));
    }
    assertFalse(Files.exists(table), "nothing registered");
    try (Drive drive = Drive.open(rig.uri(A))) {
      ScsiException e =
          assertThrows(
              ScsiException.class,
              () ->
                  drive
                      .secure()
                      .registerTrack(new RegisterTrack(1, 4, TrackRecord.NO_MORE_COPIES, 120)));
      assertEquals(Optional.of(Reason.COPY_NOT_PERMITTED), e.reason());
    }
  }

  @Test
  void anUnmarkedTrackIsRefusedWhereAMarkIsRequired() throws IOException {
    Path work = fresh("unmarked");
    press("ALBUM-PLAIN", unmarked(TestAudio.music(SECONDS, 6), "GBSDA2600030"));
    load(A, "ALBUM-PLAIN");
    for (Ripper.Mode mode : Ripper.Mode.values()) {
      Ripper.RefusedException e =
          refused(
              A,
              mode,
              work.resolve("table.json"),
              work.resolve(mode.name()),
              Ripper.Refusal.UNMARKED);
      assertTrue(e.getMessage().contains("carries no watermark"), e.getMessage());
    }
    assertTrue(RipTable.load(work.resolve("table.json")).entries().isEmpty());
  }

  @Test
  void aPartlySubstitutedTrackIsCaughtByFullDetectionAndBySampledDetection() throws IOException {
    Path work = fresh("substituted");
    Pcm original = TestAudio.music(12, 7);
    Pcm marked = watermark.embed(original, new Payload(CopyControl.COPY_FREE, 130));
    // 1.5 s in the middle replaced by another, unmarked recording: the rest of every 4 s window
    // around it still decodes, so only verification stretch by stretch finds it
    Pcm spliced = TestAudio.splice(marked, TestAudio.noise(12, 8), 5 * 44_100, 5 * 44_100 + 66_150);
    press("ALBUM-SPLICED", unmarked(spliced, "GBSDA2600040"));
    load(A, "ALBUM-SPLICED");
    Ripper.RefusedException full =
        refused(A, Ripper.Mode.FULL, null, work.resolve("full"), Ripper.Refusal.SUBSTITUTED);
    assertTrue(full.getMessage().contains("partly unmarked"), full.getMessage());
    assertTrue(
        full.getMessage().matches("(?s).* in [4-6]\\.\\d\\d-[5-7]\\.\\d\\d s .*"),
        full.getMessage());
    // table mode's first rip detects as full does, and registers nothing
    refused(
        A,
        Ripper.Mode.TABLE,
        work.resolve("t.json"),
        work.resolve("t"),
        Ripper.Refusal.SUBSTITUTED);
    assertTrue(RipTable.load(work.resolve("t.json")).entries().isEmpty());
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper sampled =
          new Ripper(
              drive,
              watermark,
              Ripper.Settings.of(Ripper.Mode.SAMPLED, null).withSampling(1.0, 0),
              new SplittableRandom(13));
      Ripper.RefusedException e =
          assertThrows(
              Ripper.RefusedException.class,
              () -> sampled.rip(List.of(), work.resolve("sampled"), Progress.NONE));
      assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), e.getMessage());
    }
    for (String mode : List.of("full", "t", "sampled")) {
      assertFalse(Files.exists(work.resolve(mode).resolve("track01.wav")), mode);
    }
  }

  @Test
  void aQuietSubstitutionAndARearrangedTrackAreCaughtToo() throws IOException {
    Path work = fresh("quiet-and-moved");
    Pcm marked = watermark.embed(TestAudio.music(12, 21), new Payload(CopyControl.COPY_FREE, 131));
    // 2 s of another recording at -55 dBFS: quiet, yet no silence, so it must carry the mark
    Pcm other = TestAudio.music(12, 22);
    short[] quiet = other.samples().clone();
    double gain = 32768 * Math.pow(10, -55 / 20.0) / rms(other);
    for (int i = 0; i < quiet.length; i++) {
      quiet[i] = (short) Math.round(quiet[i] * gain);
    }
    Pcm substituted = TestAudio.splice(marked, new Pcm(44_100, 2, quiet), 6 * 44_100, 8 * 44_100);
    // the same marked recording with 0.3 s cut out at 6 s: each part carries the mark, the second
    // no longer where the first puts it
    short[] cut = marked.samples().clone();
    int at = 6 * 44_100;
    int gap = 13_230;
    System.arraycopy(
        marked.samples(), 2 * (at + gap), cut, 2 * at, 2 * (marked.frames() - at - gap));
    Pcm moved = new Pcm(44_100, 2, cut);
    press("ALBUM-QUIET", unmarked(substituted, "GBSDA2600041"), unmarked(moved, "GBSDA2600042"));
    load(A, "ALBUM-QUIET");
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper ripper = ripper(drive, Ripper.Mode.FULL, null);
      for (int track = 1; track <= 2; track++) {
        int n = track;
        Ripper.RefusedException e =
            assertThrows(
                Ripper.RefusedException.class,
                () -> ripper.rip(List.of(n), work.resolve("full"), Progress.NONE));
        assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), e.getMessage());
      }
    }
  }

  @Test
  void quietPassagesOfAMarkedRecordingRipInEveryMode() throws IOException {
    Path work = fresh("quiet-genuine");
    // music whose second half fades to -40 and then -50 dBFS peak before it is marked, as an
    // authored fade-out or a pianissimo would be
    Pcm music = TestAudio.music(16, 25);
    short[] faded = music.samples().clone();
    double peak = 0;
    for (short v : faded) {
      peak = Math.max(peak, Math.abs(v));
    }
    for (int f = 8 * 44_100; f < music.frames(); f++) {
      double level = f < 12 * 44_100 ? -40 : -50;
      double gain = 32768 * Math.pow(10, level / 20) / peak;
      for (int c = 0; c < 2; c++) {
        faded[2 * f + c] = (short) Math.round(faded[2 * f + c] * gain);
      }
    }
    press(
        "ALBUM-FADE",
        marked(new Pcm(44_100, 2, faded), "GBSDA2600045", CopyControl.COPY_FREE, 145));
    load(A, "ALBUM-FADE");
    for (Ripper.Mode mode : List.of(Ripper.Mode.FULL, Ripper.Mode.TABLE)) {
      List<Ripper.Ripped> r = rip(A, mode, work.resolve("table.json"), work.resolve(mode.name()));
      assertEquals(new Payload(CopyControl.COPY_FREE, 145), r.get(0).payload(), mode.name());
    }
    // sampled, at the default sampling, over seeds whose ranges fall anywhere: a range wholly in
    // the quiet half holds too little mark for the detector, and when every range drawn lies
    // there the ripper searches the rest of the track before it calls the track unmarked
    try (Drive drive = Drive.open(rig.uri(A))) {
      for (long seed = 1; seed <= 8; seed++) {
        Ripper sampled =
            new Ripper(
                drive,
                watermark,
                Ripper.Settings.of(Ripper.Mode.SAMPLED, null),
                new SplittableRandom(seed));
        Ripper.Ripped r =
            sampled.rip(List.of(), work.resolve("SAMPLED-" + seed), Progress.NONE).get(0);
        assertEquals(Ripper.Verification.SAMPLED, r.verification());
        assertEquals(new Payload(CopyControl.COPY_FREE, 145), r.payload());
      }
    }
  }

  static double rms(Pcm pcm) {
    double sum = 0;
    for (short v : pcm.samples()) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum / pcm.samples().length);
  }

  @Test
  void aRefusedRipLeavesNoFileAndAnExistingFileIsReplacedOnlyWhenAllowed() throws IOException {
    Path work = fresh("all-or-nothing");
    press(
        "ALBUM-HALF",
        marked(TestAudio.tones(SECONDS, 23), "GBSDA2600043", CopyControl.COPY_FREE, 143),
        unmarked(TestAudio.music(SECONDS, 24), "GBSDA2600044"));
    load(A, "ALBUM-HALF");
    Path out = work.resolve("out");
    Ripper.RefusedException e = refused(A, Ripper.Mode.FULL, null, out, Ripper.Refusal.UNMARKED);
    assertEquals(2, e.track());
    try (var left = Files.list(out)) {
      assertEquals(List.of(), left.toList(), "track 1 passed, yet nothing of the rip is left");
    }
    // track 1 alone rips; a second rip into the same directory is refused before reading
    rip(A, Ripper.Mode.FULL, null, out, List.of(1));
    byte[] first = Files.readAllBytes(out.resolve("track01.wav"));
    Files.write(out.resolve("track01.wav"), new byte[] {1, 2, 3});
    try (Drive drive = Drive.open(rig.uri(A))) {
      FlowException exists =
          assertThrows(
              FlowException.class,
              () -> ripper(drive, Ripper.Mode.FULL, null).rip(List.of(1), out, Progress.NONE));
      assertTrue(exists.getMessage().contains("track01.wav exists"), exists.getMessage());
      new Ripper(drive, watermark, Ripper.Settings.of(Ripper.Mode.FULL, null).withOverwrite(true))
          .rip(List.of(1), out, Progress.NONE);
    }
    assertArrayEquals(first, Files.readAllBytes(out.resolve("track01.wav")));
  }

  // ------------------------------------------------------------------ refusals by the table

  @Test
  void editedCopiedOrSwappedTableRecordsAreRefusedByTheDrive() throws IOException {
    Path work = fresh("edited");
    press(
        "ALBUM-T1",
        marked(TestAudio.tones(SECONDS, 9), "GBSDA2600051", CopyControl.COPY_FREE, 151),
        marked(TestAudio.noise(SECONDS, 10), "GBSDA2600052", CopyControl.COPY_FREE, 152));
    press(
        "ALBUM-T2",
        marked(TestAudio.music(SECONDS, 11), "GBSDA2600061", CopyControl.COPY_FREE, 161));
    Path table = work.resolve("table.json");
    load(A, "ALBUM-T2");
    rip(A, Ripper.Mode.TABLE, table, work.resolve("t2"));
    load(B, "ALBUM-T1");
    rip(B, Ripper.Mode.TABLE, table, work.resolve("t1-on-b"));
    takeOut(B);
    load(A, "ALBUM-T1");
    rip(A, Ripper.Mode.TABLE, table, work.resolve("t1"));
    ObjectNode good = table(table);
    Path out = work.resolve("refused");

    // a flipped bit in R: the MAC fails (18h)
    ObjectNode t = good.deepCopy();
    ObjectNode e1 = entry(t, "RIP-DRIVE-A", "GBSDA2600051");
    e1.put("record", flip(e1.get("record").asText(), 100));
    write(table, t);
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD),
        Reason.RECORD_ALTERED);
    assertFalse(Files.exists(out.resolve("track01.wav")), "nothing ripped");

    // a flipped bit in the magic: not a record at all
    t = good.deepCopy();
    e1 = entry(t, "RIP-DRIVE-A", "GBSDA2600051");
    e1.put("record", flip(e1.get("record").asText(), 0));
    write(table, t);
    Ripper.RefusedException edited =
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD);
    assertTrue(edited.getMessage().contains("was edited"), edited.getMessage());

    // track 2's record under track 1's ISRC (19h)
    t = good.deepCopy();
    entry(t, "RIP-DRIVE-A", "GBSDA2600051")
        .put("record", entry(t, "RIP-DRIVE-A", "GBSDA2600052").get("record").asText());
    write(table, t);
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD), Reason.OTHER_TRACK);

    // another disc's record under this ISRC (19h)
    t = good.deepCopy();
    entry(t, "RIP-DRIVE-A", "GBSDA2600051")
        .put("record", entry(t, "RIP-DRIVE-A", "GBSDA2600061").get("record").asText());
    write(table, t);
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD), Reason.OTHER_TRACK);

    // drive B's record of this very track, copied under drive A (06h)
    t = good.deepCopy();
    String fromB = entry(t, "RIP-DRIVE-B", "GBSDA2600051").get("record").asText();
    entry(t, "RIP-DRIVE-A", "GBSDA2600051").put("record", fromB);
    write(table, t);
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD), Reason.OTHER_DRIVE);

    // ... with its device ID rewritten to drive A's: the MAC fails (18h)
    TrackRecord b;
    try {
      b = TrackRecord.decode(HexFormat.of().parseHex(fromB));
    } catch (dev.secdrive.protocol.security.ParameterException x) {
      throw new AssertionError(x);
    }
    TrackRecord forged =
        new TrackRecord(
            b.mediumId(),
            "RIP-DRIVE-A",
            b.track(),
            b.isrc(),
            b.startLba(),
            b.sectors(),
            b.random(),
            b.copyControl(),
            b.contentId(),
            b.designated(),
            b.designatedDigest(),
            b.trackDigest(),
            b.mac());
    entry(t, "RIP-DRIVE-A", "GBSDA2600051")
        .put("record", HexFormat.of().formatHex(forged.encode()));
    write(table, t);
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, out, Ripper.Refusal.TABLE_RECORD),
        Reason.RECORD_ALTERED);

    // the good table rips again, without detection
    write(table, good);
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.TABLE, table);
      r.rip(List.of(), work.resolve("again"), Progress.NONE)
          .forEach(x -> assertEquals(Ripper.Verification.TABLE, x.verification()));
      assertEquals(0, r.detections());
    }
  }

  @Test
  void aDifferentRecordingWithTheSameIsrcIsRefused() throws Exception {
    Path work = fresh("same-isrc");
    Path table = work.resolve("table.json");
    press(
        "ALBUM-REAL",
        marked(TestAudio.tones(SECONDS, 12), "GBSDA2600071", CopyControl.COPY_FREE, 171));
    load(A, "ALBUM-REAL");
    rip(A, Ripper.Mode.TABLE, table, work.resolve("real"));

    // the same recording on a compilation, as track 2: the record verifies there, no detection
    press(
        "ALBUM-COMPILATION",
        marked(TestAudio.noise(3, 15), "GBSDA2600072", CopyControl.COPY_FREE, 172),
        marked(TestAudio.tones(SECONDS, 12), "GBSDA2600071", CopyControl.COPY_FREE, 171));
    load(A, "ALBUM-COMPILATION");
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.TABLE, table);
      Ripper.Ripped compiled = r.rip(List.of(2), work.resolve("compilation"), Progress.NONE).get(0);
      assertEquals(Ripper.Verification.TABLE, compiled.verification());
      assertEquals(0, r.detections());
      assertArrayEquals(
          bytesOf(work.resolve("real").resolve("track01.wav")), bytesOf(compiled.wav()));
    }

    // the same recording pressed with another second of pregap audio in the track: the record
    // is not of this length (19h), so the track is detected and registered for this pressing
    Pcm tones = TestAudio.tones(SECONDS, 12);
    short[] longer = new short[tones.samples().length + 2 * 44_100];
    System.arraycopy(tones.samples(), 0, longer, 2 * 44_100, tones.samples().length);
    press(
        "ALBUM-REPRESSED",
        marked(new Pcm(44_100, 2, longer), "GBSDA2600071", CopyControl.COPY_FREE, 171));
    load(A, "ALBUM-REPRESSED");
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.TABLE, table);
      Ripper.Ripped repressed = r.rip(List.of(), work.resolve("repressed"), Progress.NONE).get(0);
      assertEquals(Ripper.Verification.REGISTERED, repressed.verification());
      assertTrue(r.detections() > 0);
    }
    assertEquals(
        "ALBUM-REPRESSED",
        TrackRecord.decode(RipTable.load(table).entries().get(0).record()).mediumId());
    // ... and the album's own disc, its record replaced, is detected and registered again
    load(A, "ALBUM-REAL");
    assertEquals(
        Ripper.Verification.REGISTERED,
        rip(A, Ripper.Mode.TABLE, table, work.resolve("real-again")).get(0).verification());

    // another disc, another recording, marked, with the same ISRC and length: the drive compares
    // the designated sectors (1Ah)
    press(
        "ALBUM-COVER",
        marked(TestAudio.music(SECONDS, 13), "GBSDA2600071", CopyControl.COPY_FREE, 171));
    load(A, "ALBUM-COVER");
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, work.resolve("cover"), Ripper.Refusal.TABLE_RECORD),
        Reason.CONTENT_DIFFERS);

    // the same medium ID pressed with another recording (a person with file access replaces the
    // disc's image): the designated sectors differ (1Ah)
    takeOut(A);
    Path image = rig.media.resolve("ALBUM-REAL").resolve("user.img");
    byte[] original = Files.readAllBytes(image);
    byte[] other = TestAudio.music(SECONDS, 14).toLittleEndian();
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.write(other);
    }
    load(A, "ALBUM-REAL");
    assertDriveReason(
        refused(A, Ripper.Mode.TABLE, table, work.resolve("swapped"), Ripper.Refusal.TABLE_RECORD),
        Reason.CONTENT_DIFFERS);

    // one sector changed outside the sectors the drive designated: the drive's VERIFY TRACK
    // passes and the ripper's digest of the whole track refuses it
    takeOut(A);
    TrackRecord record;
    try {
      record = TrackRecord.decode(RipTable.load(table).entries().get(0).record());
    } catch (dev.secdrive.protocol.security.ParameterException x) {
      throw new AssertionError(x);
    }
    long outside = 0;
    while (record.designated().contains(outside)) {
      outside++;
    }
    original[(int) (outside * 2352) + 100] ^= 0x10;
    Files.write(image, original);
    load(A, "ALBUM-REAL");
    Ripper.RefusedException e =
        refused(A, Ripper.Mode.TABLE, table, work.resolve("edited"), Ripper.Refusal.TABLE_RECORD);
    assertEquals(Optional.empty(), e.driveReason(), e.getMessage());
    assertTrue(e.getMessage().contains("outside the sectors the drive checked"), e.getMessage());
  }

  // ------------------------------------------------------------------ media that are not audio

  @Test
  void aMediumThatIsNotAudioIsRefused() throws IOException {
    Path work = fresh("not-audio");
    Rig.createMedium(rig.store, "MO-RIP", "mo-640", null);
    load(MO, "MO-RIP");
    for (Ripper.Mode mode : Ripper.Mode.values()) {
      Ripper.RefusedException e =
          refused(MO, mode, work.resolve("t.json"), work.resolve("out"), Ripper.Refusal.NOT_AUDIO);
      assertTrue(e.getMessage().contains("not an audio CD"), e.getMessage());
    }
    try (Drive drive = Drive.open(rig.uri(MO))) {
      ScsiException e =
          assertThrows(
              ScsiException.class,
              () -> drive.secure().registerTrack(new RegisterTrack(1, 4, 0, 1)));
      assertEquals(Optional.of(Reason.NOT_AUDIO), e.reason());
      assertTrue(e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INCOMPATIBLE_MEDIUM_INSTALLED));
    }
  }

  @Test
  void theDrivesOperationsRefuseWhatTheyCannotDo() throws IOException {
    press(
        "ALBUM-OPS",
        marked(TestAudio.tones(SECONDS, 15), "GBSDA2600081", CopyControl.COPY_FREE, 181));
    load(A, "ALBUM-OPS");
    try (Drive drive = Drive.open(rig.uri(A))) {
      drive.testUnitReady();
    } catch (ScsiException ignored) {
      // the medium change
    }
    try (Drive drive = Drive.open(rig.uri(A))) {
      ScsiException none = assertThrows(ScsiException.class, () -> drive.secure().trackRecord());
      assertEquals(Optional.of(Reason.NO_TRACK_RECORD), none.reason());
      ScsiException noTrack =
          assertThrows(
              ScsiException.class,
              () -> drive.secure().registerTrack(new RegisterTrack(2, 4, 0, 1)));
      assertTrue(
          noTrack.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST));
      drive.secure().registerTrack(new RegisterTrack(1, 8, TrackRecord.COPY_ONCE, 181));
      TrackRecord record = TrackRecord.decode(drive.secure().trackRecord());
      assertEquals("ALBUM-OPS", record.mediumId());
      assertEquals("RIP-DRIVE-A", record.deviceId());
      assertEquals(Optional.of("GBSDA2600081"), record.isrc());
      assertEquals(8, record.designated().size());
      assertEquals(record.designatedAgain(), record.designated());
      drive.secure().verifyTrack(1, record);
      ScsiException otherTrack =
          assertThrows(ScsiException.class, () -> drive.secure().verifyTrack(2, record));
      assertEquals(Optional.of(Reason.OTHER_TRACK), otherTrack.reason());
      // a second registration draws another R
      drive.secure().registerTrack(new RegisterTrack(1, 8, TrackRecord.COPY_ONCE, 181));
      TrackRecord second = TrackRecord.decode(drive.secure().trackRecord());
      assertFalse(java.util.Arrays.equals(record.random(), second.random()));
    } catch (dev.secdrive.protocol.security.ParameterException e) {
      throw new AssertionError(e);
    }
  }
}
