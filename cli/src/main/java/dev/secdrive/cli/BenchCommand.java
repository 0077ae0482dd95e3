package dev.secdrive.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive bench}: throughput and latency of the emulator and host driver over loopback TCP,
 * and raw loopback TCP measured in the same run for the ratio ({@link TcpBench}); or of the serial
 * carrier ({@link SerialBench}), the secure layer ({@link SecureBench}) or the software copy
 * ({@link CopyBench}), the key tree's EKBs ({@link EkbBench}), the audio watermark ({@link
 * WatermarkBench}), watermark-verified ripping ({@link RipBench}) or the iSCSI target against tgt
 * ({@link IscsiBench}). Each case runs several rounds ({@link BenchRounds}); the report ({@link
 * BenchReport}) gives the median round.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure READ/WRITE throughput, IOPS and latency over loopback TCP, against raw TCP.")
final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Rounds per case (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--round-seconds",
      defaultValue = "1.0",
      description = "Length of one round in seconds (default ${DEFAULT-VALUE}).")
  double roundSeconds;

  @Option(
      names = "--region-mib",
      defaultValue = "256",
      description =
          "Size of the written region that reads cycle over (default ${DEFAULT-VALUE} MiB).")
  int regionMib;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Option(
      names = "--serial",
      description =
          "Measure the serial carrier instead (socat pty pairs): share of line rate at 115200 and"
              + " 921600 baud, bit-error rates 1e-6 and 1e-5, unpaced pty throughput.")
  boolean serial;

  @Option(
      names = "--secure",
      description =
          "Measure the secure layer instead: decrypted READs of a licensed title against plain"
              + " READs of the same blocks, and backup + restore round trips.")
  boolean secure;

  @Option(
      names = "--copy",
      description =
          "Measure the software copy instead: a scheme-2 title of --region-mib MiB converted from"
              + " a CD-ROM master into an MO target inside the target drive, against a plain READ +"
              + " WRITE copy of the same bytes between the same drives.")
  boolean copy;

  @Option(
      names = "--ekb",
      description =
          "Measure the key tree instead: EKBs of a 2^20-leaf Subset Difference tree with 1, 100"
              + " and 10,000 revoked leaves (entries, bytes, build time) and a device's derivation"
              + " of the root key.")
  boolean ekb;

  @Option(
      names = "--watermark",
      description =
          "Measure the audio watermark instead: SNR, bit errors after MP3 at 128 kbit/s (lame) and"
              + " after resampling 44.1 -> 48 -> 44.1 kHz (sox), the shortest excerpt that decodes"
              + " from random offsets, false positives on 1,000 unmarked excerpts and under a"
              + " wrong key.")
  boolean watermark;

  @Option(
      names = "--watermark-trials",
      defaultValue = "20",
      description =
          "With --watermark: random offsets per excerpt length (default ${DEFAULT-VALUE}).")
  int watermarkTrials;

  @Option(
      names = "--watermark-false-trials",
      defaultValue = "1000",
      description =
          "With --watermark: unmarked excerpts, and as many under a wrong key (default"
              + " ${DEFAULT-VALUE}).")
  int watermarkFalseTrials;

  @Option(
      names = "--distributor",
      description =
          "Measure the distributor service instead: licenses and contents copy certificates issued"
              + " per second to 16 clients over HTTP, on PostgreSQL (a throwaway cluster, or"
              + " --jdbc), against pgbench's TPC-B on the same server.")
  boolean distributor;

  @Option(
      names = "--iscsi",
      description =
          "Measure secdrive's iSCSI target against tgt (a private tgtd serving a file LUN) in the"
              + " same run: 4 KiB reads at 1 in flight, 128 KiB reads and writes at 8 in flight,"
              + " through iscsi-perf and the host driver; each round runs both targets.")
  boolean iscsi;

  @Option(
      names = "--rip",
      description =
          "Measure watermark-verified ripping instead (seed 004): rip and detection CPU time of a"
              + " first rip (detect + register) against a repeat rip (table, no detection), per"
              + " track and per disc; and the measured probability that sampled detection misses a"
              + " substituted stretch, against the analytic (1-pq)^k.")
  boolean rip;

  @Option(
      names = "--rip-seconds",
      defaultValue = "20",
      description = "With --rip: length of each generated track (default ${DEFAULT-VALUE} s).")
  double ripSeconds;

  @Option(
      names = "--rip-trials",
      defaultValue = "4000",
      description = "With --rip: seeded trials per sampling case (default ${DEFAULT-VALUE}).")
  int ripTrials;

  @Option(
      names = "--jdbc",
      description =
          "With --distributor: the PostgreSQL server to use, as jdbc:postgresql://host:port/db (the"
              + " bench makes its databases there and drops them); default a throwaway cluster.")
  String jdbc;

  @Option(names = "--jdbc-user", defaultValue = "postgres", description = "With --jdbc.")
  String jdbcUser;

  @Option(names = "--jdbc-password", description = "With --jdbc.")
  String jdbcPassword;

  @Override
  public Integer call() throws Exception {
    Main.quietRequestLog();
    if (rounds < 1 || roundSeconds <= 0 || regionMib < 1) {
      throw new CliException("--rounds, --round-seconds and --region-mib must be positive");
    }
    BenchReport report = new BenchReport(spec.commandLine().getOut(), json);
    BenchRounds bench = new BenchRounds(rounds, roundSeconds, report);
    if (ekb) {
      new EkbBench(bench).run();
      return 0;
    }
    if (watermark) {
      if (watermarkTrials < 1 || watermarkFalseTrials < 1) {
        throw new CliException("--watermark-trials and --watermark-false-trials must be positive");
      }
      new WatermarkBench(spec.commandLine().getOut(), watermarkTrials, watermarkFalseTrials).run();
      return 0;
    }
    Path media = Files.createTempDirectory("secdrive-bench-");
    try {
      if (distributor) {
        try (BenchPostgres postgres =
            jdbc == null
                ? BenchPostgres.cluster()
                : BenchPostgres.remote(jdbc, jdbcUser, jdbcPassword)) {
          new DistributorBench(bench).run(media, postgres, Math.max(5, 2 * roundSeconds));
        }
      } else if (iscsi) {
        new IscsiBench(bench).run(media);
      } else if (rip) {
        if (ripSeconds < 5 || ripTrials < 1) {
          throw new CliException("--rip-seconds must be at least 5 and --rip-trials positive");
        }
        new RipBench(bench, ripSeconds, ripTrials).run(media);
      } else if (serial) {
        new SerialBench(report.out(), media, report.results()).run();
        report.finish();
      } else if (secure) {
        new SecureBench(bench, regionMib).run(media);
      } else if (copy) {
        new CopyBench(bench, regionMib).run(media);
      } else {
        new TcpBench(bench, regionMib).run(media);
      }
    } finally {
      try (var walk = Files.walk(media)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return 0;
  }
}
