package dev.secdrive.protocol.iscsi;

/** The ATTR field of a SCSI Command (RFC 7143 section 11.3.1.3); codes 5-7 are reserved. */
public enum TaskAttribute {
  UNTAGGED(0),
  SIMPLE(1),
  ORDERED(2),
  HEAD_OF_QUEUE(3),
  ACA(4);

  private final int code;

  TaskAttribute(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The attribute with this three-bit code.
   *
   * @throws IllegalArgumentException for a reserved code
   */
  public static TaskAttribute fromCode(int code) {
    if (code < 0 || code >= values().length) {
      throw new IllegalArgumentException("reserved task attribute " + code);
    }
    return values()[code];
  }
}
