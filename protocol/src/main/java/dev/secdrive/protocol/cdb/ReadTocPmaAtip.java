package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * READ TOC/PMA/ATIP (MMC-6 6.33).
 *
 * @param msf MSF, byte 1 bit 1
 * @param format byte 2 bits 3-0: 0000b TOC, 0001b session information, 0010b full TOC
 * @param trackSessionNumber byte 6: the first track (format 0000b) or session (0010b)
 * @param allocationLength bytes 7-8
 * @param control byte 9; its bits 7-6 are the format field of SFF-8020 drives (see {@link
 *     #effectiveFormat()})
 */
public record ReadTocPmaAtip(
    boolean msf, int format, int trackSessionNumber, int allocationLength, int control)
    implements Cdb {

  public static final int FORMAT_TOC = 0b0000;
  public static final int FORMAT_SESSION_INFO = 0b0001;
  public static final int FORMAT_FULL_TOC = 0b0010;

  private static final int MSF = 0x02;

  public ReadTocPmaAtip {
    checkUnsigned("format", format, 4);
    checkUnsigned("trackSessionNumber", trackSessionNumber, 8);
    checkUnsigned("allocationLength", allocationLength, 16);
    checkUnsigned("control", control, 8);
  }

  public static ReadTocPmaAtip decode(byte[] cdb) {
    return new ReadTocPmaAtip(
        (cdb[1] & MSF) != 0, cdb[2] & 0x0F, cdb[6] & 0xFF, u16(cdb, 7), cdb[9] & 0xFF);
  }

  /**
   * The format the drive answers: byte 2's; when that is 0000b, the old vendor-specific bits 7-6 of
   * byte 9, which MMC-6 6.33.2.3 says a drive should still honour (00b TOC, 01b session
   * information, 10b full TOC).
   */
  public int effectiveFormat() {
    return format != 0 ? format : control >>> 6;
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_TOC_PMA_ATIP;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[10];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (msf ? MSF : 0);
    out[2] = (byte) format;
    out[6] = (byte) trackSessionNumber;
    putU16(out, 7, allocationLength);
    out[9] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format(
        "READ TOC/PMA/ATIP format=%d%s track=%d",
        effectiveFormat(), msf ? " MSF" : "", trackSessionNumber);
  }
}
