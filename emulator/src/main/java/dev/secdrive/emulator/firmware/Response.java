package dev.secdrive.emulator.firmware;

import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;

/**
 * How a command ended.
 *
 * @param status GOOD or CHECK CONDITION
 * @param sense the sense data for CHECK CONDITION, else {@code null}
 * @param dataInLength bytes the command put in its data-in buffer
 * @param delayNanos how long after arrival the drive completes the command (0 with fast timing)
 */
public record Response(ScsiStatus status, SenseData sense, int dataInLength, long delayNanos) {

  static Response good(int dataInLength, long delayNanos) {
    return new Response(ScsiStatus.GOOD, null, dataInLength, delayNanos);
  }

  static Response checkCondition(SenseData sense, long delayNanos) {
    return new Response(ScsiStatus.CHECK_CONDITION, sense, 0, delayNanos);
  }
}
