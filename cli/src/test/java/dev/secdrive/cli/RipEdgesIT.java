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
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.RipTable;
import dev.secdrive.host.flow.Ripper;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Coverage;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.kit.watermark.WatermarkKey;
import dev.secdrive.protocol.rip.TrackRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on watermark-verified ripping (seed 004) by the host user that the ripper and the drive
 * hold against: discs pressed with chosen audio, ISRCs and layouts, an edited table, and odd output
 * directories, each over TCP against an emulator on 127.0.0.1:0.
 */
class RipEdgesIT {

  static final int A = 0;
  static final int RATE = 44_100;

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
            List.of(new DriveConfig(A, "cdda", "ATTACK-DRIVE-A", null)));
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

  static CdAuthor.TrackSpec asIs(Pcm audio, String isrc) {
    return new CdAuthor.TrackSpec(audio, Optional.ofNullable(isrc), Optional.empty());
  }

  static void press(String id, CdAuthor.TrackSpec... tracks) {
    CdAuthor.press(rig.media, id, "attack " + id, Optional.empty(), watermark, List.of(tracks));
  }

  static void load(String id) {
    if (rig.emulator.drive(A).medium() != null) {
      rig.emulator.remove(A, true);
    }
    rig.emulator.insert(A, id);
  }

  static Ripper ripper(Drive drive, Ripper.Mode mode, Path table) {
    return new Ripper(drive, watermark, Ripper.Settings.of(mode, table));
  }

  static List<Ripper.Ripped> rip(Ripper.Mode mode, Path table, Path out, List<Integer> tracks) {
    try (Drive drive = Drive.open(rig.uri(A))) {
      return ripper(drive, mode, table).rip(tracks, out, Progress.NONE);
    }
  }

  /** The rip's refusal, or an assertion error saying the attack went through. */
  static Ripper.RefusedException refused(
      Ripper.Mode mode, Path table, Path out, List<Integer> tracks) {
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, mode, table);
      return assertThrows(
          Ripper.RefusedException.class,
          () -> r.rip(tracks, out, Progress.NONE),
          "the attack went through: " + mode + " ripped tracks " + tracks);
    }
  }

  static Path fresh(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  /** {@code base} with frames [from, to) replaced by the same frames of {@code other}. */
  static Pcm splice(Pcm base, Pcm other, int from, int to) {
    return TestAudio.splice(base, other, from, to);
  }

  /** Sines of {@code hz} at {@code amplitude} each, {@code seconds} long, stereo. */
  static Pcm sines(double seconds, double amplitude, double... hz) {
    int frames = (int) Math.round(seconds * RATE);
    short[] s = new short[2 * frames];
    for (int i = 0; i < frames; i++) {
      double v = 0;
      for (int k = 0; k < hz.length; k++) {
        v += amplitude * Math.sin(2 * Math.PI * hz[k] * i / RATE + k);
      }
      short x = (short) Math.max(-32768, Math.min(32767, Math.round(v)));
      s[2 * i] = x;
      s[2 * i + 1] = x;
    }
    return new Pcm(RATE, 2, s);
  }

  static double peakDbfs(Pcm pcm, int from, int to) {
    int peak = 0;
    for (int i = 2 * from; i < 2 * to; i++) {
      peak = Math.max(peak, Math.abs(pcm.samples()[i]));
    }
    return 20 * Math.log10(peak / 32768.0);
  }

  static TrackRecord record(Path table, String isrc) throws Exception {
    ObjectNode t = (ObjectNode) JSON.readTree(table.toFile());
    for (var e : t.get("entries")) {
      if (e.path("isrc").asText().equals(isrc)) {
        return TrackRecord.decode(HexFormat.of().parseHex(e.get("record").asText()));
      }
    }
    throw new AssertionError("no entry for " + isrc + " in " + t);
  }

  // ------------------------------------------------------------------ substitutions

  /** {@code pcm} without its components from {@code lowHz} to {@code highHz}, peak at -1 dBFS. */
  static Pcm bandStop(Pcm pcm, double lowHz, double highHz) {
    int n = pcm.frames();
    double[][] ch = new double[2][n];
    org.jtransforms.fft.DoubleFFT_1D fft = new org.jtransforms.fft.DoubleFFT_1D(n);
    double peak = 0;
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < n; i++) {
        ch[c][i] = pcm.samples()[2 * i + c];
      }
      fft.realForward(ch[c]);
      for (int k = 1; k < n / 2; k++) {
        double hz = k * (double) RATE / n;
        if (hz >= lowHz && hz <= highHz) {
          ch[c][2 * k] = 0;
          ch[c][2 * k + 1] = 0;
        }
      }
      fft.realInverse(ch[c], true);
      for (double v : ch[c]) {
        peak = Math.max(peak, Math.abs(v));
      }
    }
    double gain = 32767 * Math.pow(10, -1 / 20.0) / peak;
    short[] s = new short[2 * n];
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < n; i++) {
        s[2 * i + c] = (short) Math.round(ch[c][i] * gain);
      }
    }
    return new Pcm(RATE, 2, s);
  }

  static Pcm mix(Pcm a, Pcm b) {
    short[] s = new short[a.samples().length];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) Math.max(-32768, Math.min(32767, a.samples()[i] + b.samples()[i]));
    }
    return new Pcm(RATE, 2, s);
  }

  /**
   * 4 s in the middle of a marked 12 s track replaced by loud audio that lies only outside the
   * marked band (bins 16-271 of a 1,024-point frame: about 690 Hz to 11.7 kHz): a bass line at 55,
   * 82 and 110 Hz and a treble at 12.5-16 kHz, peaking near -3 dBFS. It is not near-silence, and
   * carries no mark; a ripper that holds refuses it as substituted.
   */
  @Test
  void loudAudioOutsideTheMarkedBandIsNotExemptAsSilence() throws IOException {
    Path work = fresh("out-of-band");
    Pcm marked = watermark.embed(TestAudio.music(12, 31), new Payload(CopyControl.COPY_FREE, 301));
    Pcm bassAndTreble =
        mix(sines(12, 5000, 55, 82.5, 110), sines(12, 2500, 12_500, 13_700, 14_900, 16_000));
    Pcm substituted = splice(marked, bassAndTreble, 4 * RATE, 8 * RATE);
    double peak = peakDbfs(substituted, 4 * RATE, 8 * RATE);
    assertTrue(peak > -6, "the substitution is loud: " + peak + " dBFS");
    Coverage c = watermark.verify(substituted, new Payload(CopyControl.COPY_FREE, 301), 0);
    System.err.println(
        "out-of-band substitution: unmarked "
            + c.segments().stream().filter(s -> s.state() == Coverage.State.UNMARKED).count()
            + ", silent "
            + c.segments().stream().filter(s -> s.state() == Coverage.State.SILENT).count()
            + " of "
            + c.segments().size()
            + " segments, peak "
            + peak
            + " dBFS");
    press("ATTACK-BAND", asIs(substituted, "GBSDA2613001"));
    load("ATTACK-BAND");
    Ripper.RefusedException e = refused(Ripper.Mode.FULL, null, work.resolve("full"), List.of());
    assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), e.getMessage());
    assertFalse(Files.exists(work.resolve("full").resolve("track01.wav")));
  }

  /**
   * 4 s in the middle of a marked 12 s track replaced by another recording in the left channel
   * alone, the right one digital silence: a frame's channel loud enough for a fill makes every pair
   * count, whatever the other channel holds, so the stretch is not SILENT and is refused.
   */
  @Test
  void aSubstitutionInOneChannelOnlyIsNotExemptAsSilence() throws IOException {
    Path work = fresh("one-channel");
    Pcm marked = watermark.embed(TestAudio.music(12, 33), new Payload(CopyControl.COPY_FREE, 303));
    short[] left = TestAudio.music(12, 34).samples().clone();
    for (int i = 1; i < left.length; i += 2) {
      left[i] = 0;
    }
    Pcm substituted = splice(marked, new Pcm(RATE, 2, left), 4 * RATE, 8 * RATE);
    Coverage c = watermark.verify(substituted, new Payload(CopyControl.COPY_FREE, 303), 0);
    assertTrue(
        c.segments().stream()
            .filter(s -> s.startFrame() >= 4 * RATE && s.endFrame() <= 8 * RATE)
            .allMatch(s -> s.state() == Coverage.State.UNMARKED),
        "the one-channel stretch is UNMARKED where it lies");
    press("EDGE-ONECHANNEL", asIs(substituted, "GBSDA2613007"));
    load("EDGE-ONECHANNEL");
    Ripper.RefusedException e = refused(Ripper.Mode.FULL, null, work.resolve("full"), List.of());
    assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), e.getMessage());
    assertFalse(Files.exists(work.resolve("full").resolve("track01.wav")));
  }

  /**
   * A 30 s track whose first 5 s are marked and whose other 25 s are another, unmarked recording
   * with every component between 500 Hz and 12.5 kHz removed (a brick wall), brought to -1 dBFS:
   * the bass and the treble of a song, loud throughout. A ripper that holds refuses it.
   */
  @Test
  void aTrackMostlyOfAnotherRecordingsBassAndTrebleIsRefused() throws IOException {
    Path work = fresh("band-stop");
    Pcm marked = watermark.embed(TestAudio.music(30, 45), new Payload(CopyControl.COPY_FREE, 305));
    Pcm other = bandStop(TestAudio.music(30, 46), 500, 12_500);
    Pcm track = splice(marked, other, 5 * RATE, 30 * RATE);
    System.err.println(
        "band-stopped other recording: peak " + peakDbfs(track, 5 * RATE, 30 * RATE) + " dBFS");
    press("ATTACK-BANDSTOP", asIs(track, "GBSDA2613006"));
    load("ATTACK-BANDSTOP");
    Ripper.RefusedException e = refused(Ripper.Mode.FULL, null, work.resolve("full"), List.of());
    assertTrue(
        e.refusal() == Ripper.Refusal.SUBSTITUTED || e.refusal() == Ripper.Refusal.UNMARKED,
        e.getMessage());
  }

  /**
   * A track whose first chunk holds no mark (9 s of silence) is verified from a second read of it
   * once the mark is found later; if the disc reads otherwise the second time (its image rewritten
   * during the rip), the rip is refused rather than verify one read and publish the other.
   */
  @Test
  void aDiscThatReadsOtherwiseTheSecondTimeIsRefused() throws IOException {
    Path work = fresh("reread");
    Pcm music = watermark.embed(TestAudio.music(12, 41), new Payload(CopyControl.COPY_FREE, 341));
    short[] s = new short[2 * (9 * RATE) + music.samples().length];
    System.arraycopy(music.samples(), 0, s, 2 * 9 * RATE, music.samples().length);
    press("ATTACK-REREAD", asIs(new Pcm(RATE, 2, s), "GBSDA2613041"));
    load("ATTACK-REREAD");
    Path image = rig.media.resolve("ATTACK-REREAD").resolve("user.img");
    AtomicBoolean rewritten = new AtomicBoolean();
    Progress rewrite =
        (done, total) -> {
          if (done > 700L * 2352 && !rewritten.getAndSet(true)) {
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
              f.seek(100L * 2352);
              f.write(TestAudio.noise(1, 42).toLittleEndian());
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.FULL, null);
      Ripper.RefusedException e =
          assertThrows(
              Ripper.RefusedException.class, () -> r.rip(List.of(), work.resolve("out"), rewrite));
      assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), e.getMessage());
      assertTrue(e.getMessage().contains("reads otherwise the second time"), e.getMessage());
    }
    assertTrue(rewritten.get());
  }

  /**
   * A 16 s recording marked copy free for its first 8 s and no more copies for the rest (the same
   * recording marked twice, so the alignment agrees): a ripper that holds rips none of it.
   */
  @Test
  void noMoreCopiesInTheSecondHalfOfACopyFreeTrackIsRefused() throws IOException {
    Path work = fresh("nmc-later");
    Pcm original = TestAudio.music(16, 32);
    Pcm free = watermark.embed(original, new Payload(CopyControl.COPY_FREE, 302));
    Pcm forbidden = watermark.embed(original, new Payload(CopyControl.NO_MORE_COPIES, 302));
    Pcm track = splice(free, forbidden, 8 * RATE, 16 * RATE);
    press("ATTACK-NMC", asIs(track, "GBSDA2613002"));
    load("ATTACK-NMC");
    for (Ripper.Mode mode : List.of(Ripper.Mode.FULL, Ripper.Mode.TABLE)) {
      Ripper.RefusedException e =
          refused(mode, work.resolve("t.json"), work.resolve(mode.name()), List.of());
      System.err.println("no more copies later, " + mode + ": " + e.getMessage());
      assertEquals(Ripper.Refusal.NO_COPY, e.refusal(), e.getMessage());
      assertTrue(e.getMessage().contains("is marked no more copies around"), e.getMessage());
    }
    assertTrue(RipTable.load(work.resolve("t.json")).entries().isEmpty());
  }

  /**
   * 1.4 s splices of unmarked noise at the track's very start, across the first chunk seam (sector
   * 600, 8.0 s) and at its very end: each holds a whole 1.3 s segment.
   */
  @Test
  void splicesAtTheStartTheChunkSeamAndTheEndAreCaught() throws IOException {
    Path work = fresh("edges");
    Pcm marked = watermark.embed(TestAudio.music(14, 33), new Payload(CopyControl.COPY_FREE, 303));
    Pcm other = TestAudio.noise(14, 34);
    int len = (int) (1.4 * RATE);
    int seam = 600 * Pcm.CD_FRAMES_PER_SECTOR;
    Pcm atStart = splice(marked, other, 0, len);
    Pcm atSeam = splice(marked, other, seam - len / 2, seam + len / 2);
    Pcm atEnd = splice(marked, other, marked.frames() - len, marked.frames());
    press(
        "ATTACK-EDGES",
        asIs(atStart, "GBSDA2613003"),
        asIs(atSeam, "GBSDA2613004"),
        asIs(atEnd, "GBSDA2613005"));
    load("ATTACK-EDGES");
    for (int track = 1; track <= 3; track++) {
      Ripper.RefusedException e =
          refused(Ripper.Mode.FULL, null, work.resolve("full" + track), List.of(track));
      assertEquals(Ripper.Refusal.SUBSTITUTED, e.refusal(), "track " + track + ": " + e);
    }
  }

  /** --out where no directory can be made, or cannot be written: a clear error, nothing left. */
  @Test
  void anOutputThatCannotBeWrittenIsAClearErrorBeforeReading() throws IOException {
    Path work = fresh("unwritable");
    pressTwoMarked("ATTACK-UNWRITABLE", 380);
    load("ATTACK-UNWRITABLE");
    Path file = Files.writeString(work.resolve("a-file"), "x");
    Path locked = Files.createDirectories(work.resolve("locked"));
    locked.toFile().setWritable(false, false);
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.FULL, null);
      List<Path> outs = new java.util.ArrayList<>(List.of(file));
      if (Files.isWritable(locked)) {
        System.err.println("RipEdgesIT: running as root, a read-only directory is writable");
      } else {
        outs.add(locked);
      }
      for (Path out : outs) {
        RuntimeException e =
            assertThrows(RuntimeException.class, () -> r.rip(List.of(), out, Progress.NONE));
        System.err.println("unwritable " + out.getFileName() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        assertEquals(0, r.detections(), "the rip read the disc before finding it cannot write");
      }
    } finally {
      locked.toFile().setWritable(true, false);
    }
  }

  // ------------------------------------------------------------------ the table

  /**
   * The record is plaintext in the table: R and the designated LBAs are known. A disc pressed with
   * the registered ISRC and length, the designated sectors copied from the genuine track and every
   * other sector unmarked audio, verifies at the drive; the ripper's whole-track digest must still
   * refuse it, and no WAV may be published.
   */
  @Test
  void aDiscKeepingOnlyTheDesignatedSectorsIsRefusedByTheTrackDigest() throws Exception {
    Path work = fresh("designated");
    Path table = work.resolve("table.json");
    String isrc = "GBSDA2613010";
    Pcm genuine = TestAudio.music(10, 35);
    press("ATTACK-REAL", marked(genuine, isrc, CopyControl.COPY_FREE, 310));
    load("ATTACK-REAL");
    List<Ripper.Ripped> first = rip(Ripper.Mode.TABLE, table, work.resolve("real"), List.of());
    assertEquals(Ripper.Verification.REGISTERED, first.get(0).verification());
    TrackRecord record = record(table, isrc);

    byte[] real = Wav_bytes(work.resolve("real").resolve("track01.wav"));
    byte[] fake = TestAudio.noise(10, 36).toLittleEndian();
    assertEquals(real.length, fake.length);
    for (long lba : record.designated()) {
      int at = (int) (lba - record.startLba()) * Pcm.CD_SECTOR_BYTES;
      System.arraycopy(real, at, fake, at, Pcm.CD_SECTOR_BYTES);
    }
    Pcm forged = Pcm.fromLittleEndian(fake, RATE, 2);
    // another disc, as track 2 behind a filler: the ISRC rule lets the record verify there
    press("ATTACK-FORGED", asIs(forged, isrc), asIs(TestAudio.noise(5, 37), "GBSDA2613011"));
    load("ATTACK-FORGED");
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.TABLE, table);
      Ripper.RefusedException e =
          assertThrows(
              Ripper.RefusedException.class,
              () -> r.rip(List.of(1), work.resolve("forged"), Progress.NONE));
      assertEquals(Ripper.Refusal.TABLE_RECORD, e.refusal(), e.getMessage());
      assertTrue(e.getMessage().contains("outside the sectors the drive checked"), e.getMessage());
      assertEquals(0, r.detections(), "the drive accepted the record: no detection ran");
    }
    assertFalse(Files.exists(work.resolve("forged").resolve("track01.wav")));
  }

  private static byte[] Wav_bytes(Path wav) throws IOException {
    return dev.secdrive.kit.audio.Wav.read(wav).toLittleEndian();
  }

  /**
   * "Another pressing" (19h for a record of this ISRC at another length) falls back to detection:
   * an unmarked disc under a registered ISRC, one sector longer, is detected and refused, and its
   * failed rip leaves the genuine entry in place.
   */
  @Test
  void anotherPressingUnderARegisteredIsrcIsDetectedNotWavedThrough() throws Exception {
    Path work = fresh("pressing");
    Path table = work.resolve("table.json");
    String isrc = "GBSDA2613020";
    press("ATTACK-P1", marked(TestAudio.music(8, 38), isrc, CopyControl.COPY_FREE, 320));
    load("ATTACK-P1");
    rip(Ripper.Mode.TABLE, table, work.resolve("p1"), List.of());
    byte[] before = record(table, isrc).encode();
    int frames = 8 * RATE + Pcm.CD_FRAMES_PER_SECTOR;
    press("ATTACK-P2", asIs(TestAudio.music(frames / (double) RATE, 39), isrc));
    load("ATTACK-P2");
    Ripper.RefusedException e = refused(Ripper.Mode.TABLE, table, work.resolve("p2"), List.of());
    assertEquals(Ripper.Refusal.UNMARKED, e.refusal(), e.getMessage());
    assertArrayEquals(before, record(table, isrc).encode());
  }

  /**
   * Two tracks of a pressed disc under one ISRC, the first marked, the second unmarked of the same
   * length: the first's record must not let the second rip without detection.
   */
  @Test
  void twoTracksUnderOneIsrcDoNotShareARecord() throws Exception {
    Path work = fresh("twins");
    Path table = work.resolve("table.json");
    String isrc = "GBSDA2613030";
    press(
        "ATTACK-TWINS",
        marked(TestAudio.music(8, 40), isrc, CopyControl.COPY_FREE, 330),
        asIs(TestAudio.music(8, 41), isrc));
    load("ATTACK-TWINS");
    rip(Ripper.Mode.TABLE, table, work.resolve("one"), List.of(1));
    Ripper.RefusedException e = refused(Ripper.Mode.TABLE, table, work.resolve("two"), List.of(2));
    assertTrue(
        e.refusal() == Ripper.Refusal.TABLE_RECORD || e.refusal() == Ripper.Refusal.UNMARKED,
        e.getMessage());
    assertFalse(Files.exists(work.resolve("two").resolve("track02.wav")));
  }

  // ------------------------------------------------------------------ output files

  static void pressTwoMarked(String id, long content) {
    press(
        id,
        marked(TestAudio.tones(6, content), null, CopyControl.COPY_FREE, content),
        marked(TestAudio.noise(6, content + 1), null, CopyControl.COPY_FREE, content + 1));
  }

  /**
   * A rip whose second move fails (track02.wav is a directory holding a file, with --force) must
   * leave the earlier track01.wav as it was: all of the rip or none of it.
   */
  @Test
  void aRipThatFailsWhilePublishingLeavesTheEarlierFilesAsTheyWere() throws IOException {
    Path work = fresh("publish");
    pressTwoMarked("ATTACK-PUB", 340);
    load("ATTACK-PUB");
    Path out = work.resolve("out");
    Files.createDirectories(out.resolve("track02.wav"));
    Files.writeString(out.resolve("track02.wav").resolve("keep"), "mine");
    Files.writeString(out.resolve("track01.wav"), "an earlier rip");
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r =
          new Ripper(
              drive, watermark, Ripper.Settings.of(Ripper.Mode.FULL, null).withOverwrite(true));
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> r.rip(List.of(), out, Progress.NONE));
      System.err.println("publish failure: " + e);
    }
    assertEquals(
        "an earlier rip",
        Files.readString(out.resolve("track01.wav"), java.nio.charset.StandardCharsets.ISO_8859_1)
            .substring(0, Math.min(14, (int) Files.size(out.resolve("track01.wav")))),
        "the failed rip replaced track01.wav although it did not finish");
  }

  /**
   * Without --force, a file that appears at a target while the rip runs (another rip into the same
   * directory, another program) must not be replaced silently.
   */
  @Test
  void aFileThatAppearsDuringTheRipIsNotReplacedWithoutForce() throws IOException {
    Path work = fresh("appears");
    pressTwoMarked("ATTACK-RACE", 350);
    load("ATTACK-RACE");
    Path out = Files.createDirectories(work.resolve("out"));
    AtomicBoolean written = new AtomicBoolean();
    Progress other =
        (done, total) -> {
          if (!written.getAndSet(true)) {
            try {
              Files.writeString(out.resolve("track02.wav"), "another rip's file");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.FULL, null);
      try {
        r.rip(List.of(), out, other);
      } catch (RuntimeException refused) {
        System.err.println("appeared: " + refused.getMessage());
      }
    }
    assertEquals(
        "another rip's file",
        Files.readString(out.resolve("track02.wav"), java.nio.charset.StandardCharsets.ISO_8859_1)
            .substring(0, Math.min(18, (int) Files.size(out.resolve("track02.wav")))),
        "a file written during the rip was replaced without --force");
  }

  /**
   * A symbolic link at a target, dangling or to a file elsewhere: without --force the rip refuses
   * rather than replace it, and it never writes through the link.
   */
  @Test
  void aSymlinkAtATargetIsNeitherReplacedWithoutForceNorWrittenThrough() throws IOException {
    Path work = fresh("links");
    pressTwoMarked("ATTACK-LINK", 360);
    load("ATTACK-LINK");
    Path out = Files.createDirectories(work.resolve("out"));
    Path elsewhere = work.resolve("elsewhere.txt");
    Files.createSymbolicLink(out.resolve("track01.wav"), elsewhere); // dangling
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r = ripper(drive, Ripper.Mode.FULL, null);
      try {
        r.rip(List.of(1), out, Progress.NONE);
      } catch (RuntimeException refused) {
        System.err.println("dangling link: " + refused.getMessage());
      }
    }
    assertFalse(Files.exists(elsewhere), "the rip wrote through the link");
    assertTrue(
        Files.isSymbolicLink(out.resolve("track01.wav")),
        "a dangling link at track01.wav was replaced without --force");
  }

  /**
   * With --force, a symbolic link at a target is replaced by the WAV, never written through: the
   * file it pointed to keeps its bytes.
   */
  @Test
  void withForceALinkAtATargetIsReplacedNotWrittenThrough() throws IOException {
    Path work = fresh("links-force");
    pressTwoMarked("ATTACK-LINKF", 390);
    load("ATTACK-LINKF");
    Path out = Files.createDirectories(work.resolve("out"));
    Path victim = Files.writeString(work.resolve("victim.txt"), "not a wav");
    Files.createSymbolicLink(out.resolve("track01.wav"), victim);
    try (Drive drive = Drive.open(rig.uri(A))) {
      Ripper r =
          new Ripper(
              drive, watermark, Ripper.Settings.of(Ripper.Mode.FULL, null).withOverwrite(true));
      r.rip(List.of(1), out, Progress.NONE);
    }
    assertEquals("not a wav", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(out.resolve("track01.wav")));
  }
}
