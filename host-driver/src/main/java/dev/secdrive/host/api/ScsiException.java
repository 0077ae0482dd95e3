package dev.secdrive.host.api;

import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.Optional;

/**
 * The device ended a command with a status other than GOOD. Reads like {@code NOT READY: MEDIUM NOT
 * PRESENT (02/3A/00) on READ(10) lba=0 blocks=1}. A refusal of the secure layer adds its reason
 * (PROTOCOL.md "Refusals"): {@code ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE -
 * AUTHENTICATION FAILURE (05/6F/00): stale backup: ... (this drive has recorded license version 3)
 * on SECURITY PROTOCOL OUT RESTORE}.
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

  private ScsiException(ScsiException refused, String detail) {
    super(refused.getMessage() + "; " + detail, refused);
    this.status = refused.status;
    this.sense = refused.sense;
    this.command = refused.command;
  }

  /**
   * This refusal with {@code detail} the host knows added to the message (the same status, sense
   * and command; this exception as the cause).
   */
  public ScsiException withDetail(String detail) {
    return new ScsiException(this, detail);
  }

  private static String message(ScsiStatus status, SenseData sense, String command) {
    String what;
    if (sense != null) {
      what = sense.describe();
      Optional<Reason> reason = Reason.fromSense(sense);
      if (reason.isPresent()) {
        what += ": " + reason.get().text();
        if (sense.valid()) {
          what += information(reason.get(), sense.information());
        }
      } else if (sense.valid()) {
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

  /** What INFORMATION means for a reason that carries one. */
  private static String information(Reason reason, long information) {
    if (reason == Reason.STALE) {
      // 07h is a backup or secure area older than the medium's write counter or than the version
      // the drive recorded for the medium; INFORMATION holds whichever the drive compared with.
      return " (the medium's write counter or the license version this drive recorded: "
          + information
          + ")";
    }
    if (reason == Reason.DRIVE_STATE_ROLLED_BACK) {
      return " (the drive committed the secure area at its counter " + information + ")";
    }
    return " (information " + information + ")";
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

  /** Why the secure layer refused the command, if it did (COMMAND-SPECIFIC INFORMATION). */
  public Optional<Reason> reason() {
    return sense == null ? Optional.empty() : Reason.fromSense(sense);
  }

  public boolean isUnitAttention() {
    return sense != null && sense.key() == SenseKey.UNIT_ATTENTION;
  }
}
