package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.host.flow.Ripper;
import dev.secdrive.host.flow.SampledRanges;
import dev.secdrive.kit.audio.Pcm;
import dev.secdrive.kit.audio.Signals;
import dev.secdrive.kit.watermark.CopyControl;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.kit.watermark.Watermark;
import dev.secdrive.kit.watermark.WatermarkKey;
import dev.secdrive.profiles.ProfileCatalog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code secdrive bench --rip} (issue 13 item 7): watermark-verified ripping of a generated CD-DA
 * disc through an emulated drive over loopback TCP.
 *
 * <ol>
 *   <li>Embodiment 1 (claims 1-7): per round, a first rip in table mode (detection over the whole
 *       track, REGISTER TRACK) and a repeat rip (VERIFY TRACK, no detection), each timed per track
 *       and per disc: wall time of the rip, and CPU time of the detector (ThreadMXBean); medians of
 *       the rounds.
 *   <li>Embodiment 2 (claims 8-13): for a track with a substituted stretch, the probability that a
 *       sampled rip misses it, for several sampling probabilities p and range lengths, measured
 *       over many seeded trials beside the analytic (1 - pq)^k - q(1 - p)^k. Each trial draws its
 *       ranges as a rip does ({@link SampledRanges#draw}); whether a range catches the stretch is
 *       what the real detector says for the range's start, taken on a grid of starts once and
 *       looked up at the nearest grid point (q is the share of grid starts that catch).
 * </ol>
 */
final class RipBench {

  static final double[] SAMPLING = {0.05, 0.1, 0.25, 0.5, 1.0};
  static final int GRID_SECTORS = 15;

  private final BenchRounds bench;
  private final BenchReport report;
  private final PrintWriter out;
  private final double trackSeconds;
  private final int trials;

  RipBench(BenchRounds bench, double trackSeconds, int trials) {
    this.bench = bench;
    this.report = bench.report();
    this.out = report.out();
    this.trackSeconds = trackSeconds;
    this.trials = trials;
  }

  void run(Path media) throws Exception {
    Watermark watermark = new Watermark(WatermarkKey.generate());
    List<String> signals = List.of("tones", "noise", "music");
    List<CdAuthor.TrackSpec> tracks = new ArrayList<>();
    for (int i = 0; i < signals.size(); i++) {
      tracks.add(
          new CdAuthor.TrackSpec(
              Signals.named(signals.get(i), trackSeconds, i + 1),
              Optional.of(String.format(Locale.ROOT, "ZZSDB26%05d", i + 1)),
              Optional.of(new Payload(CopyControl.COPY_FREE, 1000 + i))));
    }
    CdAuthor.press(media, "BENCH-CD", "bench disc", Optional.empty(), watermark, tracks);
    Pcm original = Signals.named("music", trackSeconds, 99);
    Pcm marked = watermark.embed(original, new Payload(CopyControl.COPY_FREE, 2000));
    int frames = marked.frames();
    short[] other = Signals.noise(trackSeconds, 98).samples();

    out.printf(
        Locale.ROOT,
        "secdrive bench --rip: %d cores, Java %s, --timing fast, a disc of %d tracks of %.0f s (%s),"
            + " %d rounds, median round%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        signals.size(),
        trackSeconds,
        String.join(", ", signals),
        bench.rounds());
    out.printf(
        Locale.ROOT,
        "detector window %d sectors (%.2f s); detection CPU = ThreadMXBean CPU time of the ripping"
            + " thread in the detector%n%n",
        (watermark.minimumExcerptFrames() + 587) / 588,
        watermark.minimumExcerptFrames() / 44_100.0);
    Authority authority = Authority.create();
    try (Emulator emulator =
            Emulator.builder()
                .mediaDirectory(media)
                .anchorDirectory(TcpBench.benchAnchors(media))
                .enrol(authority)
                .profiles(ProfileCatalog.builtIn())
                .timing(TimingMode.FAST)
                .drive(new DriveConfig(0, "cdda", "BENCH-CDDA", "BENCH-CD"))
                .start();
        Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0")) {
      embodiment1(drive, watermark, media, signals);
    }
    // a fifth and two fifths of the track substituted, in its middle
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int fifths = 1; fifths <= 2; fifths++) {
      int stretchFrom = frames * (5 - fifths) / 10;
      int stretchTo = frames * (5 + fifths) / 10;
      short[] spliced = marked.samples().clone();
      System.arraycopy(
          other, 2 * stretchFrom, spliced, 2 * stretchFrom, 2 * (stretchTo - stretchFrom));
      Pcm substituted = new Pcm(marked.sampleRate(), marked.channels(), spliced);
      rows.addAll(embodiment2(watermark, substituted, stretchFrom, stretchTo));
    }
    report.put("embodiment2", rows);
    report.finish();
  }

  // ---------------------------------------------------------------- embodiment 1

  private void embodiment1(Drive drive, Watermark watermark, Path media, List<String> signals)
      throws Exception {
    int n = signals.size();
    int rounds = bench.rounds();
    double[][] firstWall = new double[n + 1][rounds];
    double[][] firstCpu = new double[n + 1][rounds];
    double[][] firstDetect = new double[n + 1][rounds];
    double[][] repeatWall = new double[n + 1][rounds];
    double[][] repeatCpu = new double[n + 1][rounds];
    Path out = media.resolve("ripped");
    // warm-up: one first rip and one repeat
    Path warm = media.resolve("warm-table.json");
    rip(drive, watermark, warm, out);
    rip(drive, watermark, warm, out);
    for (int r = 0; r < rounds; r++) {
      Path table = media.resolve("table-" + r + ".json");
      Files.deleteIfExists(table);
      long t0 = System.nanoTime();
      List<Ripper.Ripped> first = rip(drive, watermark, table, out);
      firstWall[n][r] = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      List<Ripper.Ripped> repeat = rip(drive, watermark, table, out);
      repeatWall[n][r] = (System.nanoTime() - t0) / 1e6;
      for (int i = 0; i < n; i++) {
        check(first.get(i), Ripper.Verification.REGISTERED);
        check(repeat.get(i), Ripper.Verification.TABLE);
        firstWall[i][r] = first.get(i).ripNanos() / 1e6;
        firstCpu[i][r] = first.get(i).detectionCpuNanos() / 1e6;
        firstDetect[i][r] = first.get(i).detectionNanos() / 1e6;
        firstDetect[n][r] += firstDetect[i][r];
        repeatWall[i][r] = repeat.get(i).ripNanos() / 1e6;
        repeatCpu[i][r] = repeat.get(i).detectionCpuNanos() / 1e6;
        firstCpu[n][r] += firstCpu[i][r];
        repeatCpu[n][r] += repeatCpu[i][r];
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    this.out.println(
        "embodiment 1 (claims 1-7): first rip (detect + REGISTER TRACK) vs repeat rip"
            + " (VERIFY TRACK, no detection)");
    for (int i = 0; i <= n; i++) {
      String name =
          i < n
              ? String.format(
                  Locale.ROOT, "track %d (%s, %.0f s)", i + 1, signals.get(i), trackSeconds)
              : "disc (" + n + " tracks)";
      double fw = median(firstWall[i]);
      double fc = median(firstCpu[i]);
      double fd = median(firstDetect[i]);
      double rw = median(repeatWall[i]);
      double rc = median(repeatCpu[i]);
      report.line(
          name,
          String.format(
              Locale.ROOT,
              "first %,.0f ms (detection %,.0f ms, %,.0f ms CPU), repeat %,.0f ms (detection %,.0f"
                  + " ms CPU), repeat/first %.2f",
              fw,
              fd,
              fc,
              rw,
              rc,
              rw / fw));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("case", i < n ? "track " + (i + 1) : "disc");
      row.put("firstRipMillis", BenchReport.round(fw));
      row.put("firstDetectionCpuMillis", BenchReport.round(fc));
      row.put("firstDetectionMillis", BenchReport.round(fd));
      row.put("repeatRipMillis", BenchReport.round(rw));
      row.put("repeatDetectionCpuMillis", BenchReport.round(rc));
      rows.add(row);
    }
    report.put("embodiment1", rows);
    this.out.println();
  }

  private static List<Ripper.Ripped> rip(Drive drive, Watermark watermark, Path table, Path out) {
    return new Ripper(
            drive, watermark, Ripper.Settings.of(Ripper.Mode.TABLE, table).withOverwrite(true))
        .rip(List.of(), out, Progress.NONE);
  }

  private static void check(Ripper.Ripped r, Ripper.Verification expected) {
    if (r.verification() != expected) {
      throw new IllegalStateException("track " + r.track() + " was " + r.verification());
    }
  }

  // ---------------------------------------------------------------- embodiment 2

  private List<Map<String, Object>> embodiment2(
      Watermark watermark, Pcm track, int stretchFrom, int stretchTo) {
    int window = (watermark.minimumExcerptFrames() + 587) / 588;
    long sectors = track.frames() / 588;
    int[] lengths = {window, 2 * window};
    Payload expected = new Payload(CopyControl.COPY_FREE, 2000);
    out.printf(
        Locale.ROOT,
        "embodiment 2 (claims 8-13): a %.0f s track with %.1f s (%.0f%%) substituted at %.1f-%.1f s;"
            + " %,d seeded trials per case%n",
        trackSeconds,
        (stretchTo - stretchFrom) / 44_100.0,
        100.0 * (stretchTo - stretchFrom) / track.frames(),
        stretchFrom / 44_100.0,
        stretchTo / 44_100.0,
        trials);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int length : lengths) {
      long starts = sectors - length + 1;
      int points = (int) ((starts - 1) / GRID_SECTORS + 1);
      boolean[] caught = new boolean[points];
      int caughtCount = 0;
      for (int g = 0; g < points; g++) {
        int s = g * GRID_SECTORS;
        caught[g] =
            Ripper.refusesRange(watermark, track.slice(s * 588, (s + length) * 588), s, expected);
        caughtCount += caught[g] ? 1 : 0;
      }
      double q = caughtCount / (double) points;
      int k = SampledRanges.draws(sectors, length);
      for (double p : SAMPLING) {
        int threshold = SampledRanges.threshold(p);
        double pe = SampledRanges.probability(threshold);
        SplittableRandom random = new SplittableRandom(Double.doubleToLongBits(p) ^ length);
        int missed = 0;
        long examined = 0;
        for (int t = 0; t < trials; t++) {
          boolean hit = false;
          for (SampledRanges.Range r : SampledRanges.draw(sectors, length, threshold, random)) {
            int g = (int) Math.min(points - 1, Math.round(r.offset() / (double) GRID_SECTORS));
            hit |= caught[g];
            examined += r.sectors();
          }
          missed += hit ? 0 : 1;
        }
        double measured = missed / (double) trials;
        double analytic = SampledRanges.missProbability(pe, q, k);
        double share = examined / (double) trials / sectors;
        report.line(
            String.format(
                Locale.ROOT, "range %d sectors (%.1f s), p = %.3f", length, length / 75.0, pe),
            String.format(
                Locale.ROOT,
                "miss %.4f measured, %.4f analytic (k = %d, q = %.3f); %.0f%% of the track examined",
                measured,
                analytic,
                k,
                q,
                share * 100));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("substitutedSeconds", BenchReport.round((stretchTo - stretchFrom) / 44_100.0));
        row.put("rangeSectors", length);
        row.put("sampling", BenchReport.round(pe * 1000) / 1000);
        row.put("draws", k);
        row.put("q", BenchReport.round(q * 1000) / 1000);
        row.put("missMeasured", measured);
        row.put("missAnalytic", analytic);
        row.put("shareExamined", BenchReport.round(share * 100) / 100);
        rows.add(row);
      }
    }
    out.println();
    return rows;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }
}
