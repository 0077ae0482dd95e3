package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * The header of READ DEFECT DATA parameter data (SBC-3 5.18.2 and 5.19.2): 4 bytes for the (10)
 * form, 8 for the (12) form. secdrive's media have no defects, so the lists that follow are empty.
 *
 * @param twelve the (12) form's header: DEFECT LIST LENGTH in bytes 4-7 rather than 2-3
 * @param plistValid PLISTV, byte 1 bit 4: the primary list is returned
 * @param glistValid GLISTV, byte 1 bit 3: the grown list is returned
 * @param format DEFECT LIST FORMAT, byte 1 bits 2-0, of the descriptors that follow
 * @param defectListLength bytes of defect descriptors that follow
 */
public record DefectListHeader(
    boolean twelve, boolean plistValid, boolean glistValid, int format, long defectListLength) {

  public DefectListHeader {
    checkUnsigned("format", format, 3);
    checkUnsigned("defectListLength", defectListLength, twelve ? 32 : 16);
  }

  public int length() {
    return twelve ? 8 : 4;
  }

  public byte[] encode() {
    byte[] out = new byte[length()];
    out[1] = (byte) ((plistValid ? 0x10 : 0) | (glistValid ? 0x08 : 0) | format);
    if (twelve) {
      putU32(out, 4, defectListLength);
    } else {
      putU16(out, 2, (int) defectListLength);
    }
    return out;
  }

  /** Decodes a 4-byte (10) header, or an 8-byte (12) one. */
  public static DefectListHeader decode(byte[] in) {
    Ascii.requireLength("defect list header", in, 4);
    boolean twelve = in.length >= 8;
    return new DefectListHeader(
        twelve,
        (in[1] & 0x10) != 0,
        (in[1] & 0x08) != 0,
        in[1] & 0x07,
        twelve ? u32(in, 4) : u16(in, 2));
  }
}
