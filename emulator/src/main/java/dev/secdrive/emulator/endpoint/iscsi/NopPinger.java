package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.NopOut;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The target's NOP-In pings (RFC 7143 section 11.19): when a logged-in initiator has sent nothing
 * for {@link Settings#interval()}, the target sends a NOP-In with a Target Transfer Tag, which the
 * initiator must answer with a NOP-Out carrying that tag (section 11.18); without an answer within
 * {@link Settings#timeout()} the connection is closed, and with it the session (ErrorRecoveryLevel
 * 0). So a vanished initiator does not hold its session, its PREVENT and its unit attentions
 * forever.
 *
 * <p>The timers run on {@link Settings#scheduler()} (a manual one in tests) and hop to the
 * connection's event loop, where everything else happens.
 */
final class NopPinger {

  /**
   * When to ping and how long to wait for the answer.
   *
   * @param scheduler where the timers run, or {@code null} for the connection's event loop
   */
  record Settings(Duration interval, Duration timeout, ScheduledExecutorService scheduler) {
    Settings {
      if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("NOP-In interval and timeout must be positive");
      }
    }
  }

  /** What the pinger needs of its connection; called on the connection's event loop. */
  interface Pinged {
    /** Runs {@code task} on the connection's event loop. */
    void onLoop(Runnable task);

    /** Whether the connection is still in the full feature phase. */
    boolean live();

    /** Sends a NOP-In ping with {@code targetTransferTag}. */
    void ping(int targetTransferTag);

    /** The initiator did not answer: close. */
    void unanswered();
  }

  private final Settings settings;
  private final Pinged connection;
  private boolean heard;
  private int outstanding = IscsiPdu.RESERVED_TAG;
  private int nextTag = 1;
  private boolean stopped;

  private final ScheduledExecutorService scheduler;

  NopPinger(Settings settings, Pinged connection, ScheduledExecutorService loop) {
    this.settings = settings;
    this.connection = connection;
    this.scheduler = settings.scheduler() == null ? loop : settings.scheduler();
  }

  /** Login is done: the idle clock starts. */
  void start() {
    schedule(this::tick, settings.interval());
  }

  /** The initiator sent a PDU. */
  void heard() {
    heard = true;
  }

  /** Whether {@code nop} answers this pinger's outstanding ping; it no longer is if so. */
  boolean answered(NopOut nop) {
    if (outstanding == IscsiPdu.RESERVED_TAG || nop.targetTransferTag() != outstanding) {
      return false;
    }
    outstanding = IscsiPdu.RESERVED_TAG;
    heard = false; // the answer restarts the idle clock; the next ping comes an interval later
    schedule(this::tick, settings.interval());
    return true;
  }

  void stop() {
    stopped = true;
  }

  private void tick() {
    if (stopped || !connection.live() || outstanding != IscsiPdu.RESERVED_TAG) {
      return;
    }
    if (heard) {
      heard = false;
      schedule(this::tick, settings.interval());
      return;
    }
    int tag = nextTag++;
    if (nextTag == IscsiPdu.RESERVED_TAG) {
      nextTag = 1;
    }
    outstanding = tag;
    connection.ping(tag);
    schedule(() -> expire(tag), settings.timeout());
  }

  private void expire(int tag) {
    if (!stopped && connection.live() && outstanding == tag) {
      connection.unanswered();
    }
  }

  private void schedule(Runnable task, Duration after) {
    if (stopped) {
      return;
    }
    try {
      scheduler.schedule(() -> connection.onLoop(task), after.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      stopped = true; // the emulator is shutting down
    }
  }
}
