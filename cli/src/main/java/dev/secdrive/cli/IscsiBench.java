package dev.secdrive.cli;

import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.kit.tgt.Tgt;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code secdrive bench --iscsi}: secdrive's iSCSI target against tgt, the Linux SCSI target, on
 * the same machine, through the same clients, in one run. Each round measures both targets back to
 * back, in alternating order, so a machine that slows down between rounds slows both; the report
 * gives each target's median round and the ratio of the medians, with the range of the per-round
 * ratios beside it. Only those ratios mean anything on a shared virtual machine.
 *
 * <p>Two clients: libiscsi's {@code iscsi-perf} (reads only; one process per round) and secdrive's
 * own host driver over {@code iscsi://} (reads and writes). The secdrive drive is a DVD-RAM with a
 * blank medium at fast timing; tgt serves a file LUN of the same size as the region the driver
 * uses, from the page cache. Before its rounds each case drives both targets for {@value
 * #WARM_UP_SECONDS} s unmeasured, so the JVM has compiled secdrive's path before it is timed.
 */
final class IscsiBench {

  /** Region the host driver reads and writes on both targets. */
  private static final long REGION_BYTES = 64L << 20;

  /** Seconds each target is driven with a case before its measured rounds. */
  private static final int WARM_UP_SECONDS = 5;

  private static final Pattern AVERAGE = Pattern.compile("iops average (\\d+)");

  /** What one case asks for: request size, requests in flight, direction. */
  private record Case(String name, String key, int bytes, int depth, boolean write, double goal) {}

  private static final List<Case> CASES =
      List.of(
          new Case("4 KiB reads, 1 in flight", "read4kAt1", 4 << 10, 1, false, 1.2),
          new Case("128 KiB reads, 8 in flight", "read128kAt8", 128 << 10, 8, false, 1.0),
          new Case("128 KiB writes, 8 in flight", "write128kAt8", 128 << 10, 8, true, 1.0));

  /** A target under test: what it is called, its LUN's URL and block size. */
  private record Side(String name, String url) {}

  /** Runs one round of a case against one target; answers requests per second. */
  private interface Client {
    String name();

    boolean handles(Case c);

    double round(Side side, Case c, double seconds) throws Exception;
  }

  private final BenchRounds bench;
  private final BenchReport report;
  private final PrintWriter out;

  IscsiBench(BenchRounds bench) {
    this.bench = bench;
    this.report = bench.report();
    this.out = report.out();
  }

  void run(Path media) throws Exception {
    IscsiEndpoint portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));
    try (Emulator emulator =
            TcpBench.startEmulator(media, bench, Authority.create(), List.of(portal));
        Tgt tgt = Tgt.start(media.resolve(".tgt"))) {
      Path image = media.resolve(".tgt").resolve("lun1.img");
      try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
        file.setLength(REGION_BYTES);
      }
      Side secdrive =
          new Side(
              "secdrive",
              "iscsi://" + Addresses.format(portal.address()) + "/" + portal.targetName() + "/0");
      Side reference = new Side("tgt", tgt.fileTarget("iqn.2026-12.dev.secdrive:bench-tgt", image));
      out.printf(
          "secdrive bench --iscsi: secdrive (%s) against tgt (%s) on this machine%n",
          secdrive.url(), reference.url());
      out.printf(
          "each round runs both targets back to back, in alternating order; %d rounds of %.0f s%n%n",
          bench.rounds(), Math.ceil(bench.roundSeconds()));
      out.printf(
          "%-30s %-12s %12s %12s %8s %15s %7s%n",
          "case", "client", "secdrive", "tgt", "ratio", "round ratios", "goal");
      List<Client> clients = List.of(new IscsiPerf(), new HostDriver(secdrive, reference));
      for (Case c : CASES) {
        for (Client client : clients) {
          if (client.handles(c)) {
            measure(c, client, secdrive, reference);
          }
        }
      }
      for (Client client : clients) {
        if (client instanceof AutoCloseable closeable) {
          closeable.close();
        }
      }
      out.printf("%nratio = secdrive's median round / tgt's median round; MB = 10^6 bytes%n");
      report.finish();
    }
  }

  private void measure(Case c, Client client, Side secdrive, Side reference) throws Exception {
    double seconds = Math.max(1, Math.ceil(bench.roundSeconds()));
    // Warm-up, both: long enough for the JIT to compile secdrive's path for this case; with 1 s
    // the first measured rounds ran while C2 was still compiling it on the same two cores.
    client.round(secdrive, c, WARM_UP_SECONDS);
    client.round(reference, c, WARM_UP_SECONDS);
    double[] ours = new double[bench.rounds()];
    double[] theirs = new double[bench.rounds()];
    double[] ratios = new double[bench.rounds()];
    for (int r = 0; r < bench.rounds(); r++) {
      if (r % 2 == 0) {
        ours[r] = client.round(secdrive, c, seconds);
        theirs[r] = client.round(reference, c, seconds);
      } else {
        theirs[r] = client.round(reference, c, seconds);
        ours[r] = client.round(secdrive, c, seconds);
      }
      ratios[r] = ours[r] / theirs[r];
    }
    double a = median(ours);
    double b = median(theirs);
    Arrays.sort(ratios);
    double ratio = a / b;
    String unit = c.bytes() <= 4096 ? "IOPS" : "MB/s";
    out.printf(
        "%-30s %-12s %12s %12s %7.2fx %7.2f-%-7.2f %6s%s%n",
        c.name(),
        client.name(),
        rate(a, c),
        rate(b, c),
        ratio,
        ratios[0],
        ratios[ratios.length - 1],
        String.format("%.1fx", c.goal()),
        ratio >= c.goal() ? "" : " not met");
    out.flush();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("secdrive" + unit.replace("/", "p"), BenchReport.round(perSecond(a, c)));
    result.put("tgt" + unit.replace("/", "p"), BenchReport.round(perSecond(b, c)));
    result.put("ratio", BenchReport.round(ratio));
    result.put("goal", c.goal());
    report.put(c.key() + "." + client.name(), result);
  }

  private static double perSecond(double requests, Case c) {
    return c.bytes() <= 4096 ? requests : requests * c.bytes() / 1e6;
  }

  private static String rate(double requests, Case c) {
    return c.bytes() <= 4096
        ? String.format("%,.0f IOPS", requests)
        : String.format("%,.0f MB/s", requests * c.bytes() / 1e6);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** libiscsi's {@code iscsi-perf}: sequential reads, {@code -m} in flight, for whole seconds. */
  private static final class IscsiPerf implements Client {

    private final Map<String, Integer> blockSizes = new LinkedHashMap<>();

    @Override
    public String name() {
      return "iscsi-perf";
    }

    @Override
    public boolean handles(Case c) {
      return !c.write();
    }

    @Override
    public double round(Side side, Case c, double seconds) throws Exception {
      int blockSize = blockSizes.computeIfAbsent(side.url(), IscsiPerf::blockSize);
      List<String> command =
          List.of(
              "iscsi-perf",
              "-t",
              Long.toString(Math.round(seconds)),
              "-m",
              Integer.toString(c.depth()),
              "-b",
              Integer.toString(c.bytes() / blockSize),
              side.url());
      String output = run(command, seconds + 30);
      Matcher m = AVERAGE.matcher(output);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last == null) {
        throw new CliException(
            "iscsi-perf against " + side.name() + " printed no average: " + output.strip());
      }
      return Double.parseDouble(last);
    }

    /** The LUN's logical block size, from {@code iscsi-readcapacity16}. */
    private static int blockSize(String url) {
      try {
        String output = run(List.of("iscsi-readcapacity16", url), 30);
        Matcher m = Pattern.compile("LOGICAL BLOCK LENGTH IN BYTES:\\s*(\\d+)").matcher(output);
        if (!m.find()) {
          throw new CliException("iscsi-readcapacity16 " + url + " printed no block length");
        }
        return Integer.parseInt(m.group(1));
      } catch (IOException | InterruptedException e) {
        throw new CliException("cannot run iscsi-readcapacity16: " + e.getMessage(), e);
      }
    }
  }

  /** secdrive's host driver over {@code iscsi://}: the same Drive API the flows use. */
  private static final class HostDriver implements Client, AutoCloseable {

    private final Map<String, Drive> drives = new LinkedHashMap<>();
    private final byte[] pattern = new byte[128 << 10];

    HostDriver(Side... sides) {
      new SplittableRandom(1).nextBytes(pattern);
      for (Side side : sides) {
        drives.put(side.url(), Drive.open(side.url()));
      }
    }

    @Override
    public String name() {
      return "host driver";
    }

    @Override
    public boolean handles(Case c) {
      return true;
    }

    @Override
    public double round(Side side, Case c, double seconds) throws Exception {
      Drive drive = drives.get(side.url());
      int blockSize = drive.capacity().blockSize();
      int blocks = c.bytes() / blockSize;
      long regionBlocks = REGION_BYTES / blockSize;
      AtomicLong cursor = new AtomicLong();
      byte[] data = Arrays.copyOf(pattern, c.bytes());
      LongFunction<CompletableFuture<?>> op =
          c.write()
              ? i -> drive.writeAsync(BenchRounds.next(cursor, blocks, regionBlocks), data)
              : i ->
                  drive
                      .readBuffer(BenchRounds.next(cursor, blocks, regionBlocks), blocks, blockSize)
                      .thenAccept(ByteBuf::release);
      long start = System.nanoTime();
      long done = BenchRounds.runRound(c.depth(), op, (long) (seconds * 1e9));
      return done / ((System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() {
      drives.values().forEach(Drive::close);
    }
  }

  /** Runs a tool to its end (at most {@code timeoutSeconds}); answers what it printed. */
  private static String run(List<String> command, double timeoutSeconds)
      throws IOException, InterruptedException {
    Path output = java.nio.file.Files.createTempFile("secdrive-bench-", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor((long) timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CliException(
            String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      String text = java.nio.file.Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new CliException(String.join(" ", command) + " failed: " + text.strip());
      }
      return text;
    } finally {
      java.nio.file.Files.deleteIfExists(output);
    }
  }
}
