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
 * excerpt length in CD sectors, false positives on unmarked audio and under a wrong key, and
 * localized verification (false MARKED segments, the worst marked segment, splices caught, quiet
 * audio, cost against detection). The signals are generated ({@link Signals}); the figures in
 * kit/WATERMARK.md and the README come from {@code secdrive bench --watermark} or this class's
 * {@link #main}.
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

    verification(watermark, payload, conditions, lame);
  }

  /** Splice lengths tried against localized verification, in seconds. */
  static final double[] SPLICES = {0.5, 0.75, 1.0, 1.25, 1.5};

  /** Peak levels, in dBFS, at which quiet audio is marked and verified. */
  static final double[] QUIET_LEVELS = {0, -20, -30, -40, -50, -55, -60, -70};

  /**
   * Localized verification ({@link Watermark#verify}): scores of unmarked segments (false MARKED),
   * the worst marked segment of every signal and version, another payload, splices of unmarked
   * audio, quiet audio, and the cost against detection.
   */
  private void verification(
      Watermark watermark,
      Payload payload,
      Map<String, Map<String, Pcm>> conditions,
      Optional<Path> lame)
      throws IOException {
    out.printf(
        "%nlocalized verification: segments of %d frames (%.2f s) every %d frames (%.2f s),"
            + " MARKED from %.1f standard deviations with a payload gap under %.1f, SILENT under"
            + " %.0f%% markable pairs%n",
        Watermark.SEGMENT_FRAMES,
        Watermark.SEGMENT_FRAMES / (double) Pcm.CD_SAMPLE_RATE,
        Watermark.SEGMENT_HOP,
        Watermark.SEGMENT_HOP / (double) Pcm.CD_SAMPLE_RATE,
        Watermark.VERIFY_THRESHOLD,
        Watermark.PAYLOAD_GAP,
        100 * Watermark.SILENT_SHARE);
    int tracks = Math.max(10, falseTrials / 20);
    int segments = 0;
    int falseMarked = 0;
    double worst = Double.NEGATIVE_INFINITY;
    SplittableRandom random = new SplittableRandom(seed * 131);
    for (int t = 0; t < tracks; t++) {
      for (String name : Signals.NAMES) {
        Pcm unmarked = Signals.named(name, 12, seed + 5000 + t);
        for (Watermark.Measured m :
            watermark.measure(unmarked, payload, random.nextInt(Watermark.blockFrames()))) {
          if (m.share() < Watermark.SILENT_SHARE) {
            continue;
          }
          segments++;
          worst = Math.max(worst, m.score());
          if (m.score() >= Watermark.VERIFY_THRESHOLD && m.gap() < Watermark.PAYLOAD_GAP) {
            falseMarked++;
          }
        }
      }
    }
    out.printf(
        "  unmarked audio (%d tracks of 12 s, random grid): %d of %d segments MARKED, highest"
            + " score %.2f%n",
        tracks * Signals.NAMES.size(), falseMarked, segments, worst);
    Payload other = new Payload(CopyControl.COPY_FREE, payload.contentId() ^ 0x0123_4567_89ABL);
    out.printf(
        "  %-7s %-9s %9s %9s %9s %11s %9s%n",
        "signal", "version", "segments", "silent", "min score", "max gap", "other M");
    for (var signal : conditions.entrySet()) {
      for (var version : signal.getValue().entrySet()) {
        List<Watermark.Measured> ms = watermark.measure(version.getValue(), payload, 0);
        int silent = 0;
        double min = Double.POSITIVE_INFINITY;
        double gap = 0;
        for (Watermark.Measured m : ms) {
          if (m.share() < Watermark.SILENT_SHARE) {
            silent++;
          } else {
            min = Math.min(min, m.score());
            gap = Math.max(gap, m.gap());
          }
        }
        long otherMarked =
            watermark.verify(version.getValue(), other, 0).segments().stream()
                .filter(x -> x.state() == Coverage.State.MARKED)
                .count();
        out.printf(
            "  %-7s %-9s %9d %9d %9.2f %11.2f %9d%n",
            signal.getKey(), version.getKey(), ms.size(), silent, min, gap, otherMarked);
      }
    }

    out.printf(
        "  splices of another recording into a marked 12 s track, caught of 10 (clean%s):%n",
        lame.isPresent() ? " / MP3 128 kbit/s" : "");
    for (double seconds : SPLICES) {
      int clean = 0;
      int mp3 = 0;
      for (int t = 0; t < 10; t++) {
        String name = Signals.NAMES.get(t % Signals.NAMES.size());
        Pcm marked = watermark.embed(Signals.named(name, 12, seed + 300 + t), payload);
        Pcm host = Signals.named(name, 12, seed + 400 + t);
        int length = (int) Math.round(seconds * Pcm.CD_SAMPLE_RATE);
        int at =
            new SplittableRandom(seed + t)
                .nextInt(Pcm.CD_SAMPLE_RATE, marked.frames() - length - Pcm.CD_SAMPLE_RATE);
        short[] samples = marked.samples().clone();
        System.arraycopy(host.samples(), 2 * at, samples, 2 * at, 2 * length);
        Pcm spliced = new Pcm(Pcm.CD_SAMPLE_RATE, 2, samples);
        clean += caught(watermark.verify(spliced, payload, 0), at, length) ? 1 : 0;
        if (lame.isPresent()) {
          Pcm attacked = RoundTrip.mp3(lame.get(), spliced, 128);
          mp3 += caught(watermark.verify(attacked, payload, 0), at, length) ? 1 : 0;
        }
      }
      out.printf("    %.2f s: %d%s%n", seconds, clean, lame.isPresent() ? " / " + mp3 : "");
    }

    out.printf(
        "  quiet audio, segments MARKED / UNMARKED / SILENT (clean%s):%n",
        lame.isPresent() ? "; MP3 128 kbit/s" : "");
    for (String name : Signals.NAMES) {
      for (double level : QUIET_LEVELS) {
        Pcm quiet = scaleToPeak(Signals.named(name, 12, seed + 600), level);
        Pcm marked = watermark.embed(quiet, payload);
        String row = states(watermark.verify(marked, payload, 0));
        if (lame.isPresent()) {
          row +=
              "; " + states(watermark.verify(RoundTrip.mp3(lame.get(), marked, 128), payload, 0));
        }
        out.printf("    %-5s peak %4.0f dBFS: %s%n", name, level, row);
      }
    }

    Pcm marked = conditions.values().iterator().next().get("clean");
    Pcm unmarked = Signals.music(30, seed + 700);
    for (int i = 0; i < 2; i++) {
      watermark.verify(marked, payload, 0);
      watermark.detect(unmarked.slice(0, 4 * Pcm.CD_SAMPLE_RATE));
    }
    int rounds = 5;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      watermark.verify(marked, payload, 0);
    }
    double verify = (System.nanoTime() - start) / 1e9 / rounds / marked.seconds();
    start = System.nanoTime();
    int excerpts = 0;
    for (int from = 0;
        from + 4 * Pcm.CD_SAMPLE_RATE <= unmarked.frames();
        from += 4 * Pcm.CD_SAMPLE_RATE) {
      watermark.detect(unmarked.slice(from, from + 4 * Pcm.CD_SAMPLE_RATE));
      excerpts++;
    }
    double detect = (System.nanoTime() - start) / 1e9 / (4.0 * excerpts);
    out.printf(
        "  cost: verify %.1f ms per second of audio, detect (4 s windows, unmarked) %.1f ms:"
            + " ratio %.2f%n",
        verify * 1e3, detect * 1e3, verify / detect);
  }

  /** Some UNMARKED segment overlaps the splice, and none lies away from it. */
  private static boolean caught(Coverage coverage, int at, int length) {
    boolean over = false;
    for (Coverage.Segment s : coverage.segments()) {
      if (s.state() != Coverage.State.UNMARKED) {
        continue;
      }
      if (s.endFrame() <= at || s.startFrame() >= at + length) {
        return false;
      }
      over = true;
    }
    return over;
  }

  private static String states(Coverage coverage) {
    int[] counts = new int[Coverage.State.values().length];
    for (Coverage.Segment s : coverage.segments()) {
      counts[s.state().ordinal()]++;
    }
    return counts[0] + " / " + counts[1] + " / " + counts[2];
  }

  /** {@code pcm} scaled so that its peak sample is at {@code dbfs}. */
  static Pcm scaleToPeak(Pcm pcm, double dbfs) {
    short[] in = pcm.samples();
    int peak = 1;
    for (short v : in) {
      peak = Math.max(peak, Math.abs(v));
    }
    double gain = 32767 * Math.pow(10, dbfs / 20) / peak;
    short[] scaled = new short[in.length];
    for (int i = 0; i < in.length; i++) {
      scaled[i] = (short) Math.round(in[i] * gain);
    }
    return new Pcm(pcm.sampleRate(), pcm.channels(), scaled);
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
