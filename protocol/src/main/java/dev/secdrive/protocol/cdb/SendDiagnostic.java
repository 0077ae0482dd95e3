package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * SEND DIAGNOSTIC (SPC-4 6.42).
 *
 * @param selfTestCode byte 1 bits 7-5: 000b with SELFTEST, or one of the short and extended tests
 *     (001b, 010b background; 101b, 110b foreground; 100b aborts a background test)
 * @param pageFormat PF, byte 1 bit 4
 * @param selfTest SELFTEST, byte 1 bit 2: run the default self-test
 * @param deviceOffline DEVOFFL, byte 1 bit 1
 * @param unitOffline UNITOFFL, byte 1 bit 0
 * @param parameterListLength bytes 3-4: the diagnostic pages in the data-out
 */
public record SendDiagnostic(
    int selfTestCode,
    boolean pageFormat,
    boolean selfTest,
    boolean deviceOffline,
    boolean unitOffline,
    int parameterListLength,
    int control)
    implements Cdb {

  public static final int NO_SELF_TEST_CODE = 0b000;
  public static final int BACKGROUND_SHORT = 0b001;
  public static final int BACKGROUND_EXTENDED = 0b010;
  public static final int ABORT_BACKGROUND = 0b100;
  public static final int FOREGROUND_SHORT = 0b101;
  public static final int FOREGROUND_EXTENDED = 0b110;

  private static final int PF = 0x10;
  private static final int SELFTEST = 0x04;
  private static final int DEVOFFL = 0x02;
  private static final int UNITOFFL = 0x01;

  public SendDiagnostic {
    checkUnsigned("selfTestCode", selfTestCode, 3);
    checkUnsigned("parameterListLength", parameterListLength, 16);
    checkUnsigned("control", control, 8);
  }

  /** The default self-test (SELFTEST 1), units kept online. */
  public static SendDiagnostic defaultSelfTest() {
    return new SendDiagnostic(NO_SELF_TEST_CODE, false, true, false, false, 0, 0);
  }

  public static SendDiagnostic decode(byte[] cdb) {
    int flags = cdb[1] & 0xFF;
    return new SendDiagnostic(
        flags >>> 5,
        (flags & PF) != 0,
        (flags & SELFTEST) != 0,
        (flags & DEVOFFL) != 0,
        (flags & UNITOFFL) != 0,
        u16(cdb, 3),
        cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.SEND_DIAGNOSTIC;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] =
        (byte)
            (selfTestCode << 5
                | (pageFormat ? PF : 0)
                | (selfTest ? SELFTEST : 0)
                | (deviceOffline ? DEVOFFL : 0)
                | (unitOffline ? UNITOFFL : 0));
    putU16(out, 3, parameterListLength);
    out[5] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return "SEND DIAGNOSTIC" + (selfTest ? " selftest" : " code=" + selfTestCode);
  }
}
