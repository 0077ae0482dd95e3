package dev.secdrive.protocol.sense;

/** The sense key, a four-bit field: all sixteen values of SPC-4 table 27. */
public enum SenseKey {
  NO_SENSE(0x0, "NO SENSE"),
  RECOVERED_ERROR(0x1, "RECOVERED ERROR"),
  NOT_READY(0x2, "NOT READY"),
  MEDIUM_ERROR(0x3, "MEDIUM ERROR"),
  HARDWARE_ERROR(0x4, "HARDWARE ERROR"),
  ILLEGAL_REQUEST(0x5, "ILLEGAL REQUEST"),
  UNIT_ATTENTION(0x6, "UNIT ATTENTION"),
  DATA_PROTECT(0x7, "DATA PROTECT"),
  BLANK_CHECK(0x8, "BLANK CHECK"),
  VENDOR_SPECIFIC(0x9, "VENDOR SPECIFIC"),
  COPY_ABORTED(0xA, "COPY ABORTED"),
  ABORTED_COMMAND(0xB, "ABORTED COMMAND"),
  RESERVED_C(0xC, "RESERVED (0Ch)"),
  VOLUME_OVERFLOW(0xD, "VOLUME OVERFLOW"),
  MISCOMPARE(0xE, "MISCOMPARE"),
  COMPLETED(0xF, "COMPLETED");

  private static final SenseKey[] BY_CODE = new SenseKey[16];

  static {
    for (SenseKey key : values()) {
      if (BY_CODE[key.code] != null) {
        throw new ExceptionInInitializerError("duplicate sense key " + key.code);
      }
      BY_CODE[key.code] = key;
    }
  }

  private final int code;
  private final String text;

  SenseKey(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  /** The name as SPC-4 prints it, e.g. {@code NOT READY}. */
  public String text() {
    return text;
  }

  /**
   * Returns the sense key for a four-bit value.
   *
   * @throws IllegalArgumentException if {@code code} does not fit in four bits
   */
  public static SenseKey fromCode(int code) {
    if (code < 0 || code > 0xF) {
      throw new IllegalArgumentException("sense key out of range: " + code);
    }
    return BY_CODE[code];
  }
}
