package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * REPORT LUNS (SPC-4 6.33).
 *
 * @param selectReport byte 2: 00h all logical units secdrive addresses, 01h/02h well-known units
 * @param allocationLength bytes 6-9; at least 16 (SPC-4)
 */
public record ReportLuns(int selectReport, long allocationLength, int control) implements Cdb {

  public static final int MINIMUM_ALLOCATION_LENGTH = 16;

  public ReportLuns {
    checkUnsigned("selectReport", selectReport, 8);
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public ReportLuns(long allocationLength) {
    this(0, allocationLength, 0);
  }

  public static ReportLuns decode(byte[] cdb) {
    return new ReportLuns(cdb[2] & 0xFF, u32(cdb, 6), cdb[11] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.REPORT_LUNS;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[2] = (byte) selectReport;
    putU32(out, 6, allocationLength);
    out[11] = (byte) control;
    return out;
  }
}
