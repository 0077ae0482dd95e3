package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * INQUIRY (SPC-4 6.6).
 *
 * @param evpd the EVPD bit: return the vital product data page {@code pageCode}
 * @param pageCode byte 2; must be zero unless {@code evpd}
 * @param allocationLength bytes 3-4
 */
public record Inquiry(boolean evpd, int pageCode, int allocationLength, int control)
    implements Cdb {

  private static final int EVPD = 0x01;

  public Inquiry {
    checkUnsigned("pageCode", pageCode, 8);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static Inquiry standard(int allocationLength) {
    return new Inquiry(false, 0, allocationLength, 0);
  }

  public static Inquiry vpd(int pageCode, int allocationLength) {
    return new Inquiry(true, pageCode, allocationLength, 0);
  }

  public static Inquiry decode(byte[] cdb) {
    return new Inquiry((cdb[1] & EVPD) != 0, cdb[2] & 0xFF, u16(cdb, 3), cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.INQUIRY;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (evpd ? EVPD : 0);
    out[2] = (byte) pageCode;
    putU16(out, 3, allocationLength);
    out[5] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return evpd ? String.format("INQUIRY page=%02Xh", pageCode) : "INQUIRY";
  }
}
