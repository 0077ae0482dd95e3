package dev.secdrive.cli;

import dev.secdrive.kit.serial.LineNoise;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive relay}: a noisy serial line between two pty ends, so the serial carrier can be
 * run by hand against bit errors, lost and doubled bytes. Typically each end is one end of a socat
 * pty pair whose other end the host or the emulator opens.
 */
@Command(
    name = "relay",
    mixinStandardHelpOptions = true,
    description = {
      "Relay bytes between two ttys (e.g. socat pty ends) with simulated line faults,",
      "until interrupted (Ctrl-C), printing counters as it goes and at the end.",
      "",
      "Faults are drawn from --seed (printed at the start), so a run can be replayed."
    })
final class RelayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--a", required = true, paramLabel = "PATH", description = "One end.")
  Path a;

  @Option(names = "--b", required = true, paramLabel = "PATH", description = "The other end.")
  Path b;

  @Option(
      names = "--ber",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Probability that a bit is inverted, e.g. 1e-5 (default ${DEFAULT-VALUE}).")
  double bitErrorRate;

  @Option(
      names = "--drop",
      paramLabel = "P",
      defaultValue = "0",
      description = "Probability that a byte is lost (default ${DEFAULT-VALUE}).")
  double dropRate;

  @Option(
      names = "--dup",
      paramLabel = "P",
      defaultValue = "0",
      description = "Probability that a byte is delivered twice (default ${DEFAULT-VALUE}).")
  double duplicateRate;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the faults (default: a random one, printed).")
  Long seed;

  @Option(
      names = "--stats-every",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description =
          "How often to print the counters: 500ms, 5s, 1m or ISO-8601 like PT5S"
              + " (default ${DEFAULT-VALUE}).")
  String statsEvery;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Duration interval = parseDuration("--stats-every", statsEvery);
    if (interval.isZero() || interval.isNegative()) {
      throw new CliException("--stats-every must be positive, not " + statsEvery);
    }
    checkRate("--ber", bitErrorRate);
    checkRate("--drop", dropRate);
    checkRate("--dup", duplicateRate);
    long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    LineNoise faults = new LineNoise(bitErrorRate, dropRate, duplicateRate, actualSeed);

    // Ctrl-C runs shutdown hooks while this thread waits: the hook wakes it and waits for it to
    // print the final counters before the JVM goes.
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                finished.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "secdrive-relay-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return relay(faults, interval, stop, out);
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutting down: the hook is running and has just been released.
      }
    }
  }

  /** Relays until {@code stop} opens or this thread is interrupted; prints counters throughout. */
  private int relay(LineNoise faults, Duration interval, CountDownLatch stop, PrintWriter out) {
    FaultRelay relay = FaultRelay.start(a, b, faults);
    boolean interrupted = false;
    try {
      out.printf(
          "secdrive: relaying %s <-> %s with bit error rate %s, drop %s, duplicate %s, seed %d"
              + " (Ctrl-C stops)%n",
          a, b, bitErrorRate, dropRate, duplicateRate, faults.seed());
      out.flush();
      while (!stop.await(interval.toNanos(), TimeUnit.NANOSECONDS) && relay.failure().isEmpty()) {
        out.println("secdrive: " + relay.stats());
        out.flush();
      }
    } catch (InterruptedException e) {
      interrupted = true; // stopping, as for Ctrl-C; close() first, so it waits for the threads
    } finally {
      relay.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    out.println("secdrive: final: " + relay.stats());
    out.flush();
    if (relay.failure().isPresent()) {
      throw new CliException(relay.failure().get().getMessage(), relay.failure().get());
    }
    return 0;
  }

  private static void checkRate(String option, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new CliException(option + " is a probability, so in [0, 1], not " + rate);
    }
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}, or an ISO-8601 duration such as {@code PT5S}. */
  static Duration parseDuration(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s") && !t.startsWith("p")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m") && !t.startsWith("p")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(text.trim());
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new CliException(
          option + ": '" + text + "' is not a duration (examples: 500ms, 5s, 1m, PT5S)", e);
    }
  }
}
