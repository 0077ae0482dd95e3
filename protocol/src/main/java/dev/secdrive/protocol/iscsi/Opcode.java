package dev.secdrive.protocol.iscsi;

/**
 * The opcodes of RFC 7143 section 11.1.1.1 (byte 0, bits 5-0 of the Basic Header Segment). SNACK is
 * listed so that it is recognised and refused as not supported (secdrive negotiates
 * ErrorRecoveryLevel 0, where no SNACK is sent); codes not listed are reserved.
 */
public enum Opcode {
  NOP_OUT(0x00, Sender.INITIATOR),
  SCSI_COMMAND(0x01, Sender.INITIATOR),
  TASK_MANAGEMENT_REQUEST(0x02, Sender.INITIATOR),
  LOGIN_REQUEST(0x03, Sender.INITIATOR),
  TEXT_REQUEST(0x04, Sender.INITIATOR),
  SCSI_DATA_OUT(0x05, Sender.INITIATOR),
  LOGOUT_REQUEST(0x06, Sender.INITIATOR),
  SNACK_REQUEST(0x10, Sender.INITIATOR),
  NOP_IN(0x20, Sender.TARGET),
  SCSI_RESPONSE(0x21, Sender.TARGET),
  TASK_MANAGEMENT_RESPONSE(0x22, Sender.TARGET),
  LOGIN_RESPONSE(0x23, Sender.TARGET),
  TEXT_RESPONSE(0x24, Sender.TARGET),
  SCSI_DATA_IN(0x25, Sender.TARGET),
  LOGOUT_RESPONSE(0x26, Sender.TARGET),
  R2T(0x31, Sender.TARGET),
  ASYNC_MESSAGE(0x32, Sender.TARGET),
  REJECT(0x3F, Sender.TARGET);

  /** Which end of a connection sends a PDU. */
  public enum Sender {
    INITIATOR,
    TARGET
  }

  private static final Opcode[] BY_CODE = new Opcode[64];

  static {
    for (Opcode opcode : values()) {
      if (BY_CODE[opcode.code] != null) {
        throw new ExceptionInInitializerError("duplicate iSCSI opcode " + opcode.code);
      }
      BY_CODE[opcode.code] = opcode;
    }
  }

  private final int code;
  private final Sender sender;

  Opcode(int code, Sender sender) {
    this.code = code;
    this.sender = sender;
  }

  /** The six-bit code. */
  public int code() {
    return code;
  }

  public Sender sender() {
    return sender;
  }

  /** Whether {@code code} (0..63) is a defined opcode. */
  public static boolean isDefined(int code) {
    return code >= 0 && code < BY_CODE.length && BY_CODE[code] != null;
  }

  /**
   * The opcode with this six-bit code.
   *
   * @throws IllegalArgumentException for a reserved code; {@link #isDefined} asks first
   */
  public static Opcode fromCode(int code) {
    if (!isDefined(code)) {
      throw new IllegalArgumentException(String.format("reserved iSCSI opcode 0x%02X", code));
    }
    return BY_CODE[code];
  }
}
