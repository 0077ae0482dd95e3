package dev.secdrive.kit.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two {@link LineRunner}s over an in-memory line: real threads, real time. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineRunnerTest {

  /**
   * A line whose reads find nothing and whose writes go nowhere, for the tests that make one of
   * them fail.
   */
  abstract static class FailingLine implements Line {
    @Override
    public int available() throws IOException {
      return 0;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      return 0;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {}

    @Override
    public void close() {}
  }

  private static void await(BooleanSupplier condition, long millis, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + millis + " ms");
      }
      Thread.sleep(2);
    }
  }

  private static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static boolean stopped(String name) {
    Thread t = thread(name);
    return t == null || !t.isAlive();
  }

  /** Two runners joined by an in-memory line. */
  private static final class Pair implements AutoCloseable {
    final MemoryLine lineA;
    final MemoryLine lineB;
    final List<byte[]> atA = new CopyOnWriteArrayList<>();
    final List<byte[]> atB = new CopyOnWriteArrayList<>();
    final List<IOException> failures = new CopyOnWriteArrayList<>();
    final FramedLink linkA = new FramedLink(atA::add);
    final FramedLink linkB = new FramedLink(atB::add);
    final LineRunner a;
    final LineRunner b;

    Pair(String name, long baud, boolean paced) {
      MemoryLine[] line = MemoryLine.pair();
      lineA = line[0];
      lineB = line[1];
      a =
          new LineRunner(
              name + "-A", lineA, linkA::receive, linkA::takeOutput, baud, paced, failures::add);
      b =
          new LineRunner(
              name + "-B", lineB, linkB::receive, linkB::takeOutput, baud, paced, failures::add);
    }

    @Override
    public void close() {
      a.close();
      b.close();
    }
  }

  private static void assertSameInOrder(List<byte[]> sent, List<byte[]> delivered) {
    assertEquals(sent.size(), delivered.size());
    for (int i = 0; i < sent.size(); i++) {
      assertArrayEquals(sent.get(i), delivered.get(i), "message " + i);
    }
  }

  @Test
  void eightMebibytesEachWayArriveIntact() throws Exception {
    try (Pair pair = new Pair("bulk", 0, false)) {
      SplittableRandom random = new SplittableRandom(1);
      List<byte[]> fromA = new ArrayList<>();
      List<byte[]> fromB = new ArrayList<>();
      for (long total = 0; total < 8 << 20; ) {
        byte[] m = new byte[random.nextInt(1, 512 << 10)];
        random.nextBytes(m);
        fromA.add(m);
        byte[] n = new byte[random.nextInt(1, 512 << 10)];
        random.nextBytes(n);
        fromB.add(n);
        total += m.length;
      }
      fromA.forEach(pair.linkA::send);
      fromB.forEach(pair.linkB::send);
      await(
          () -> pair.atB.size() >= fromA.size() && pair.atA.size() >= fromB.size(),
          20_000,
          "8 MiB each way");
      assertSameInOrder(fromA, pair.atB);
      assertSameInOrder(fromB, pair.atA);
      await(() -> pair.linkA.idle() && pair.linkB.idle(), 5000, "idle");
      assertEquals(List.of(), pair.failures);
      assertEquals(0, pair.linkB.corrupt(), "every byte arrived in order");
      assertTrue(pair.a.bytesWritten() > 8 << 20);
      assertEquals(pair.a.bytesWritten(), pair.b.bytesRead());
    }
  }

  @Test
  void pacedOutputKeepsToTheBaudRate() throws Exception {
    try (Pair pair = new Pair("paced", 1_000_000, true)) {
      byte[] message = new byte[200_000];
      new SplittableRandom(2).nextBytes(message);
      long start = System.nanoTime();
      pair.linkA.send(message);
      await(() -> !pair.atB.isEmpty(), 10_000, "200,000 bytes at 1 Mbaud");
      double seconds = (System.nanoTime() - start) / 1e9;
      assertArrayEquals(message, pair.atB.get(0));
      // 200,000 bytes, 10 bits each, at 1,000,000 bits/s: 2 s plus framing.
      assertTrue(seconds >= 1.5, "took only " + seconds + " s");
      assertTrue(pair.a.bytesWritten() >= 200_000);
    }
  }

  @Test
  void closeStopsBothThreadsPromptlyWhenNothingFlows() throws Exception {
    Pair pair = new Pair("idle-close", 115_200, true);
    Thread.sleep(100);
    for (String name : List.of("idle-close-A", "idle-close-B")) {
      assertTrue(thread(name + "-reader").isAlive());
      assertTrue(thread(name + "-writer").isAlive());
    }
    long start = System.nanoTime();
    pair.a.close();
    long closeA = System.nanoTime() - start;
    pair.b.close();
    long closeBoth = System.nanoTime() - start;
    assertTrue(closeA < 1_000_000_000L, "close took " + closeA / 1e6 + " ms");
    assertTrue(closeBoth < 2_000_000_000L, "closing both took " + closeBoth / 1e6 + " ms");
    for (String name : List.of("idle-close-A", "idle-close-B")) {
      assertTrue(stopped(name + "-reader"), name + " reader still running");
      assertTrue(stopped(name + "-writer"), name + " writer still running");
    }
    assertTrue(pair.lineA.closed() && pair.lineB.closed(), "lines closed");
    assertEquals(List.of(), pair.failures, "closing is not a failure");
  }

  @Test
  void aFailingReadIsReportedExactlyOnce() throws Exception {
    IOException unplugged = new IOException("unplugged");
    AtomicInteger reads = new AtomicInteger();
    Line line =
        new FailingLine() {
          @Override
          public int available() {
            return 1;
          }

          @Override
          public int read(byte[] buffer, int offset, int length) throws IOException {
            reads.incrementAndGet();
            throw unplugged;
          }
        };
    List<IOException> failures = Collections.synchronizedList(new ArrayList<>());
    FramedLink link = new FramedLink(m -> {});
    LineRunner runner =
        new LineRunner(
            "read-fails", line, link::receive, link::takeOutput, 115_200, true, failures::add);
    await(() -> !failures.isEmpty(), 30_000, "failure reported");
    await(
        () -> stopped("read-fails-reader") && stopped("read-fails-writer"), 30_000, "threads stop");
    Thread.sleep(200);
    assertEquals(1, failures.size());
    assertSame(unplugged, failures.get(0));
    assertEquals(1, reads.get(), "no read after the failure");
    runner.close();
    assertEquals(1, failures.size(), "close after a failure reports nothing more");
  }

  /** The reader and the writer fail at the same moment, as when an adapter is unplugged. */
  @Test
  void simultaneousReadAndWriteFailuresAreReportedOnce() throws Exception {
    for (int trial = 0; trial < 200; trial++) {
      CyclicBarrier bothFail = new CyclicBarrier(2);
      Line line =
          new FailingLine() {
            @Override
            public int available() {
              return 1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
              meet(bothFail);
              throw new IOException("read: gone");
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
              meet(bothFail);
              throw new IOException("write: gone");
            }
          };
      AtomicInteger failures = new AtomicInteger();
      FramedLink link = new FramedLink(m -> {});
      link.send(new byte[] {1}); // so the writer writes at once
      LineRunner runner =
          new LineRunner(
              "both-fail",
              line,
              link::receive,
              link::takeOutput,
              0,
              false,
              e -> failures.incrementAndGet());
      await(
          () -> stopped("both-fail-reader") && stopped("both-fail-writer"), 30_000, "threads stop");
      runner.close();
      assertEquals(1, failures.get(), "trial " + trial);
    }
  }

  private static void meet(CyclicBarrier barrier) throws IOException {
    try {
      barrier.await(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("barrier", e);
    }
  }

  @Test
  void aWriterThatThrowsAnUncheckedExceptionIsReported() throws Exception {
    IllegalStateException broken = new IllegalStateException("port handle invalid");
    Line line =
        new FailingLine() {
          @Override
          public void write(byte[] buffer, int offset, int length) {
            throw broken;
          }
        };
    List<IOException> failures = new CopyOnWriteArrayList<>();
    FramedLink link = new FramedLink(m -> {});
    link.send(new byte[] {1});
    LineRunner runner =
        new LineRunner(
            "write-throws", line, link::receive, link::takeOutput, 0, false, failures::add);
    await(() -> !failures.isEmpty(), 30_000, "failure reported");
    await(
        () -> stopped("write-throws-reader") && stopped("write-throws-writer"),
        30_000,
        "threads stop");
    runner.close();
    assertEquals(1, failures.size());
    assertSame(broken, failures.get(0).getCause());
    assertFalse(failures.get(0).getMessage().isEmpty());
  }
}
