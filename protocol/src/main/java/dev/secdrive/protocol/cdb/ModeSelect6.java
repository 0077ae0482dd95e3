package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * MODE SELECT(6) (SPC-4 6.9): the data-out is a mode parameter list, header (6), block descriptors
 * and pages (SPC-4 7.5).
 *
 * @param pageFormat PF, byte 1 bit 4: the pages follow SPC-4's page format
 * @param savePages SP, byte 1 bit 0: save the pages as well
 * @param parameterListLength byte 4
 */
public record ModeSelect6(
    boolean pageFormat, boolean savePages, int parameterListLength, int control)
    implements ModeSelect {

  public ModeSelect6 {
    checkUnsigned("parameterListLength", parameterListLength, 8);
    checkUnsigned("control", control, 8);
  }

  /** A page-format list of {@code parameterListLength} bytes, not saved. */
  public ModeSelect6(int parameterListLength) {
    this(true, false, parameterListLength, 0);
  }

  public static ModeSelect6 decode(byte[] cdb) {
    return new ModeSelect6((cdb[1] & PF) != 0, (cdb[1] & SP) != 0, cdb[4] & 0xFF, cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.MODE_SELECT_6;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) ((pageFormat ? PF : 0) | (savePages ? SP : 0));
    out[4] = (byte) parameterListLength;
    out[5] = (byte) control;
    return out;
  }

  @Override
  public int parameterListLengthOffset() {
    return 4;
  }
}
