package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * MODE SELECT(10) (SPC-4 6.10): the data-out is a mode parameter list, header (10), block
 * descriptors and pages (SPC-4 7.5).
 *
 * @param pageFormat PF, byte 1 bit 4: the pages follow SPC-4's page format
 * @param savePages SP, byte 1 bit 0: save the pages as well
 * @param parameterListLength bytes 7-8
 */
public record ModeSelect10(
    boolean pageFormat, boolean savePages, int parameterListLength, int control)
    implements ModeSelect {

  public ModeSelect10 {
    checkUnsigned("parameterListLength", parameterListLength, 16);
    checkUnsigned("control", control, 8);
  }

  /** A page-format list of {@code parameterListLength} bytes, not saved. */
  public ModeSelect10(int parameterListLength) {
    this(true, false, parameterListLength, 0);
  }

  public static ModeSelect10 decode(byte[] cdb) {
    return new ModeSelect10((cdb[1] & PF) != 0, (cdb[1] & SP) != 0, u16(cdb, 7), cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.MODE_SELECT_10;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) ((pageFormat ? PF : 0) | (savePages ? SP : 0));
    putU16(out, 7, parameterListLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public int parameterListLengthOffset() {
    return 7;
  }
}
