package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * MODE SENSE(6) (SPC-4 6.11).
 *
 * @param disableBlockDescriptors the DBD bit
 * @param pageControl PC: 0 current, 1 changeable, 2 default, 3 saved
 * @param pageCode six bits; 3Fh returns all pages
 * @param subpageCode byte 3
 * @param allocationLength byte 4
 */
public record ModeSense6(
    boolean disableBlockDescriptors,
    int pageControl,
    int pageCode,
    int subpageCode,
    int allocationLength,
    int control)
    implements Cdb {

  public static final int PAGE_CONTROL_CURRENT = 0;
  public static final int PAGE_CONTROL_CHANGEABLE = 1;
  public static final int PAGE_CONTROL_DEFAULT = 2;
  public static final int PAGE_CONTROL_SAVED = 3;
  public static final int ALL_PAGES = 0x3F;

  private static final int DBD = 0x08;

  public ModeSense6 {
    checkUnsigned("pageControl", pageControl, 2);
    checkUnsigned("pageCode", pageCode, 6);
    checkUnsigned("subpageCode", subpageCode, 8);
    checkUnsigned("allocationLength", allocationLength, 8);
    checkUnsigned("control", control, 8);
  }

  public static ModeSense6 decode(byte[] cdb) {
    return new ModeSense6(
        (cdb[1] & DBD) != 0,
        (cdb[2] & 0xFF) >>> 6,
        cdb[2] & 0x3F,
        cdb[3] & 0xFF,
        cdb[4] & 0xFF,
        cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.MODE_SENSE_6;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (disableBlockDescriptors ? DBD : 0);
    out[2] = (byte) (pageControl << 6 | pageCode);
    out[3] = (byte) subpageCode;
    out[4] = (byte) allocationLength;
    out[5] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format("MODE SENSE(6) page=%02Xh", pageCode);
  }
}
