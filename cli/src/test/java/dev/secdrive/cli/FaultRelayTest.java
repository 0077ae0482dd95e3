package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.cli.FaultRelay.Direction;
import dev.secdrive.cli.FaultRelay.Stats;
import dev.secdrive.kit.serial.LineNoise;
import dev.secdrive.kit.serial.LineNoiseStream;
import dev.secdrive.kit.testing.ManualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The relay between two pty pairs: host writes and reads {@code host.a}, the relay joins {@code
 * host.b} to {@code device.a}, the device writes and reads {@code device.b}.
 */
class FaultRelayTest {

  private static final int MIB = 1 << 20;

  /**
   * A bound on a failure only: 8 MiB through two pty pairs takes well over 15 s on a busy machine.
   */
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  private PtyPair hostPair;
  private PtyPair devicePair;
  private RandomAccessFile host;
  private RandomAccessFile device;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    hostPair = PtyPair.create(dir, "host");
    devicePair = PtyPair.create(dir, "device");
    host = new RandomAccessFile(hostPair.a().toFile(), "rw");
    device = new RandomAccessFile(devicePair.b().toFile(), "rw");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    host.close();
    device.close();
    // Ending socat also wakes a writer still blocked on a full pty (its write fails).
    hostPair.close();
    devicePair.close();
  }

  private FaultRelay relay(LineNoise faults) {
    FaultRelay relay = FaultRelay.start(hostPair.b(), devicePair.a(), faults);
    toClose.add(relay);
    return relay;
  }

  @Test
  void aPerfectLineDeliversEveryByteBothWaysAtOnce() throws Exception {
    FaultRelay relay = relay(LineNoise.NONE);
    byte[] up = random(4 * MIB, 1);
    byte[] down = random(4 * MIB, 2);

    long start = System.nanoTime();
    Flow hostToDevice = new Flow(host, device, up);
    Flow deviceToHost = new Flow(device, host, down);
    byte[] atDevice = hostToDevice.awaitAll(relay, Stats::aToB);
    byte[] atHost = deviceToHost.awaitAll(relay, Stats::bToA);
    double seconds = (System.nanoTime() - start) / 1e9;

    assertArrayEquals(up, atDevice);
    assertArrayEquals(down, atHost);
    Stats stats = relay.stats();
    assertEquals(new Direction(up.length, up.length, 0, 0, 0, 0, 0), stats.aToB());
    assertEquals(new Direction(down.length, down.length, 0, 0, 0, 0, 0), stats.bToA());
    System.out.printf(
        "FaultRelayTest: perfect line, 4 MiB each way at once: %.1f MB/s each way%n",
        up.length / seconds / 1e6);
  }

  @Test
  void throughputOfOneDirection() throws Exception {
    try (FaultRelay warmUp = FaultRelay.start(hostPair.b(), devicePair.a(), LineNoise.NONE)) {
      new Flow(host, device, random(4 * MIB, 3)).awaitAll(warmUp, Stats::aToB); // JIT
    }
    for (LineNoise faults : List.of(LineNoise.NONE, new LineNoise(1e-5, 0, 0, 3))) {
      try (FaultRelay relay = FaultRelay.start(hostPair.b(), devicePair.a(), faults)) {
        byte[] data = random(16 * MIB, 3);
        long start = System.nanoTime();
        Flow flow = new Flow(host, device, data);
        byte[] received = flow.awaitAll(relay, Stats::aToB);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(data.length, received.length);
        assertEquals(relay.stats().aToB().bitsFlipped(), differingBits(data, received));
        System.out.printf(
            "FaultRelayTest: 16 MiB one way, bit error rate %s: %.1f MB/s (%d bits flipped)%n",
            faults.bitErrorRate(), data.length / seconds / 1e6, relay.stats().bitsFlipped());
      }
    }
  }

  @Test
  void bitErrorsFlipTheCountedNumberOfBits() throws Exception {
    double ber = 1e-4;
    FaultRelay relay = relay(new LineNoise(ber, 0, 0, 11));
    byte[] data = random(2 * MIB, 4);

    byte[] received = new Flow(host, device, data).awaitAll(relay, Stats::aToB);

    long flipped = relay.stats().aToB().bitsFlipped();
    double expected = data.length * 8.0 * ber;
    assertTrue(
        flipped > expected * 0.5 && flipped < expected * 1.5,
        flipped + " bits flipped, expected about " + expected);
    assertEquals(data.length, received.length, "bit errors keep the length");
    assertEquals(flipped, differingBits(data, received));
    assertEquals(0, relay.stats().bToA().bitsFlipped(), "nothing sent the other way");
  }

  @Test
  void dropsShortenTheStreamByTheCountedBytes() throws Exception {
    FaultRelay relay = relay(new LineNoise(0, 1e-3, 0, 12));
    byte[] data = random(2 * MIB, 5);

    byte[] received = new Flow(host, device, data).awaitAll(relay, Stats::aToB);

    long dropped = relay.stats().aToB().bytesDropped();
    assertTrue(dropped > 1000 && dropped < 3200, dropped + " bytes dropped of " + data.length);
    assertEquals(data.length - dropped, received.length);
    assertTrue(isSubsequence(received, data), "what arrives is the input minus some bytes");
  }

  @Test
  void duplicatesLengthenTheStreamByTheCountedBytes() throws Exception {
    FaultRelay relay = relay(new LineNoise(0, 0, 1e-3, 13));
    byte[] data = random(2 * MIB, 6);

    byte[] received = new Flow(host, device, data).awaitAll(relay, Stats::aToB);

    long duplicated = relay.stats().aToB().bytesDuplicated();
    assertTrue(duplicated > 1000 && duplicated < 3200, duplicated + " bytes duplicated");
    assertEquals(data.length + duplicated, received.length);
    assertTrue(isSubsequence(data, received), "what arrives is the input plus some bytes");
  }

  @Test
  void theSameSeedGivesTheSameOutput() throws Exception {
    LineNoise faults = new LineNoise(1e-4, 1e-3, 1e-3, 99);
    byte[] data = random(MIB, 7);

    byte[] first = runOnce(faults, data);
    byte[] second = runOnce(faults, data);
    byte[] otherSeed = runOnce(faults.withSeed(100), data);

    assertArrayEquals(first, second);
    assertFalse(Arrays.equals(first, otherSeed), "the seed decides the faults");
    assertFalse(Arrays.equals(first, data), "the faults did something");
  }

  private byte[] runOnce(LineNoise faults, byte[] data) throws Exception {
    try (FaultRelay relay = FaultRelay.start(hostPair.b(), devicePair.a(), faults)) {
      return new Flow(host, device, data).awaitAll(relay, Stats::aToB);
    }
  }

  @Test
  void aCutLosesWhatIsSentDuringItAndTheLineComesBack() throws Exception {
    // The cut is timed on a clock the test moves, so it lasts however slow the machine is.
    ManualScheduler time = new ManualScheduler();
    FaultRelay relay =
        FaultRelay.start(hostPair.b(), devicePair.a(), LineNoise.NONE, time::nanoTime);
    toClose.add(relay);
    Collector atDevice = new Collector(device);
    Collector atHost = new Collector(host);
    byte[] during = random(1000, 8);
    byte[] duringBack = random(700, 9);

    relay.cut(Duration.ofMillis(300));
    host.write(during);
    device.write(duringBack);
    awaitTrue(
        () -> relay.stats().aToB().bytesIn() == 1000 && relay.stats().bToA().bytesIn() == 700,
        "the relay read what was sent during the cut");
    assertEquals(1000, relay.stats().aToB().bytesCut());
    assertEquals(700, relay.stats().bToA().bytesCut());
    assertEquals(1700, relay.stats().bytesCut());
    time.advance(Duration.ofMillis(299));
    assertTrue(relay.isCut(), "still cut at 299 ms");
    time.advance(Duration.ofMillis(1));
    assertFalse(relay.isCut(), "the cut ends at 300 ms");
    byte[] after = random(5000, 10);
    byte[] afterBack = random(3000, 11);
    host.write(after);
    device.write(afterBack);
    assertArrayEquals(after, atDevice.await(after.length), "only what was sent after the cut");
    assertArrayEquals(afterBack, atHost.await(afterBack.length));
    TimeUnit.MILLISECONDS.sleep(50);
    assertEquals(after.length, atDevice.size(), "nothing more arrives");
    assertEquals(0, relay.stats().aToB().bitsFlipped() + relay.stats().bytesDropped());
  }

  @Test
  void closeStopsPromptlyEvenWhenTheFarEndIsFull() throws Exception {
    FaultRelay relay = FaultRelay.start(hostPair.b(), devicePair.a(), LineNoise.NONE);
    // Nobody reads the device end, so the relay ends up with a full queue, blocked writing into
    // a full pty.
    writeAsync(host, random(4 * MIB, 12), new AtomicReference<>()); // ends when socat does
    awaitStable(() -> relay.stats().aToB().bytesIn());
    assertTrue(relay.stats().aToB().bytesIn() < 4 * MIB, "the line is backed up");
    assertTrue(relay.stats().aToB().bytesPending() > 0, "the relay holds bytes it cannot write");

    long start = System.nanoTime();
    relay.close();
    double seconds = (System.nanoTime() - start) / 1e9;

    assertTrue(relay.threadsEnded(), "both relay threads ended within close()");
    assertFalse(relay.isRunning());
    assertTrue(relay.failure().isEmpty(), "stopping is not a failure");
    System.out.printf("FaultRelayTest: close() with a full far end took %.3f s%n", seconds);
  }

  @Test
  void theRelayReportsThatAnEndWentAway() throws Exception {
    FaultRelay relay = relay(LineNoise.NONE);
    devicePair.close(); // socat gone: reads on device.a fail
    awaitTrue(() -> relay.failure().isPresent(), "the relay notices");
    assertFalse(relay.isRunning());
    String message = relay.failure().orElseThrow().getMessage();
    assertTrue(message.startsWith("relay b->a stopped: cannot read " + devicePair.a()), message);
    awaitTrue(relay::threadsEnded, "all relay threads end");
  }

  @Test
  void lineFaultsRejectRatesOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new LineNoise(-1e-9, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new LineNoise(0, 1.5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new LineNoise(0, 0, Double.NaN, 0));
    new LineNoise(1, 1, 1, 0); // the bounds themselves are fine
  }

  @Test
  void faultsDoNotDependOnHowTheStreamIsSplit() {
    LineNoise faults = new LineNoise(1e-3, 1e-2, 1e-2, 5);
    byte[] data = random(100_000, 13);
    byte[] whole = applyInChunks(faults, data, data.length);
    assertArrayEquals(whole, applyInChunks(faults, data, 1));
    assertArrayEquals(whole, applyInChunks(faults, data, 4093));
  }

  @Test
  void alwaysDroppingOrDuplicatingIsExact() {
    byte[] data = random(1000, 14);
    assertEquals(0, applyInChunks(new LineNoise(0, 1, 0, 0), data, 100).length);
    byte[] doubled = applyInChunks(new LineNoise(0, 0, 1, 0), data, 100);
    assertEquals(2000, doubled.length);
    assertEquals(data[999], doubled[1999]);
    byte[] inverted = applyInChunks(new LineNoise(1, 0, 0, 0), data, 100);
    assertEquals((byte) ~data[0], inverted[0]);
  }

  @Test
  void theRelayCommandRunsUntilInterruptedAndPrintsTheCounters() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    CommandLine command = new CommandLine(new RelayCommand());
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    Thread run =
        new Thread(
            () ->
                exit.set(
                    command.execute(
                        "--a",
                        hostPair.b().toString(),
                        "--b",
                        devicePair.a().toString(),
                        "--seed",
                        "5",
                        "--stats-every",
                        "100ms")));
    run.start();
    Collector atDevice = new Collector(device);
    byte[] data = random(10_000, 15);
    host.write(data);
    assertArrayEquals(data, atDevice.await(data.length));
    awaitTrue(
        () -> out.toString().contains("secdrive: a->b 10,000 bytes in"),
        "a periodic report after the data");

    run.interrupt();
    run.join(5000);

    assertEquals(0, exit.get(), err::toString);
    String printed = out.toString();
    assertTrue(printed.contains("seed 5"), printed);
    assertTrue(printed.contains("secdrive: a->b 10,000 bytes in"), printed); // periodic
    assertTrue(printed.contains("secdrive: final: a->b 10,000 bytes in, 10,000 out"), printed);
  }

  @Test
  void theRelayCommandRejectsABadRate() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RelayCommand());
    command.setErr(new PrintWriter(err, true));
    int exit =
        command.execute(
            "--a", hostPair.b().toString(), "--b", devicePair.a().toString(), "--ber", "2");
    assertNotEquals(0, exit);
    assertTrue(
        err.toString().contains("--ber is a probability, so in [0, 1], not 2.0"), err::toString);
  }

  // --- helpers ---

  /** Writes {@code data} on one thread while a {@link Collector} reads the far end. */
  private final class Flow {
    private final byte[] data;
    private final Collector collector;
    private final AtomicReference<Throwable> writeFailure = new AtomicReference<>();

    Flow(RandomAccessFile from, RandomAccessFile to, byte[] data) {
      this.data = data;
      this.collector = new Collector(to);
      writeAsync(from, data, writeFailure);
    }

    /**
     * Waits until the relay has read all of {@code data} in its direction and the far end has
     * received everything the relay wrote; returns that.
     */
    byte[] awaitAll(FaultRelay relay, Function<Stats, Direction> direction) throws Exception {
      awaitTrue(
          () -> {
            Direction d = direction.apply(relay.stats());
            return writeFailure.get() != null
                || (d.bytesIn() == data.length && d.bytesPending() == 0);
          },
          "the relay reads and passes on all " + data.length + " bytes");
      if (writeFailure.get() != null) {
        throw new AssertionError("writing failed", writeFailure.get());
      }
      long out = direction.apply(relay.stats()).bytesOut();
      byte[] received = collector.await(out);
      TimeUnit.MILLISECONDS.sleep(20);
      assertEquals(out, collector.size(), "no more than the relay wrote");
      collector.close();
      return received;
    }
  }

  /** Reads an end on its own thread into memory, polling so that close() stops it. */
  private final class Collector implements AutoCloseable {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile boolean running = true;

    Collector(RandomAccessFile file) {
      toClose.add(this);
      thread =
          new Thread(
              () -> {
                byte[] buffer = new byte[64 << 10];
                try {
                  FileInputStream in = new FileInputStream(file.getFD());
                  FaultRelay.Backoff backoff = new FaultRelay.Backoff();
                  while (running) {
                    int available = in.available();
                    if (available == 0) {
                      backoff.idle();
                      continue;
                    }
                    int n = in.read(buffer, 0, Math.min(available, buffer.length));
                    backoff.data();
                    synchronized (received) {
                      received.write(buffer, 0, n);
                    }
                  }
                } catch (IOException e) {
                  // closed
                }
              },
              "collector");
      thread.setDaemon(true);
      thread.start();
    }

    int size() {
      synchronized (received) {
        return received.size();
      }
    }

    byte[] await(long n) throws InterruptedException {
      awaitTrue(() -> size() >= n, "receiving " + n + " bytes (got " + size() + ")");
      synchronized (received) {
        return received.toByteArray();
      }
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Thread writeAsync(
      RandomAccessFile file, byte[] data, AtomicReference<Throwable> failure) {
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int off = 0; off < data.length; off += 64 << 10) {
                  file.write(data, off, Math.min(64 << 10, data.length - off));
                }
              } catch (IOException e) {
                failure.set(e);
              }
            },
            "writer");
    writer.setDaemon(true);
    writer.start();
    return writer;
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out waiting for: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }

  /**
   * Waits until {@code value} has not changed for a second: longer than a busy machine keeps a
   * running thread off the processor.
   */
  private static void awaitStable(LongSupplier value) throws InterruptedException {
    long last = -1;
    long since = System.nanoTime();
    long deadline = since + WAIT.toNanos();
    while (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(1)) {
      long now = value.getAsLong();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      }
      if (System.nanoTime() - deadline > 0) {
        fail("never settled");
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  private static byte[] applyInChunks(LineNoise faults, byte[] data, int chunk) {
    LineNoiseStream state = new LineNoiseStream(faults, faults.seed());
    ByteArrayOutputStream result = new ByteArrayOutputStream();
    byte[] out = new byte[2 * chunk];
    for (int off = 0; off < data.length; off += chunk) {
      int n = Math.min(chunk, data.length - off);
      int length = state.apply(Arrays.copyOfRange(data, off, off + n), n, out);
      result.write(out, 0, length);
    }
    return result.toByteArray();
  }

  private static byte[] random(int length, long seed) {
    byte[] data = new byte[length];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  private static long differingBits(byte[] a, byte[] b) {
    long bits = 0;
    for (int i = 0; i < a.length; i++) {
      bits += Integer.bitCount((a[i] ^ b[i]) & 0xff);
    }
    return bits;
  }

  /** Whether {@code small} is {@code big} with some bytes left out. */
  private static boolean isSubsequence(byte[] small, byte[] big) {
    int i = 0;
    for (int j = 0; j < big.length && i < small.length; j++) {
      if (small[i] == big[j]) {
        i++;
      }
    }
    return i == small.length;
  }
}
