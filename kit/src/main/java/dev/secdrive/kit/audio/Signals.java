package dev.secdrive.kit.audio;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated CD audio (16-bit 44,100 Hz stereo) for tests and benchmarks, reproducible from a seed:
 * steady tones, white noise, and a music-like mix of notes, bass, drums and silence between
 * phrases. Nothing here is a recording; the watermark's figures (WATERMARK.md) are measured on
 * these.
 */
public final class Signals {

  private static final int RATE = Pcm.CD_SAMPLE_RATE;

  private Signals() {}

  /** The signals by name, as the benchmark reports them. */
  public static Pcm named(String name, double seconds, long seed) {
    return switch (name) {
      case "tones" -> tones(seconds, seed);
      case "noise" -> noise(seconds, seed);
      case "music" -> music(seconds, seed);
      default -> throw new IllegalArgumentException("no signal named '" + name + "'");
    };
  }

  /** The names {@link #named} knows. */
  public static final java.util.List<String> NAMES = List.of("tones", "noise", "music");

  /**
   * Three steady sine tones per channel (a chord at −12 dBFS), slightly different left and right.
   */
  public static Pcm tones(double seconds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int frames = (int) Math.round(seconds * RATE);
    double[][] f = new double[2][3];
    double[][] phase = new double[2][3];
    for (int c = 0; c < 2; c++) {
      for (int k = 0; k < 3; k++) {
        f[c][k] = 220 * Math.pow(2, k * 7 / 12.0 + random.nextDouble(0, 2));
        phase[c][k] = random.nextDouble(2 * Math.PI);
      }
    }
    short[] samples = new short[2 * frames];
    for (int i = 0; i < frames; i++) {
      for (int c = 0; c < 2; c++) {
        double v = 0;
        for (int k = 0; k < 3; k++) {
          v += Math.sin(2 * Math.PI * f[c][k] * i / RATE + phase[c][k]);
        }
        samples[2 * i + c] = clip(v / 3 * 0.25 * 32767);
      }
    }
    return new Pcm(RATE, 2, samples);
  }

  /** White Gaussian noise at about −20 dBFS RMS, independent left and right. */
  public static Pcm noise(double seconds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int frames = (int) Math.round(seconds * RATE);
    short[] samples = new short[2 * frames];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = clip(gaussian(random) * 0.1 * 32767);
    }
    return new Pcm(RATE, 2, samples);
  }

  /**
   * A music-like mix: a melody of harmonic notes with attack and decay, a bass line, a kick and a
   * hi-hat, panned, in phrases of four bars with a short silence after each.
   */
  public static Pcm music(double seconds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int frames = (int) Math.round(seconds * RATE);
    double[][] mix = new double[2][frames];
    double beat = 60.0 / random.nextInt(90, 140);
    int beatFrames = (int) (beat * RATE);
    int[] scale = {0, 2, 4, 5, 7, 9, 11, 12};
    int root = random.nextInt(45, 57); // MIDI note
    int phraseBeats = 16;
    for (int b = 0; (long) b * beatFrames < frames; b++) {
      int start = b * beatFrames;
      int inPhrase = b % (phraseBeats + 2);
      if (inPhrase >= phraseBeats) {
        continue; // silence between phrases
      }
      // melody: one or two notes a beat
      int notes = random.nextBoolean() ? 1 : 2;
      for (int n = 0; n < notes; n++) {
        int note = root + 12 + scale[random.nextInt(scale.length)];
        double pan = random.nextDouble(0.2, 0.8);
        addNote(mix, start + n * beatFrames / notes, beatFrames / notes, midi(note), 0.18, pan, 6);
      }
      if (b % 2 == 0) {
        addNote(
            mix,
            start,
            2 * beatFrames,
            midi(root - 12 + scale[random.nextInt(3) * 2]),
            0.22,
            0.5,
            3);
      }
      addDrum(mix, start, random, b % 2 == 0);
    }
    short[] samples = new short[2 * frames];
    for (int i = 0; i < frames; i++) {
      samples[2 * i] = clip(mix[0][i] * 32767);
      samples[2 * i + 1] = clip(mix[1][i] * 32767);
    }
    return new Pcm(RATE, 2, samples);
  }

  private static void addNote(
      double[][] mix,
      int start,
      int length,
      double frequency,
      double level,
      double pan,
      int harmonics) {
    int frames = mix[0].length;
    for (int t = 0; t < length && start + t < frames; t++) {
      double time = (double) t / RATE;
      double envelope = Math.min(1, time / 0.01) * Math.exp(-3 * time);
      double v = 0;
      for (int h = 1; h <= harmonics; h++) {
        v += Math.sin(2 * Math.PI * frequency * h * time) / (h * h);
      }
      v *= level * envelope;
      mix[0][start + t] += v * (1 - pan);
      mix[1][start + t] += v * pan;
    }
  }

  private static void addDrum(double[][] mix, int start, SplittableRandom random, boolean kick) {
    int frames = mix[0].length;
    int length = RATE / 8;
    for (int t = 0; t < length && start + t < frames; t++) {
      double time = (double) t / RATE;
      double v = gaussian(random) * 0.05 * Math.exp(-time * 40); // hi-hat
      if (kick) {
        v +=
            0.3
                * Math.sin(2 * Math.PI * (60 + 80 * Math.exp(-time * 30)) * time)
                * Math.exp(-time * 12);
      }
      mix[0][start + t] += v;
      mix[1][start + t] += v;
    }
  }

  private static double midi(int note) {
    return 440 * Math.pow(2, (note - 69) / 12.0);
  }

  private static double gaussian(SplittableRandom random) {
    double u = random.nextDouble(Double.MIN_VALUE, 1);
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static short clip(double v) {
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
  }
}
