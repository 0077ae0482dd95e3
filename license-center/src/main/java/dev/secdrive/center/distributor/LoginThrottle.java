package dev.secdrive.center.distributor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed password checks per key (a user ID, a remote address) in a fixed window that starts
 * at the first failure: after {@code maxFailures} in the window, {@link #check} refuses the key
 * until the window has passed, before any Argon2id work is spent. A success resets the user's count
 * (not the address's: an attacker's own account must not clear its address). Held in memory per
 * distributor process; the table is pruned of passed windows when it grows.
 */
public final class LoginThrottle {

  /** Five failures in a window of five minutes, then refusals until it passes. */
  public static final int MAX_FAILURES = 5;

  public static final Duration WINDOW = Duration.ofMinutes(5);

  private static final int PRUNE_ABOVE = 10_000;

  /** A refused check: retry after {@code retryAfter} (whole seconds, at least 1). */
  public static final class ThrottledException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    ThrottledException(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }
  }

  private record Window(Instant start, int failures) {}

  private final Clock clock;
  private final int maxFailures;
  private final Duration window;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public LoginThrottle(Clock clock, int maxFailures, Duration window) {
    if (maxFailures < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "a throttle needs 1 or more failures and a positive window");
    }
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.window = window;
  }

  /**
   * @throws ThrottledException if any of {@code keys} (null ones are skipped) had {@code
   *     maxFailures} failures in its current window
   */
  public void check(String... keys) {
    Instant now = clock.instant();
    for (String key : keys) {
      Window w = key == null ? null : windows.get(key);
      if (w != null && w.failures() >= maxFailures && now.isBefore(w.start().plus(window))) {
        long seconds = Math.max(1, ceilSeconds(Duration.between(now, w.start().plus(window))));
        throw new ThrottledException(
            "too many failed logins; retry after " + seconds + " s", Duration.ofSeconds(seconds));
      }
    }
  }

  /** Records a failure for each of {@code keys} (null ones are skipped). */
  public void failed(String... keys) {
    Instant now = clock.instant();
    if (windows.size() > PRUNE_ABOVE) {
      prune(now);
    }
    for (String key : keys) {
      if (key != null) {
        windows.compute(
            key,
            (k, w) ->
                w == null || !now.isBefore(w.start().plus(window))
                    ? new Window(now, 1)
                    : new Window(w.start(), w.failures() + 1));
      }
    }
  }

  /** A success: forgets {@code key}'s failures. */
  public void succeeded(String key) {
    windows.remove(key);
  }

  private void prune(Instant now) {
    List<String> passed = new ArrayList<>();
    windows.forEach(
        (k, w) -> {
          if (!now.isBefore(w.start().plus(window))) {
            passed.add(k);
          }
        });
    passed.forEach(windows::remove);
  }

  private static long ceilSeconds(Duration d) {
    return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
  }
}
