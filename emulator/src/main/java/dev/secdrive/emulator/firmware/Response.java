package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;

/**
 * How a command ended.
 *
 * @param status GOOD, CHECK CONDITION or RESERVATION CONFLICT
 * @param sense the sense data for CHECK CONDITION, else {@code null}
 * @param dataInLength bytes the command put in its data-in buffer
 * @param dataOutLength bytes of data-out the command's CDB calls for (SAM-5's SPDTL), or {@link
 *     #AS_SENT} when it takes the data-out as it came; an endpoint reports a difference from what
 *     the host sent as a residual (RFC 7143 11.4.5.1)
 * @param delayNanos how long after arrival the drive completes the command (0 with fast timing)
 * @param fault the injected fault that fired during the command, for the command log ({@code
 *     read-error lba=2048}), or {@code null}
 * @param cutAfter bytes of the data-in that go out before a fault script cuts the connection, or -1
 *     for the whole answer
 */
public record Response(
    ScsiStatus status,
    SenseData sense,
    int dataInLength,
    long dataOutLength,
    long delayNanos,
    String fault,
    long cutAfter) {

  /** The command names no data-out length of its own: whatever the host sent is what it took. */
  public static final long AS_SENT = -1;

  static Response good(int dataInLength, long dataOutLength, long delayNanos) {
    return new Response(ScsiStatus.GOOD, null, dataInLength, dataOutLength, delayNanos, null, -1);
  }

  static Response reservationConflict(long delayNanos) {
    return new Response(ScsiStatus.RESERVATION_CONFLICT, null, 0, AS_SENT, delayNanos, null, -1);
  }

  /**
   * This response as the faults that fired during its command leave it: named for the log (null:
   * none), held back {@code delay} ns more, cut after {@code cut} bytes of data-in (-1: not).
   */
  Response withFaults(String fired, long delay, long cut) {
    return fired == null && delay == 0 && cut < 0
        ? this
        : new Response(status, sense, dataInLength, dataOutLength, delayNanos + delay, fired, cut);
  }

  static Response checkCondition(SenseData sense, long dataOutLength, long delayNanos) {
    return new Response(ScsiStatus.CHECK_CONDITION, sense, 0, dataOutLength, delayNanos, null, -1);
  }
}
