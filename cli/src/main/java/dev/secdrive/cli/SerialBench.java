package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Drive;
import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.profiles.ProfileCatalog;
import io.netty.buffer.ByteBuf;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The serial part of {@code secdrive bench}: 64 KiB reads over socat pty pairs, paced to the baud
 * rate on both sides (a pty has no baud rate of its own), as a fraction of the line rate (8N1: 10
 * bits a byte); the same through a fault relay at bit-error rates 1e-6 and 1e-5; and the unpaced
 * pty throughput. The drive runs with fast timing so that only the line is measured.
 */
final class SerialBench {

  private static final int READ = 64 << 10;
  private static final int BLOCK = 2048;

  private final PrintWriter out;
  private final Path work;
  private final Map<String, Object> results;

  SerialBench(PrintWriter out, Path work, Map<String, Object> results) {
    this.out = out;
    this.work = work;
    this.results = results;
  }

  void run() throws Exception {
    MediumStore store = MediumStore.openOrCreate(work.resolve("media"));
    Media.create(store, ProfileCatalog.builtIn(), "mo-640", "SERIAL-BENCH", "bench", null);
    out.printf("%nserial line (socat pty pairs; payload of 64 KiB READ(10), 1 in flight)%n");
    paced(115200, 3, null);
    paced(921600, 16, null);
    paced(921600, 16, new LineNoise(1e-6, 0, 0, 1));
    paced(921600, 16, new LineNoise(1e-5, 0, 0, 2));
    unpaced(store);
  }

  private void paced(int baud, int reads, LineNoise faults) throws Exception {
    String name =
        String.format(
            "%d baud, paced, %s",
            baud, faults == null ? "clean line" : "BER " + faults.bitErrorRate());
    try (Line line = Line.open(work, baud, true, faults)) {
      try (Drive drive = Drive.open(line.hostUri() + "&pace=true&timeout=120s")) {
        drive.read(0, READ / BLOCK); // warm up: the first command pays JIT and the power-on UA
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
          drive.read((long) i * (READ / BLOCK), READ / BLOCK);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double bytesPerSecond = (double) reads * READ / seconds;
        double fraction = bytesPerSecond / (baud / 10.0);
        out.printf(
            "%-52s %,8.0f B/s = %5.1f%% of line rate%s%n",
            name, bytesPerSecond, fraction * 100, faults == null ? " (target >= 90%)" : "");
        results.put(
            "serial " + name,
            Map.of(
                "bytesPerSecond",
                Math.round(bytesPerSecond),
                "lineRateFraction",
                Math.round(fraction * 1000) / 1000.0));
      }
    }
  }

  private void unpaced(MediumStore store) throws Exception {
    try (Line line = Line.open(work, 921600, false, null);
        Drive drive = Drive.open(line.hostUri() + "&timeout=120s")) {
      byte[] data = new byte[READ];
      new SplittableRandom(5).nextBytes(data);
      drive.write(0, data);
      long total = 64L << 20;
      long start = System.nanoTime();
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      for (long done = 0; done < total; done += READ) {
        inFlight.add(drive.readBuffer(0, READ / BLOCK, BLOCK).thenAccept(ByteBuf::release));
        if (inFlight.size() >= 8) {
          inFlight.remove(0).get();
        }
      }
      for (CompletableFuture<Void> f : inFlight) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double mbps = total / seconds / 1e6;
      out.printf("%-52s %,8.1f MB/s%n", "unpaced pty, 8 in flight", mbps);
      results.put("serial unpaced pty MBps", Math.round(mbps * 10) / 10.0);
    }
  }

  /** An emulator on a pty pair (through a fault relay when given faults), and the host's URI. */
  private record Line(
      PtyPair device, PtyPair host, FaultRelay relay, Emulator emulator, String hostUri)
      implements AutoCloseable {

    static Line open(Path work, int baud, boolean paced, LineNoise faults) {
      PtyPair device = PtyPair.create(work, "bench-dev");
      PtyPair host = null;
      FaultRelay relay = null;
      Path hostEnd = device.b();
      if (faults != null) {
        host = PtyPair.create(work, "bench-host");
        relay = FaultRelay.start(host.b(), device.b(), faults);
        hostEnd = host.a();
      }
      Emulator emulator =
          Emulator.builder()
              .mediaDirectory(work.resolve("media"))
              .anchorDirectory(TcpBench.benchAnchors(work.resolve("media")))
              .enrol(dev.secdrive.emulator.secure.Authority.create())
              .profiles(ProfileCatalog.builtIn())
              .timing(TimingMode.FAST)
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .serial(device.a().toString(), baud, paced)
              .drive(new DriveConfig(0, "mo-640", "BENCH", "SERIAL-BENCH"))
              .start();
      return new Line(device, host, relay, emulator, "serial://" + hostEnd + "?baud=" + baud);
    }

    @Override
    public void close() {
      emulator.close();
      if (relay != null) {
        relay.close();
      }
      if (host != null) {
        host.close();
      }
      device.close();
    }
  }
}
