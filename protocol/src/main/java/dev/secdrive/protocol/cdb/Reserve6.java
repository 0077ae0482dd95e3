package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * RESERVE(6) (SPC-2 7.21; obsolete in SPC-4, still sent by initiators that fence a drive without
 * persistent reservations). secdrive reserves the whole logical unit for the I_T nexus that asks.
 *
 * @param obsoleteFlags byte 1: SPC-2's third-party and extent fields, which secdrive does not serve
 *     (a non-zero value is refused)
 */
public record Reserve6(int obsoleteFlags, int control) implements Cdb {

  public Reserve6 {
    checkUnsigned("obsoleteFlags", obsoleteFlags, 8);
    checkUnsigned("control", control, 8);
  }

  public Reserve6() {
    this(0, 0);
  }

  public static Reserve6 decode(byte[] cdb) {
    return new Reserve6(cdb[1] & 0xFF, cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.RESERVE_6;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) obsoleteFlags;
    out[5] = (byte) control;
    return out;
  }
}
