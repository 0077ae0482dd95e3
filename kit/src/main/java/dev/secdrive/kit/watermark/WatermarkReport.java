package dev.secdrive.kit.watermark;

import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.crypto.HexKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The watermark's benchmark (issue 13 item 3), printed as a report: signal-to-noise ratio of marked
 * against original, coded and payload bit errors after an MP3 round trip at 128 kbit/s (LAME) and
 * after resampling 44.1 → 48 → 44.1 kHz (SoX), decode success from random offsets against the
 * excerpt length in CD sectors, and false positives on unmarked audio and under a wrong key. The
 * signals are generated ({@link Signals}); the figures in kit/WATERMARK.md and the README come from
 * {@code secdrive bench --watermark} or this class's {@link #main}.
 */
public final class WatermarkReport {

  /** Excerpt lengths tried, in CD sectors of 588 frames. */
  static final int[] SECTORS = {50, 75, 100, 150, 200, 250, 300, 400};

  private final PrintWriter out;
  private final int trials;
  private final int falseTrials;
  private final double seconds;
  private final long seed;

  /**
   * @param trials random offsets per excerpt length, signal and condition
   * @param falseTrials unmarked excerpts, and as many under a wrong key
   * @param seconds length of each generated track
   */
  public WatermarkReport(PrintWriter out, int trials, int falseTrials, double seconds, long seed) {
    this.out = out;
    this.trials = trials;
    this.falseTrials = falseTrials;
    this.seconds = seconds;
    this.seed = seed;
  }

  /** {@code java ... WatermarkReport [trials [falseTrials [seconds]]]}. */
  public static void main(String[] args) throws IOException {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int falseTrials = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 30;
    new WatermarkReport(new PrintWriter(System.out, true), trials, falseTrials, seconds, 13).run();
  }

  /** Runs every measurement and prints the report. */
  public void run() throws IOException {
    out.printf(
        "secdrive bench --watermark: %d cores, Java %s, %d offsets per length, %d false-positive"
            + " trials, %.0f s tracks%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        trials,
        falseTrials,
        seconds);
    WatermarkKey key = WatermarkKey.of(Hexes.KEY);
    Watermark watermark = new Watermark(key);
    Payload payload = new Payload(CopyControl.COPY_ONCE, 0x5EC0_D41F_E013L);
    Optional<Path> lame = RoundTrip.onPath("lame");
    Optional<Path> sox = RoundTrip.onPath("sox");
    out.printf(
        "watermark: %d-sample frames, bins %d-%d in groups of %d, %d pairs (%d sync), blocks of %d"
            + " frames (%.2f s), payload %d bits, rate-1/3 K=9 code: %d coded bits%n",
        Watermark.FRAME_SIZE,
        Watermark.FIRST_BIN,
        Watermark.LAST_BIN,
        Watermark.GROUP,
        Watermark.PAIRS,
        Watermark.SYNC_PAIRS,
        Watermark.BLOCK_FRAMES,
        Watermark.blockFrames() / (double) Pcm.CD_SAMPLE_RATE,
        Payload.BITS,
        ConvolutionalCode.codedLength(Payload.BITS));
    Map<String, Pcm> originals = new LinkedHashMap<>();
    Map<String, Map<String, Pcm>> conditions = new LinkedHashMap<>();
    out.printf("%n%-7s %9s %9s %12s%n", "signal", "seconds", "SNR dB", "embed ms");
    for (String name : Signals.NAMES) {
      Pcm original = Signals.named(name, seconds, seed);
      long start = System.nanoTime();
      Pcm marked = watermark.embed(original, payload);
      long embed = System.nanoTime() - start;
      out.printf(
          "%-7s %9.1f %9.1f %12.0f%n",
          name, original.seconds(), snr(original, marked), embed / 1e6);
      originals.put(name, original);
      Map<String, Pcm> versions = new LinkedHashMap<>();
      versions.put("clean", marked);
      if (lame.isPresent()) {
        versions.put("mp3-128", RoundTrip.mp3(lame.get(), marked, 128));
      }
      if (sox.isPresent()) {
        versions.put("resample", RoundTrip.resample(sox.get(), marked, 48_000));
      }
      conditions.put(name, versions);
    }
    if (lame.isEmpty()) {
      out.println("lame not found on PATH: no MP3 figures (apt-get install lame)");
    }
    if (sox.isEmpty()) {
      out.println("sox not found on PATH: no resampling figures (apt-get install sox)");
    }

    out.printf(
        "%nbit errors over the first %d frames (%.1f s) of each version:%n",
        2 * Watermark.blockFrames(), 2 * Watermark.blockFrames() / (double) Pcm.CD_SAMPLE_RATE);
    out.printf(
        "%-7s %-9s %7s %12s %14s %8s%n",
        "signal", "version", "sync", "coded err", "payload err", "decoded");
    for (var signal : conditions.entrySet()) {
      for (var version : signal.getValue().entrySet()) {
        Pcm pcm = version.getValue();
        Pcm head = pcm.slice(0, Math.min(pcm.frames(), 2 * Watermark.blockFrames()));
        Watermark.Analysis a = watermark.analyse(head, payload);
        out.printf(
            "%-7s %-9s %7.1f %8d/%3d %10d/%3d %8s%n",
            signal.getKey(),
            version.getKey(),
            a.score(),
            a.codedErrors(),
            ConvolutionalCode.codedLength(Payload.BITS),
            a.payloadErrors(),
            Payload.BITS,
            a.detected() ? "yes" : "no");
      }
    }

    out.printf(
        "%ndecoded from %d random offsets per excerpt length (sectors of 588 frames):%n", trials);
    StringBuilder header = new StringBuilder(String.format("%-7s %-9s", "signal", "version"));
    for (int sectors : SECTORS) {
      header.append(String.format(" %7s", sectors + "s"));
    }
    out.println(header + "   ms/detect");
    int[] failures = new int[SECTORS.length];
    Map<String, int[]> signalFailures = new LinkedHashMap<>();
    for (var signal : conditions.entrySet()) {
      int[] own = signalFailures.computeIfAbsent(signal.getKey(), k -> new int[SECTORS.length]);
      for (var version : signal.getValue().entrySet()) {
        StringBuilder row =
            new StringBuilder(String.format("%-7s %-9s", signal.getKey(), version.getKey()));
        long nanos = 0;
        int detections = 0;
        for (int l = 0; l < SECTORS.length; l++) {
          int frames = SECTORS[l] * Pcm.CD_FRAMES_PER_SECTOR;
          Pcm pcm = version.getValue();
          SplittableRandom random = new SplittableRandom(seed * 31 + l);
          int ok = 0;
          for (int t = 0; t < trials; t++) {
            int from = random.nextInt(pcm.frames() - frames);
            Pcm excerpt = pcm.slice(from, from + frames);
            long start = System.nanoTime();
            Optional<Detection> found = watermark.detect(excerpt);
            nanos += System.nanoTime() - start;
            detections++;
            if (found.isPresent() && found.get().payload().equals(payload)) {
              ok++;
            }
          }
          failures[l] += trials - ok;
          own[l] += trials - ok;
          row.append(String.format(" %7s", ok + "/" + trials));
        }
        out.println(row + String.format("   %.0f", nanos / 1e6 / detections));
      }
    }
    for (var signal : signalFailures.entrySet()) {
      int own = shortest(signal.getValue());
      out.printf(
          "shortest excerpt that decoded every time, %s in every version: %s%n",
          signal.getKey(),
          own < 0
              ? "none"
              : String.format(
                  "%d sectors = %.2f s",
                  own, own * Pcm.CD_FRAMES_PER_SECTOR / (double) Pcm.CD_SAMPLE_RATE));
    }
    int shortest = shortest(failures);
    if (shortest < 0) {
      out.println("shortest excerpt: none of the lengths decoded every time");
    } else {
      out.printf(
          "shortest excerpt that decoded every time, every signal and version: %d sectors"
              + " = %d frames = %.2f s (minimumExcerptFrames() = %d)%n",
          shortest,
          shortest * Pcm.CD_FRAMES_PER_SECTOR,
          shortest * Pcm.CD_FRAMES_PER_SECTOR / (double) Pcm.CD_SAMPLE_RATE,
          watermark.minimumExcerptFrames());
    }

    int frames = watermark.minimumExcerptFrames();
    List<Pcm> unmarked = new ArrayList<>();
    List<Pcm> marked = new ArrayList<>();
    for (var signal : conditions.entrySet()) {
      unmarked.add(originals.get(signal.getKey()));
      marked.addAll(signal.getValue().values());
    }
    for (int extra = 1; extra <= 2; extra++) {
      for (String name : Signals.NAMES) {
        unmarked.add(Signals.named(name, seconds, seed + 1000 * extra));
      }
    }
    Watermark wrongKey = new Watermark(WatermarkKey.of(Hexes.OTHER_KEY));
    long start = System.nanoTime();
    int falseUnmarked = falsePositives(watermark, unmarked, frames, 1);
    int falseWrongKey = falsePositives(wrongKey, marked, frames, 2);
    double ms = (System.nanoTime() - start) / 1e6 / (2.0 * falseTrials);
    out.printf(
        "%nfalse positives, excerpts of %d frames (%.2f s) from random offsets:%n",
        frames, frames / (double) Pcm.CD_SAMPLE_RATE);
    out.printf(
        "  unmarked audio (%d tracks):     %d of %d%n",
        unmarked.size(), falseUnmarked, falseTrials);
    out.printf("  marked, detected with another key: %d of %d%n", falseWrongKey, falseTrials);
    out.printf(
        "  %.1f ms per detection (%d threads)%n", ms, Runtime.getRuntime().availableProcessors());
  }

  /** The shortest length from which every longer one decoded every time, or -1. */
  private static int shortest(int[] failures) {
    int shortest = -1;
    for (int l = SECTORS.length - 1; l >= 0 && failures[l] == 0; l--) {
      shortest = SECTORS[l];
    }
    return shortest;
  }

  private int falsePositives(Watermark watermark, List<Pcm> tracks, int frames, long salt) {
    AtomicInteger found = new AtomicInteger();
    IntStream.range(0, falseTrials)
        .parallel()
        .forEach(
            t -> {
              SplittableRandom random = new SplittableRandom(seed * 7919 + salt * 104_729 + t);
              Pcm track = tracks.get(t % tracks.size());
              int from = random.nextInt(track.frames() - frames);
              if (watermark.detect(track.slice(from, from + frames)).isPresent()) {
                found.incrementAndGet();
              }
            });
    return found.get();
  }

  /** Signal-to-noise ratio of {@code marked} against {@code original}, in dB. */
  static double snr(Pcm original, Pcm marked) {
    double signal = 0;
    double noise = 0;
    short[] a = original.samples();
    short[] b = marked.samples();
    for (int i = 0; i < a.length; i++) {
      signal += (double) a[i] * a[i];
      double d = b[i] - a[i];
      noise += d * d;
    }
    return 10 * Math.log10(signal / noise);
  }

  /** Fixed keys, so that every run measures the same marks. */
  private static final class Hexes {
    static final byte[] KEY =
        HexKeys.parse(
            "key", "5ec0d41fe0130000000000000000000000000000000000000000000000000001", 32);
    static final byte[] OTHER_KEY =
        HexKeys.parse(
            "key", "5ec0d41fe0130000000000000000000000000000000000000000000000000002", 32);
  }
}
