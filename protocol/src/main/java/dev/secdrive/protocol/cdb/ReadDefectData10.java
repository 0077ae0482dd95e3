package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * READ DEFECT DATA(10) (SBC-3 5.18).
 *
 * @param requestPlist REQ_PLIST, byte 2 bit 4: the primary (manufacturer's) defect list
 * @param requestGlist REQ_GLIST, byte 2 bit 3: the grown defect list
 * @param format DEFECT LIST FORMAT, byte 2 bits 2-0
 * @param allocationLength bytes 7-8
 */
public record ReadDefectData10(
    boolean requestPlist, boolean requestGlist, int format, int allocationLength, int control)
    implements Cdb {

  static final int PLIST = 0x10;
  static final int GLIST = 0x08;
  static final int FORMAT_MASK = 0x07;

  public ReadDefectData10 {
    checkUnsigned("format", format, 3);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static ReadDefectData10 decode(byte[] cdb) {
    return new ReadDefectData10(
        (cdb[2] & PLIST) != 0,
        (cdb[2] & GLIST) != 0,
        cdb[2] & FORMAT_MASK,
        u16(cdb, 7),
        cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_DEFECT_DATA_10;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[2] = (byte) ((requestPlist ? PLIST : 0) | (requestGlist ? GLIST : 0) | format);
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }
}
