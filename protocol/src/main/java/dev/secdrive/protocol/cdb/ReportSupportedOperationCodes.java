package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * REPORT SUPPORTED OPERATION CODES, MAINTENANCE IN A3h service action 0Ch (SPC-4 6.35).
 *
 * @param returnTimeouts RCTD: append command timeouts descriptors
 * @param reportingOptions byte 2 bits 2-0: 000b all commands, 001b one operation code, 010b one
 *     operation code and service action
 * @param requestedOperationCode byte 3
 * @param requestedServiceAction bytes 4-5
 * @param allocationLength bytes 6-9
 */
public record ReportSupportedOperationCodes(
    boolean returnTimeouts,
    int reportingOptions,
    int requestedOperationCode,
    int requestedServiceAction,
    long allocationLength,
    int control)
    implements Cdb {

  public static final int REPORT_ALL = 0b000;
  public static final int REPORT_ONE = 0b001;
  public static final int REPORT_ONE_WITH_SERVICE_ACTION = 0b010;

  private static final int RCTD = 0x80;

  public ReportSupportedOperationCodes {
    checkUnsigned("reportingOptions", reportingOptions, 3);
    checkUnsigned("requestedOperationCode", requestedOperationCode, 8);
    checkUnsigned("requestedServiceAction", requestedServiceAction, 16);
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public static ReportSupportedOperationCodes all(long allocationLength) {
    return new ReportSupportedOperationCodes(false, REPORT_ALL, 0, 0, allocationLength, 0);
  }

  public static ReportSupportedOperationCodes decode(byte[] cdb) {
    return new ReportSupportedOperationCodes(
        (cdb[2] & RCTD) != 0,
        cdb[2] & 0x07,
        cdb[3] & 0xFF,
        u16(cdb, 4),
        u32(cdb, 6),
        cdb[11] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.REPORT_SUPPORTED_OPERATION_CODES;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[1] = (byte) opcode().serviceAction();
    out[2] = (byte) ((returnTimeouts ? RCTD : 0) | reportingOptions);
    out[3] = (byte) requestedOperationCode;
    putU16(out, 4, requestedServiceAction);
    putU32(out, 6, allocationLength);
    out[11] = (byte) control;
    return out;
  }
}
