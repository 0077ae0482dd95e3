package dev.secdrive.cli;

import dev.secdrive.profiles.MediumType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * How {@code secdrive bench} measures a case: a warm-up, then several timed rounds, and the median
 * round in the report. Throughput keeps a number of commands in flight; latency runs one at a time,
 * blocking or chained in the completions.
 */
final class BenchRounds {

  static final int LARGE = 128 << 10;
  static final int SMALL = 4 << 10;

  private final int rounds;
  private final double roundSeconds;
  private final BenchReport report;

  BenchRounds(int rounds, double roundSeconds, BenchReport report) {
    this.rounds = rounds;
    this.roundSeconds = roundSeconds;
    this.report = report;
  }

  int rounds() {
    return rounds;
  }

  double roundSeconds() {
    return roundSeconds;
  }

  BenchReport report() {
    return report;
  }

  record Rate(double bytesPerSecond, long bytes) {}

  record Latency(double perSecond, double medianMicros, double p99Micros) {}

  /** The report's header for a run on {@code type}. */
  void header(MediumType type) {
    report
        .out()
        .printf(
            "secdrive bench: %d cores, Java %s, --timing fast, medium %s (%d-byte blocks), %d rounds of %.1f s, median round%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            type.type(),
            type.blockSize(),
            rounds,
            roundSeconds);
    report.out().printf("MB = 10^6 bytes%n%n");
  }

  /** The next {@code blocks}-block slot of a region, cycling over it. */
  static long next(AtomicLong cursor, int blocks, long regionBlocks) {
    long slot = cursor.getAndIncrement();
    return (slot * blocks) % (regionBlocks - regionBlocks % blocks);
  }

  /** Runs {@code depth} commands at a time for each round; returns the median round's rate. */
  Rate throughput(String name, int depth, int bytesPerOp, LongFunction<CompletableFuture<?>> op)
      throws InterruptedException {
    runRound(depth, op, (long) (0.3 * 1e9)); // warm-up
    double[] rates = new double[rounds];
    long total = 0;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      long ops = runRound(depth, op, (long) (roundSeconds * 1e9));
      double seconds = (System.nanoTime() - start) / 1e9;
      rates[r] = ops * (double) bytesPerOp / seconds;
      total += ops * (long) bytesPerOp;
    }
    Arrays.sort(rates);
    double median = rates[rounds / 2];
    report.line(name, BenchReport.mbps(median));
    report.put(name, BenchReport.round(median / 1e6));
    return new Rate(median, total / rounds);
  }

  /** Keeps {@code depth} operations in flight until the deadline; returns how many completed. */
  static long runRound(int depth, LongFunction<CompletableFuture<?>> op, long nanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    AtomicLong done = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(depth);
    for (int i = 0; i < depth; i++) {
      chain(op, deadline, done, failure, finished);
    }
    finished.await();
    if (failure.get() != null) {
      throw new CliException(
          "benchmark command failed: " + failure.get().getMessage(), failure.get());
    }
    return done.get();
  }

  private static void chain(
      LongFunction<CompletableFuture<?>> op,
      long deadline,
      AtomicLong done,
      AtomicReference<Throwable> failure,
      CountDownLatch finished) {
    if (System.nanoTime() >= deadline || failure.get() != null) {
      finished.countDown();
      return;
    }
    op.apply(done.get())
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                done.incrementAndGet();
              }
              chain(op, deadline, done, failure, finished);
            });
  }

  /**
   * One operation at a time as an asynchronous application issues them: the next starts in the
   * completion of the previous one, on the driver's I/O thread, with no thread hand-off between.
   */
  Latency chainedLatency(String name, Supplier<CompletableFuture<?>> op)
      throws InterruptedException {
    chainRound(op, 300_000_000L, new ArrayList<>()); // warm-up
    double[] rates = new double[rounds];
    List<Long> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<Long> round = new ArrayList<>();
      long start = System.nanoTime();
      chainRound(op, (long) (roundSeconds * 1e9), round);
      rates[r] = round.size() / ((System.nanoTime() - start) / 1e9);
      samples.addAll(round);
    }
    return report(name, rates, samples);
  }

  private static void chainRound(Supplier<CompletableFuture<?>> op, long nanos, List<Long> samples)
      throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          long start = System.nanoTime();
          op.get()
              .whenComplete(
                  (result, error) -> {
                    long end = System.nanoTime();
                    if (error != null) {
                      failure.set(error);
                      done.countDown();
                    } else {
                      samples.add(end - start);
                      if (end < deadline) {
                        next[0].run();
                      } else {
                        done.countDown();
                      }
                    }
                  });
        };
    next[0].run();
    done.await();
    if (failure.get() != null) {
      throw new CliException(
          "benchmark command failed: " + failure.get().getMessage(), failure.get());
    }
  }

  /** One operation at a time, timing each; the median round's rate and all-round percentiles. */
  Latency latency(String name, Supplier<CompletableFuture<?>> op) {
    return latency(name, "IOPS", op);
  }

  Latency latency(String name, String unit, Supplier<CompletableFuture<?>> op) {
    for (long end = System.nanoTime() + 300_000_000L; System.nanoTime() < end; ) {
      op.get().join();
    }
    double[] rates = new double[rounds];
    List<Long> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      long deadline = start + (long) (roundSeconds * 1e9);
      long ops = 0;
      long now = start;
      while (now < deadline) {
        op.get().join();
        long after = System.nanoTime();
        samples.add(after - now);
        now = after;
        ops++;
      }
      rates[r] = ops / ((now - start) / 1e9);
    }
    return report(name, unit, rates, samples);
  }

  private Latency report(String name, double[] rates, List<Long> samples) {
    return report(name, "IOPS", rates, samples);
  }

  private Latency report(String name, String unit, double[] rates, List<Long> samples) {
    Arrays.sort(rates);
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    double median = sorted[sorted.length / 2] / 1e3;
    double p99 = sorted[(int) (sorted.length * 0.99)] / 1e3;
    Latency latency = new Latency(rates[rounds / 2], median, p99);
    report.line(
        name,
        String.format(
            "%,.0f %s, median %.0f us, p99 %.0f us", latency.perSecond(), unit, median, p99));
    report.put(
        name,
        Map.of(
            "iops",
            Math.round(latency.perSecond()),
            "medianMicros",
            BenchReport.round(median),
            "p99Micros",
            BenchReport.round(p99)));
    return latency;
  }
}
