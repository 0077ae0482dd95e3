package dev.secdrive.protocol.sense;

import java.util.Optional;

/** The status byte returned at the end of every command (SAM-5 table 37). */
public enum ScsiStatus {
  GOOD(0x00),
  CHECK_CONDITION(0x02),
  CONDITION_MET(0x04),
  BUSY(0x08),
  RESERVATION_CONFLICT(0x18),
  TASK_SET_FULL(0x28),
  ACA_ACTIVE(0x30),
  TASK_ABORTED(0x40);

  private static final ScsiStatus[] BY_CODE = new ScsiStatus[256];

  static {
    for (ScsiStatus status : values()) {
      if (BY_CODE[status.code] != null) {
        throw new ExceptionInInitializerError("duplicate status code " + status.code);
      }
      BY_CODE[status.code] = status;
    }
  }

  private final int code;

  ScsiStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The name as SAM-5 prints it, e.g. {@code TASK SET FULL}. */
  public String text() {
    return name().replace('_', ' ');
  }

  /** Returns the status for {@code code}, or empty for a value SAM-5 does not define. */
  public static Optional<ScsiStatus> find(int code) {
    return code >= 0 && code < BY_CODE.length
        ? Optional.ofNullable(BY_CODE[code])
        : Optional.empty();
  }

  /**
   * Returns the status for {@code code}.
   *
   * @throws IllegalArgumentException if SAM-5 defines no such status
   */
  public static ScsiStatus fromCode(int code) {
    return find(code)
        .orElseThrow(
            () -> new IllegalArgumentException(String.format("unknown SCSI status 0x%02X", code)));
  }
}
