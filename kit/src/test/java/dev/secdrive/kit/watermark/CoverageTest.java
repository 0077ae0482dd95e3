package dev.secdrive.kit.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Localized verification: {@link Watermark#verify} and {@link Coverage}. */
class CoverageTest {

  private static final WatermarkKey KEY = WatermarkKey.of(bytes(0x11));
  private static final Watermark WATERMARK = new Watermark(KEY);
  private static final Payload PAYLOAD = new Payload(CopyControl.NO_MORE_COPIES, 0x5EC0_D41F_E013L);
  private static final int RATE = Pcm.CD_SAMPLE_RATE;

  private static final ExternalTool LAME =
      ExternalTool.onPath("lame").describedAs("the LAME MP3 encoder", "apt-get install lame");
  private static final ExternalTool SOX =
      ExternalTool.onPath("sox").describedAs("SoX", "apt-get install sox");

  @Test
  void aMarkedTrackIsCompleteCleanAfterMp3AndAfterResampling() throws IOException {
    Path lame = LAME.find().orElse(null);
    Path sox = SOX.find().orElse(null);
    assumeTrue(lame != null, LAME.missingMessage() + "; verification after MP3 not tested");
    assumeTrue(sox != null, SOX.missingMessage() + "; verification after resampling not tested");
    for (String name : Signals.NAMES) {
      Pcm marked = WATERMARK.embed(Signals.named(name, 12, 60), PAYLOAD);
      for (Pcm version :
          List.of(
              marked, RoundTrip.mp3(lame, marked, 128), RoundTrip.resample(sox, marked, 48_000))) {
        Coverage coverage = WATERMARK.verify(version, PAYLOAD, 0);
        assertTrue(coverage.complete(), name + ": " + coverage.firstUnmarked());
        assertTrue(
            coverage.segments().stream().anyMatch(s -> s.state() == Coverage.State.MARKED), name);
        assertTrue(coverage.frames() >= marked.frames() - 2 * Watermark.FRAME_SIZE, name);
      }
    }
  }

  @Test
  void aSplicedStretchOfOneAndAHalfSecondsIsUnmarkedWhereItIs() {
    for (int seed = 0; seed < 10; seed++) {
      assertSpliceCaught(seed, false);
    }
  }

  @Test
  void aSplicedStretchIsCaughtAfterAnMp3RoundTrip() {
    assumeTrue(LAME.find().isPresent(), LAME.missingMessage() + "; splices after MP3 not tested");
    for (int seed = 0; seed < 10; seed++) {
      assertSpliceCaught(seed, true);
    }
  }

  @Test
  void theSameRecordingFromAnotherPositionIsUnmarked() {
    Pcm marked = WATERMARK.embed(Signals.music(12, 70), PAYLOAD);
    int at = 5 * RATE;
    int length = 3 * RATE / 2;
    int from = at + 2 * RATE + 1234; // 2.03 s later: another place in the block
    short[] samples = marked.samples().clone();
    System.arraycopy(marked.samples(), 2 * from, samples, 2 * at, 2 * length);
    Coverage coverage = WATERMARK.verify(new Pcm(RATE, 2, samples), PAYLOAD, 0);
    assertUnmarkedOnlyAround(coverage, at, length);
  }

  @Test
  void anotherPayloadIsUnmarkedEverywhere() {
    Payload other = new Payload(CopyControl.COPY_FREE, 0x123456789AL);
    for (String name : List.of("tones", "music")) {
      Pcm marked = WATERMARK.embed(Signals.named(name, 12, 80), PAYLOAD);
      Coverage coverage = WATERMARK.verify(marked, other, 0);
      for (Coverage.Segment s : coverage.segments()) {
        assertTrue(s.state() != Coverage.State.MARKED, name + " " + s);
      }
      assertFalse(coverage.complete(), name);
    }
  }

  @Test
  void silenceAndNearSilenceAreSilent() {
    Pcm silence = Pcm.silence(RATE, 2, 5 * RATE);
    SplittableRandom random = new SplittableRandom(3);
    short[] hiss = new short[2 * 5 * RATE];
    for (int i = 0; i < hiss.length; i++) {
      hiss[i] = (short) random.nextInt(-1, 2); // the last bit toggling: -96 dBFS
    }
    for (Pcm quiet : List.of(silence, new Pcm(RATE, 2, hiss))) {
      Pcm marked = WATERMARK.embed(quiet, PAYLOAD);
      Coverage coverage = WATERMARK.verify(marked, PAYLOAD, 0);
      assertTrue(coverage.complete());
      assertTrue(coverage.segments().stream().allMatch(s -> s.state() == Coverage.State.SILENT));
      assertEquals(coverage.frames(), coverage.silentFrames());
    }
  }

  @Test
  void quietAudibleAudioIsMarkedNotSilent() {
    // white noise peaking at -55 dBFS (about -67 dBFS RMS)
    Pcm quiet = WatermarkReport.scaleToPeak(Signals.noise(8, 90), -55);
    Coverage coverage = WATERMARK.verify(WATERMARK.embed(quiet, PAYLOAD), PAYLOAD, 0);
    assertTrue(coverage.segments().stream().allMatch(s -> s.state() == Coverage.State.MARKED));
    assertEquals(0, coverage.silentFrames());
    Coverage unmarked = WATERMARK.verify(quiet, PAYLOAD, 0);
    assertTrue(unmarked.segments().stream().allMatch(s -> s.state() == Coverage.State.UNMARKED));
  }

  @Test
  void loudAudioOutsideTheBandOrInOneChannelIsMarkedOrUnmarkedNeverSilent() {
    // a bass line at 55-110 Hz and a treble at 12.5-16 kHz: nothing in 689 Hz-11.7 kHz, yet a
    // frame's whole-band energy carries a fill there; the same in the left channel alone, and
    // music in the left channel alone
    Pcm bass = sines(8, 5000, 55, 82.5, 110);
    Pcm treble = sines(8, 2500, 12_500, 13_700, 14_900, 16_000);
    short[] mixed = new short[bass.samples().length];
    for (int i = 0; i < mixed.length; i++) {
      mixed[i] = (short) (bass.samples()[i] + treble.samples()[i]);
    }
    Pcm outOfBand = new Pcm(RATE, 2, mixed);
    for (Pcm audio : List.of(outOfBand, leftOnly(outOfBand), leftOnly(Signals.music(8, 98)))) {
      Coverage marked = WATERMARK.verify(WATERMARK.embed(audio, PAYLOAD), PAYLOAD, 0);
      Coverage unmarked = WATERMARK.verify(audio, PAYLOAD, 0);
      assertTrue(marked.complete(), marked.firstUnmarked().toString());
      assertTrue(marked.silentFrames() < marked.frames() / 4, "marked audio mostly SILENT");
      for (Coverage.Segment s : unmarked.segments()) {
        assertTrue(s.state() != Coverage.State.MARKED, "unmarked audio MARKED at " + s);
      }
    }
    for (Pcm audio : List.of(outOfBand, leftOnly(outOfBand))) {
      Coverage unmarked = WATERMARK.verify(audio, PAYLOAD, 0);
      assertTrue(
          unmarked.segments().stream().allMatch(s -> s.state() == Coverage.State.UNMARKED),
          "loud audio outside the band is not SILENT");
    }
  }

  /** Sines of {@code hz} at {@code amplitude} each, both channels alike. */
  private static Pcm sines(double seconds, double amplitude, double... hz) {
    int frames = (int) Math.round(seconds * RATE);
    short[] s = new short[2 * frames];
    for (int i = 0; i < frames; i++) {
      double v = 0;
      for (int k = 0; k < hz.length; k++) {
        v += amplitude * Math.sin(2 * Math.PI * hz[k] * i / RATE + k);
      }
      s[2 * i] = (short) Math.round(v);
      s[2 * i + 1] = s[2 * i];
    }
    return new Pcm(RATE, 2, s);
  }

  /** {@code pcm} with its right channel digital silence. */
  private static Pcm leftOnly(Pcm pcm) {
    short[] s = pcm.samples().clone();
    for (int i = 1; i < s.length; i += 2) {
      s[i] = 0;
    }
    return new Pcm(RATE, 2, s);
  }

  @Test
  void quietMarkedAudioIsMarkedOrSilentAtEveryLevel() {
    // a fade-out or a pianissimo: the mark of quiet tonal audio verifies, or the frames are too
    // quiet to carry one and the segment is SILENT; never UNMARKED
    for (String name : Signals.NAMES) {
      for (double level : new double[] {-30, -40, -45, -50, -55, -70}) {
        Pcm quiet = WatermarkReport.scaleToPeak(Signals.named(name, 8, 95), level);
        Coverage coverage = WATERMARK.verify(WATERMARK.embed(quiet, PAYLOAD), PAYLOAD, 0);
        assertTrue(coverage.complete(), name + " at " + level + ": " + coverage.firstUnmarked());
      }
    }
    for (String name : List.of("tones", "music")) {
      Pcm quiet = WatermarkReport.scaleToPeak(Signals.named(name, 8, 95), -30);
      Coverage coverage = WATERMARK.verify(WATERMARK.embed(quiet, PAYLOAD), PAYLOAD, 0);
      assertTrue(coverage.silentFrames() < coverage.frames() / 4, name + " mostly SILENT at -30");
    }
    Pcm tones = WatermarkReport.scaleToPeak(Signals.tones(8, 95), -45);
    assertTrue(
        WATERMARK.verify(WATERMARK.embed(tones, PAYLOAD), PAYLOAD, 0).segments().stream()
            .allMatch(s -> s.state() == Coverage.State.MARKED),
        "tones at -45 dBFS");
  }

  @Test
  void aQuietTonalSubstitutionIsUnmarkedAboveTheFillBoundarySilentBelow() {
    Pcm marked = WATERMARK.embed(Signals.tones(12, 96), PAYLOAD);
    int at = 4 * RATE;
    int length = 2 * RATE;
    for (double level : new double[] {-30, -40, -45}) {
      Pcm other = WatermarkReport.scaleToPeak(Signals.tones(12, 97), level);
      short[] samples = marked.samples().clone();
      System.arraycopy(other.samples(), 2 * at, samples, 2 * at, 2 * length);
      assertUnmarkedOnlyAround(WATERMARK.verify(new Pcm(RATE, 2, samples), PAYLOAD, 0), at, length);
    }
    // under about -48 dBFS peak the chord's frames cannot carry a fill within the SNR target:
    // embed writes nothing readable there, and verification says so
    Pcm other = WatermarkReport.scaleToPeak(Signals.tones(12, 97), -50);
    short[] samples = marked.samples().clone();
    System.arraycopy(other.samples(), 2 * at, samples, 2 * at, 2 * length);
    Coverage coverage = WATERMARK.verify(new Pcm(RATE, 2, samples), PAYLOAD, 0);
    assertTrue(coverage.complete(), coverage.firstUnmarked().toString());
    assertTrue(
        coverage.segments().stream()
            .filter(s -> s.startFrame() >= at && s.endFrame() <= at + length)
            .allMatch(s -> s.state() == Coverage.State.SILENT));
  }

  @Test
  void verifiesAgainstADetectionInTheSameOrANeighbouringExcerpt() {
    Pcm marked = WATERMARK.embed(Signals.music(20, 100), PAYLOAD);
    int from = 123_457;
    Pcm first = marked.slice(from, from + 6 * RATE);
    Detection found = WATERMARK.detect(first).orElseThrow();
    assertTrue(WATERMARK.verify(first, found).complete());
    int next = from + 6 * RATE;
    Pcm neighbour = marked.slice(next, next + 6 * RATE);
    long grid =
        Math.floorMod(-found.offsetFrames() - (next - from), (long) Watermark.blockFrames());
    Coverage coverage = WATERMARK.verify(neighbour, found.payload(), grid);
    assertTrue(coverage.complete(), coverage.firstUnmarked().toString());
    long wrongGrid = Math.floorMod(grid + Watermark.FRAME_SIZE, (long) Watermark.blockFrames());
    assertTrue(
        WATERMARK.verify(neighbour, found.payload(), wrongGrid).segments().stream()
            .noneMatch(s -> s.state() == Coverage.State.MARKED),
        "a grid one frame off");
  }

  @Test
  void refusesWhatItCannotVerify() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WATERMARK.verify(Pcm.silence(RATE, 2, 1000), PAYLOAD, 0));
    assertEquals(
        "an excerpt of 1000 frames is too short to verify: segments are 57344 frames on the block"
            + " grid, which starts at frame 0",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> WATERMARK.verify(Pcm.silence(48_000, 2, 100_000), PAYLOAD, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WATERMARK.verify(Pcm.silence(RATE, 2, 100_000), (Payload) null, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WATERMARK.verify(Pcm.silence(RATE, 2, 100_000), (Detection) null));
  }

  @Test
  void coverageCountsOverlapsOnce() {
    Coverage coverage =
        new Coverage(
            List.of(
                new Coverage.Segment(0, 100, Coverage.State.SILENT, 0),
                new Coverage.Segment(50, 150, Coverage.State.SILENT, 0),
                new Coverage.Segment(100, 200, Coverage.State.UNMARKED, 1),
                new Coverage.Segment(150, 250, Coverage.State.MARKED, 9)));
    assertEquals(150, coverage.silentFrames());
    assertEquals(250, coverage.frames());
    assertFalse(coverage.complete());
    assertEquals(100, coverage.firstUnmarked().orElseThrow().startFrame());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Coverage.Segment(10, 10, Coverage.State.MARKED, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Coverage(
                List.of(
                    new Coverage.Segment(50, 60, Coverage.State.MARKED, 0),
                    new Coverage.Segment(0, 60, Coverage.State.MARKED, 0))));
  }

  /**
   * 1.5 s of another recording spliced into a marked 12 s track at a random place: some segment
   * over the splice is UNMARKED, and none away from it.
   */
  private static void assertSpliceCaught(int seed, boolean mp3) {
    String name = Signals.NAMES.get(seed % Signals.NAMES.size());
    Pcm marked = WATERMARK.embed(Signals.named(name, 12, 300 + seed), PAYLOAD);
    Pcm other = Signals.named(name, 12, 400 + seed);
    int length = 3 * RATE / 2;
    int at = new SplittableRandom(seed).nextInt(RATE, marked.frames() - length - RATE);
    short[] samples = marked.samples().clone();
    System.arraycopy(other.samples(), 2 * at, samples, 2 * at, 2 * length);
    Pcm spliced = new Pcm(RATE, 2, samples);
    if (mp3) {
      try {
        spliced = RoundTrip.mp3(LAME.find().orElseThrow(), spliced, 128);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    assertUnmarkedOnlyAround(WATERMARK.verify(spliced, PAYLOAD, 0), at, length);
  }

  private static void assertUnmarkedOnlyAround(Coverage coverage, int at, int length) {
    Coverage.Segment first =
        coverage
            .firstUnmarked()
            .orElseThrow(() -> new AssertionError("splice at " + at + " missed"));
    assertTrue(first.endFrame() > at && first.startFrame() < at + length, first + " vs " + at);
    for (Coverage.Segment s : coverage.segments()) {
      if (s.state() == Coverage.State.UNMARKED) {
        assertTrue(s.endFrame() > at && s.startFrame() < at + length, s + " away from " + at);
      }
    }
    assertTrue(
        coverage.segments().stream()
            .anyMatch(
                s ->
                    s.state() == Coverage.State.UNMARKED
                        && s.startFrame() >= at
                        && s.endFrame() <= at + length),
        "a segment wholly inside the splice at " + at);
  }

  private static byte[] bytes(int value) {
    byte[] bytes = new byte[WatermarkKey.LENGTH];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
