package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SPC-4 6.13).
 *
 * @param prevent byte 4 bits 1-0: 00b allow, 01b prevent; 10b and 11b concern medium changers
 */
public record PreventAllowMediumRemoval(int prevent, int control) implements Cdb {

  public static final int ALLOW = 0b00;
  public static final int PREVENT = 0b01;

  public PreventAllowMediumRemoval {
    checkUnsigned("prevent", prevent, 2);
    checkUnsigned("control", control, 8);
  }

  public static PreventAllowMediumRemoval of(boolean prevent) {
    return new PreventAllowMediumRemoval(prevent ? PREVENT : ALLOW, 0);
  }

  public static PreventAllowMediumRemoval decode(byte[] cdb) {
    return new PreventAllowMediumRemoval(cdb[4] & 0x03, cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[4] = (byte) prevent;
    out[5] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return prevent == PREVENT
        ? "PREVENT ALLOW MEDIUM REMOVAL (prevent)"
        : "PREVENT ALLOW MEDIUM REMOVAL (allow)";
  }
}
