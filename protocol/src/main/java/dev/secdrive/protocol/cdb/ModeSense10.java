package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * MODE SENSE(10) (SPC-4 6.12).
 *
 * @param longLba LLBAA, byte 1 bit 4
 * @param disableBlockDescriptors DBD, byte 1 bit 3
 * @param pageControl PC, byte 2 bits 7-6: 0 current, 1 changeable, 2 default, 3 saved
 * @param pageCode byte 2 bits 5-0; 3Fh returns all pages
 * @param subpageCode byte 3
 * @param allocationLength bytes 7-8
 */
public record ModeSense10(
    boolean longLba,
    boolean disableBlockDescriptors,
    int pageControl,
    int pageCode,
    int subpageCode,
    int allocationLength,
    int control)
    implements Cdb {

  private static final int LLBAA = 0x10;
  private static final int DBD = 0x08;

  public ModeSense10 {
    checkUnsigned("pageControl", pageControl, 2);
    checkUnsigned("pageCode", pageCode, 6);
    checkUnsigned("subpageCode", subpageCode, 8);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static ModeSense10 decode(byte[] cdb) {
    return new ModeSense10(
        (cdb[1] & LLBAA) != 0,
        (cdb[1] & DBD) != 0,
        (cdb[2] & 0xFF) >>> 6,
        cdb[2] & 0x3F,
        cdb[3] & 0xFF,
        u16(cdb, 7),
        cdb[9] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.MODE_SENSE_10;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) ((longLba ? LLBAA : 0) | (disableBlockDescriptors ? DBD : 0));
    out[2] = (byte) (pageControl << 6 | pageCode);
    out[3] = (byte) subpageCode;
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format("MODE SENSE(10) page=%02Xh", pageCode);
  }
}
