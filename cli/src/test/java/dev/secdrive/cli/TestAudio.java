package dev.secdrive.cli;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.audio.Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Audio for the rip tests: generated tones, noise and music (kit {@link Signals}), and speech from
 * {@code espeak-ng} when it is installed (a Debian package CI installs), brought to CD audio.
 */
final class TestAudio {

  private TestAudio() {}

  static Pcm tones(double seconds, long seed) {
    return Signals.tones(seconds, seed);
  }

  static Pcm noise(double seconds, long seed) {
    return Signals.noise(seconds, seed);
  }

  static Pcm music(double seconds, long seed) {
    return Signals.named("music", seconds, seed);
  }

  /** Whether espeak-ng can be run; the tests that need speech say so and skip when not. */
  static boolean speechAvailable() {
    try {
      Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * {@code text} spoken by espeak-ng (22,050 Hz mono), doubled to 44,100 Hz by linear interpolation
   * and to stereo, padded with silence or cut to {@code seconds}; empty without espeak-ng.
   */
  static Optional<Pcm> speech(String text, double seconds, Path work) throws IOException {
    if (!speechAvailable()) {
      return Optional.empty();
    }
    Path wav = Files.createTempFile(work, "speech-", ".wav");
    try {
      Process p =
          new ProcessBuilder("espeak-ng", "-w", wav.toString(), text)
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("espeak-ng failed on '" + text + "'");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    Pcm spoken = Wav.read(wav);
    int frames = (int) Math.round(seconds * Pcm.CD_SAMPLE_RATE);
    short[] out = new short[2 * frames];
    int n = spoken.frames();
    int ratio = Pcm.CD_SAMPLE_RATE / spoken.sampleRate();
    for (int i = 0; i < frames; i++) {
      int src = (i / ratio) % n;
      double a = spoken.sample(src, 0);
      double b = src + 1 < n ? spoken.sample(src + 1, 0) : a;
      short v = (short) Math.round(a + (b - a) * (i % ratio) / (double) ratio);
      out[2 * i] = v;
      out[2 * i + 1] = v;
    }
    return Optional.of(new Pcm(Pcm.CD_SAMPLE_RATE, 2, out));
  }

  /** {@code base} with frames [from, to) replaced by {@code other}'s (the same frames of it). */
  static Pcm splice(Pcm base, Pcm other, int fromFrame, int toFrame) {
    short[] s = base.samples().clone();
    System.arraycopy(other.samples(), 2 * fromFrame, s, 2 * fromFrame, 2 * (toFrame - fromFrame));
    return new Pcm(base.sampleRate(), base.channels(), s);
  }
}
