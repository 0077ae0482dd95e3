package dev.secdrive.kit.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WatermarkTest {

  private static final WatermarkKey KEY = WatermarkKey.of(bytes(0x11));
  private static final WatermarkKey OTHER_KEY = WatermarkKey.of(bytes(0x22));
  private static final Watermark WATERMARK = new Watermark(KEY);

  private static final ExternalTool LAME =
      ExternalTool.onPath("lame").describedAs("the LAME MP3 encoder", "apt-get install lame");
  private static final ExternalTool SOX =
      ExternalTool.onPath("sox").describedAs("SoX", "apt-get install sox");

  @Test
  void embedsAndDetectsSeveralSignalsAndPayloads() {
    Payload[] payloads = {
      new Payload(CopyControl.COPY_FREE, 0),
      new Payload(CopyControl.COPY_ONCE, 0x5EC0_D41F_E013L),
      new Payload(CopyControl.NO_MORE_COPIES, Payload.MAX_CONTENT_ID)
    };
    for (int s = 0; s < Signals.NAMES.size(); s++) {
      String name = Signals.NAMES.get(s);
      Pcm original = Signals.named(name, 12, s);
      Payload payload = payloads[s];
      Pcm marked = WATERMARK.embed(original, payload);
      assertTrue(WatermarkReport.snr(original, marked) >= 30, name + " SNR");
      Detection found = WATERMARK.detect(marked).orElseThrow(() -> new AssertionError(name));
      assertEquals(payload, found.payload(), name);
      assertTrue(found.score() >= Watermark.SYNC_THRESHOLD);
      assertEquals(2, found.blocksDecoded());
      assertEquals(Optional.empty(), WATERMARK.detect(original), name + " unmarked");
    }
  }

  @Test
  void detectsFromRandomOffsetsAndSaysWhereInTheBlockTheExcerptStarts() {
    Payload payload = new Payload(CopyControl.COPY_ONCE, 42);
    Pcm marked = WATERMARK.embed(Signals.music(20, 7), payload);
    SplittableRandom random = new SplittableRandom(8);
    int frames = WATERMARK.minimumExcerptFrames();
    for (int t = 0; t < 6; t++) {
      int from = random.nextInt(marked.frames() - frames);
      Detection found =
          WATERMARK
              .detect(marked.slice(from, from + frames))
              .orElseThrow(() -> new AssertionError("from frame " + from));
      assertEquals(payload, found.payload());
      long expected = Math.floorMod(from, Watermark.blockFrames());
      long error = Math.floorMod(found.offsetFrames() - expected, Watermark.blockFrames());
      assertTrue(
          Math.min(error, Watermark.blockFrames() - error) <= 2 * Watermark.SEARCH_STEP,
          "offset " + found.offsetFrames() + ", expected " + expected);
    }
  }

  @Test
  void decodesAfterAnMp3RoundTripAt128kbits() throws IOException {
    Path lame = LAME.find().orElse(null);
    assumeTrue(lame != null, LAME.missingMessage() + "; MP3 robustness not tested");
    Payload payload = new Payload(CopyControl.NO_MORE_COPIES, 0xC0FFEEL);
    Pcm marked = WATERMARK.embed(Signals.music(14, 21), payload);
    assertDecodesFromOffsets(RoundTrip.mp3(lame, marked, 128), payload, 22);
  }

  @Test
  void decodesAfterResampling44To48To44kHz() throws IOException {
    Path sox = SOX.find().orElse(null);
    assumeTrue(sox != null, SOX.missingMessage() + "; resampling robustness not tested");
    Payload payload = new Payload(CopyControl.COPY_FREE, 0xBEEFL);
    Pcm marked = WATERMARK.embed(Signals.tones(14, 31), payload);
    assertDecodesFromOffsets(RoundTrip.resample(sox, marked, 48_000), payload, 32);
  }

  @Test
  void noDetectionInUnmarkedAudioNorUnderAnotherKey() {
    int frames = WATERMARK.minimumExcerptFrames();
    Watermark other = new Watermark(OTHER_KEY);
    SplittableRandom random = new SplittableRandom(41);
    int excerpts = 0;
    for (String name : Signals.NAMES) {
      Pcm unmarked = Signals.named(name, 10, 40);
      Pcm marked = WATERMARK.embed(unmarked, new Payload(CopyControl.COPY_ONCE, 7));
      for (int t = 0; t < 6; t++) {
        int from = random.nextInt(unmarked.frames() - frames);
        assertEquals(Optional.empty(), WATERMARK.detect(unmarked.slice(from, from + frames)), name);
        assertEquals(Optional.empty(), other.detect(marked.slice(from, from + frames)), name);
        excerpts += 2;
      }
    }
    assertEquals(36, excerpts);
  }

  @Test
  void silenceStaysSilentAndCarriesNothing() {
    Pcm silence = Pcm.silence(44_100, 2, 5 * 44_100);
    Pcm marked = WATERMARK.embed(silence, new Payload(CopyControl.COPY_FREE, 1));
    assertEquals(silence, marked);
    assertEquals(Optional.empty(), WATERMARK.detect(marked));
    assertEquals(Optional.empty(), WATERMARK.detect(marked.slice(0, 100)), "a few frames");
  }

  @Test
  void refusesAudioThatIsNotCdAudio() {
    Payload payload = new Payload(CopyControl.COPY_FREE, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WATERMARK.embed(Pcm.silence(48_000, 2, 4800), payload));
    assertEquals(
        "the watermark is embedded in 16-bit 44,100 Hz stereo audio, not"
            + " Pcm[48000 Hz, 2 channels, 4800 frames]",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> WATERMARK.embed(Pcm.silence(44_100, 1, 10), payload));
  }

  private static void assertDecodesFromOffsets(Pcm attacked, Payload payload, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int frames = WATERMARK.minimumExcerptFrames();
    for (int t = 0; t < 3; t++) {
      int from = random.nextInt(attacked.frames() - frames);
      Optional<Detection> found = WATERMARK.detect(attacked.slice(from, from + frames));
      assertEquals(Optional.of(payload), found.map(Detection::payload), "from frame " + from);
    }
  }

  private static byte[] bytes(int value) {
    byte[] bytes = new byte[WatermarkKey.LENGTH];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
