package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.MediumType;
import dev.secdrive.profiles.ProfileCatalog;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * {@code secdrive bench}: READ and WRITE throughput and IOPS of the emulator and host driver over
 * loopback TCP, with raw loopback TCP measured in the same run for the ratio.
 */
final class TcpBench {

  private final BenchRounds bench;
  private final BenchReport report;
  private final PrintWriter out;
  private final int regionMib;

  TcpBench(BenchRounds bench, int regionMib) {
    this.bench = bench;
    this.report = bench.report();
    this.out = report.out();
    this.regionMib = regionMib;
  }

  void run(Path mediaDirectory) throws Exception {
    try (Emulator emulator = startEmulator(mediaDirectory, bench);
        Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/0")) {
      int blockSize = drive.capacity().blockSize();
      long regionBlocks = (long) regionMib * (1 << 20) / blockSize;
      int largeBlocks = BenchRounds.LARGE / blockSize;
      int smallBlocks = BenchRounds.SMALL / blockSize;

      // Fill the region with data, so reads come from written pages, not from holes.
      byte[] pattern = new byte[BenchRounds.LARGE];
      new SplittableRandom(1).nextBytes(pattern);
      AtomicLong cursor = new AtomicLong();
      LongFunction<CompletableFuture<?>> writeNext =
          i -> drive.writeAsync(BenchRounds.next(cursor, largeBlocks, regionBlocks), pattern);
      for (long lba = 0; lba < regionBlocks; lba += largeBlocks) {
        drive.write(lba, pattern);
      }

      LongFunction<CompletableFuture<?>> readNext =
          i ->
              drive
                  .readBuffer(
                      BenchRounds.next(cursor, largeBlocks, regionBlocks), largeBlocks, blockSize)
                  .thenAccept(ByteBuf::release);
      BenchRounds.Rate seq1 =
          bench.throughput(
              "READ(10) 128 KiB sequential, 1 in flight", 1, BenchRounds.LARGE, readNext);
      BenchRounds.Rate seq8 =
          bench.throughput(
              "READ(10) 128 KiB sequential, 8 in flight", 8, BenchRounds.LARGE, readNext);
      LongFunction<CompletableFuture<?>> readCopy =
          i -> drive.readAsync(BenchRounds.next(cursor, largeBlocks, regionBlocks), largeBlocks);
      bench.throughput("READ(10) 128 KiB into byte[], 8 in flight", 8, BenchRounds.LARGE, readCopy);
      bench.throughput(
          "WRITE(10) 128 KiB sequential, 1 in flight", 1, BenchRounds.LARGE, writeNext);
      bench.throughput(
          "WRITE(10) 128 KiB sequential, 8 in flight", 8, BenchRounds.LARGE, writeNext);

      SplittableRandom random = new SplittableRandom(7);
      long smallSlots = regionBlocks / smallBlocks;
      BenchRounds.Latency iops =
          bench.chainedLatency(
              "READ(10) 4 KiB random, 1 in flight, async",
              () ->
                  drive
                      .readBuffer(random.nextLong(smallSlots) * smallBlocks, smallBlocks, blockSize)
                      .thenAccept(ByteBuf::release));
      BenchRounds.Latency blocking =
          bench.latency(
              "READ(10) 4 KiB random, 1 in flight, blocking calls",
              () -> {
                drive.read(random.nextLong(smallSlots) * smallBlocks, smallBlocks);
                return CompletableFuture.completedFuture(null);
              });

      double rawStream = rawStream(seq8.bytes());
      double rawRoundTrips = PingPong.roundTrips();
      double pinned = PingPong.pinnedToOneCore();
      report.line("raw loopback TCP, 128 KiB writes one way", BenchReport.mbps(rawStream));
      report.line(
          "raw loopback TCP, 64 B request / 4 KiB reply",
          String.format("%,.0f round trips/s", rawRoundTrips));
      report.put("rawLoopbackMBps", BenchReport.round(rawStream / 1e6));
      report.put("rawRoundTripsPerSecond", Math.round(rawRoundTrips));
      if (pinned > 0) {
        report.line(
            "raw loopback TCP, 64 B / 4 KiB, on one core",
            String.format("%,.0f round trips/s (taskset -c 0)", pinned));
        report.put("rawRoundTripsOneCorePerSecond", Math.round(pinned));
      } else {
        report.line("raw loopback TCP, 64 B / 4 KiB, on one core", "not measured");
      }

      double ratio = seq8.bytesPerSecond() / rawStream;
      out.println();
      out.printf(
          "128 KiB reads at 8 in flight: %.0f%% of raw loopback (target >= 50%%)%n", ratio * 100);
      out.printf(
          "128 KiB reads at 8 in flight: %s (target >= 1500 MB/s): %s%n",
          BenchReport.mbps(seq8.bytesPerSecond()),
          seq8.bytesPerSecond() >= 1.5e9 ? "met" : "NOT met");
      out.printf(
          "4 KiB reads at 1 in flight, async: %,.0f IOPS (target >= 15,000): %s; blocking calls %,.0f IOPS%n",
          iops.perSecond(), iops.perSecond() >= 15_000 ? "met" : "NOT met", blocking.perSecond());
      out.printf("(1 in flight at 128 KiB: %s)%n", BenchReport.mbps(seq1.bytesPerSecond()));
      out.printf(
          "4 KiB reads at 1 in flight, async: %.2fx the raw ping-pong across cores%s%n",
          iops.perSecond() / rawRoundTrips,
          pinned > 0
              ? String.format(", %.2fx the one-core ping-pong", iops.perSecond() / pinned)
              : "");
      report.put("read4kQd1VsRawRoundTrips", BenchReport.round(iops.perSecond() / rawRoundTrips));
      if (pinned > 0) {
        report.put("read4kQd1VsOneCoreRoundTrips", BenchReport.round(iops.perSecond() / pinned));
      }
      report.put("read128kAt8VsRawRatio", BenchReport.round(ratio));
      report.finish();
    }
  }

  /** A DVD-RAM drive with a blank medium, fast timing; prints the report's header. */
  static Emulator startEmulator(Path mediaDirectory, BenchRounds bench) {
    return startEmulator(mediaDirectory, bench, Authority.create());
  }

  /** As {@link #startEmulator(Path, BenchRounds)}, the drive enrolled with {@code authority}. */
  static Emulator startEmulator(Path mediaDirectory, BenchRounds bench, Authority authority) {
    return startEmulator(mediaDirectory, bench, authority, List.of());
  }

  /** As {@link #startEmulator(Path, BenchRounds, Authority)}, also serving on {@code endpoints}. */
  static Emulator startEmulator(
      Path mediaDirectory, BenchRounds bench, Authority authority, List<Endpoint> endpoints) {
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    DriveProfile profile = catalog.get("dvd-ram");
    MediumType type = profile.defaultMedium();
    MediumMetadata medium =
        Media.create(
            MediumStore.open(mediaDirectory), catalog, type.type(), "BENCH", "bench", null);
    bench.header(type);
    Emulator.Builder builder =
        Emulator.builder()
            .mediaDirectory(mediaDirectory)
            .anchorDirectory(benchAnchors(mediaDirectory))
            .enrol(authority)
            .profiles(catalog)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, profile.id(), "BENCH0", medium.id()));
    endpoints.forEach(builder::endpoint);
    return builder.start();
  }

  /**
   * Where a bench's drives keep their anchors: inside its throwaway media directory (the media
   * store skips dot directories), so that a bench leaves nothing in the user's anchor store.
   */
  static Path benchAnchors(Path mediaDirectory) {
    return mediaDirectory.resolve(".anchors");
  }

  /** Raw loopback TCP: one thread writes {@code bytes} in 128 KiB writes, another reads them. */
  private static double rawStream(long bytes) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      double[] rates = new double[3];
      for (int r = 0; r < rates.length; r++) {
        try (SocketChannel writer = SocketChannel.open(server.getLocalAddress());
            SocketChannel reader = server.accept()) {
          Thread sender =
              new Thread(
                  () -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(BenchRounds.LARGE);
                    try {
                      for (long sent = 0; sent < bytes; sent += BenchRounds.LARGE) {
                        chunk.clear();
                        while (chunk.hasRemaining()) {
                          writer.write(chunk);
                        }
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
          ByteBuffer in = ByteBuffer.allocateDirect(BenchRounds.LARGE);
          long start = System.nanoTime();
          sender.start();
          long received = 0;
          long expected = (bytes + BenchRounds.LARGE - 1) / BenchRounds.LARGE * BenchRounds.LARGE;
          while (received < expected) {
            in.clear();
            int n = reader.read(in);
            if (n < 0) {
              throw new IOException("raw stream ended early");
            }
            received += n;
          }
          rates[r] = received / ((System.nanoTime() - start) / 1e9);
          sender.join();
        }
      }
      Arrays.sort(rates);
      return rates[1];
    }
  }
}
