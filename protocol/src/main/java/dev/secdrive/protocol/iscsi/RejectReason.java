package dev.secdrive.protocol.iscsi;

/**
 * The reason codes of a Reject PDU (RFC 7143 section 11.17.1). Code 01h is reserved and 0Bh
 * (negotiation reset) is deprecated; neither is sent.
 */
public enum RejectReason {
  DATA_DIGEST_ERROR(0x02),
  SNACK_REJECT(0x03),
  PROTOCOL_ERROR(0x04),
  COMMAND_NOT_SUPPORTED(0x05),
  IMMEDIATE_COMMAND_REJECT(0x06),
  TASK_IN_PROGRESS(0x07),
  INVALID_DATA_ACK(0x08),
  INVALID_PDU_FIELD(0x09),
  LONG_OPERATION_REJECT(0x0A),
  DEPRECATED(0x0B),
  WAITING_FOR_LOGOUT(0x0C);

  private final int code;

  RejectReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The reason with this code.
   *
   * @throws IllegalArgumentException for a reserved code
   */
  public static RejectReason fromCode(int code) {
    for (RejectReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    throw new IllegalArgumentException(String.format("reserved Reject reason 0x%02X", code));
  }
}
