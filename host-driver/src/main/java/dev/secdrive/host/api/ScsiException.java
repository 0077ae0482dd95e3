package dev.secdrive.host.api;

import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;

/**
 * The device ended a command with a status other than GOOD. Reads like {@code NOT READY: MEDIUM NOT
 * PRESENT (02/3A/00) on READ(10) lba=0 blocks=1}.
 */
public class ScsiException extends DriveException {

  private final ScsiStatus status;
  private final transient SenseData sense;
  private final String command;

  public ScsiException(ScsiStatus status, SenseData sense, String command) {
    super(message(status, sense, command));
    this.status = status;
    this.sense = sense;
    this.command = command;
  }

  private static String message(ScsiStatus status, SenseData sense, String command) {
    String what;
    if (sense != null) {
      what = sense.describe();
      if (sense.valid()) {
        what +=
            " at " + (sense.key() == SenseKey.MISCOMPARE ? "byte " : "LBA ") + sense.information();
      }
    } else {
      what =
          status == ScsiStatus.CHECK_CONDITION
              ? "CHECK CONDITION without sense data"
              : status.text();
    }
    return what + " on " + command;
  }

  public ScsiStatus status() {
    return status;
  }

  /** The sense data, or null when the status carried none. */
  public SenseData sense() {
    return sense;
  }

  /** The command, as in the message: {@code READ(10) lba=0 blocks=1}. */
  public String command() {
    return command;
  }

  /** Whether the sense reports {@code key} with {@code asc}. */
  public boolean is(SenseKey key, AdditionalSense asc) {
    return sense != null && sense.is(key, asc);
  }

  public boolean isUnitAttention() {
    return sense != null && sense.key() == SenseKey.UNIT_ATTENTION;
  }
}
