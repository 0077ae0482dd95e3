package dev.secdrive.protocol.iscsi;

/** The reason code of a Logout Request (RFC 7143 section 11.14.1). */
public enum LogoutReason {
  CLOSE_SESSION(0),
  CLOSE_CONNECTION(1),
  REMOVE_CONNECTION_FOR_RECOVERY(2);

  private final int code;

  LogoutReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The reason with this seven-bit code.
   *
   * @throws IllegalArgumentException for a reserved code
   */
  public static LogoutReason fromCode(int code) {
    if (code < 0 || code >= values().length) {
      throw new IllegalArgumentException("reserved logout reason " + code);
    }
    return values()[code];
  }
}
