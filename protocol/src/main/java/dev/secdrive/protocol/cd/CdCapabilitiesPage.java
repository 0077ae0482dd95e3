package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * The CD/DVD Capabilities and Mechanical Status mode page 2Ah (MMC-3 5.5.10, kept in MMC-6 as the
 * legacy page hosts still read): 32 bytes with no write speed descriptors, PAGE LENGTH 1Eh.
 *
 * <ul>
 *   <li>byte 2 media read (DVD-RAM 5, DVD-R 4, DVD-ROM 3, Method 2 2, CD-RW 1, CD-R 0); byte 3
 *       media write; byte 4 audio (BUF 7, Multi-session 6, Mode 2 Form 2 5, Form 1 4, Digital Port
 *       2 3, Digital Port 1 2, Composite 1, Audio Play 0);
 *   <li>byte 5: Read Bar Code 7, UPC 6, ISRC 5, C2 Pointers 4, R-W De-interleaved and Corrected 3,
 *       R-W Supported 2, CD-DA Stream is Accurate 1, CD-DA Commands Supported 0;
 *   <li>byte 6: Loading Mechanism Type 7-5, Eject 3, Prevent Jumper 2, Lock State 1, Lock 0;
 *   <li>byte 7 changer and volume bits; bytes 10-11 number of volume levels; 12-13 buffer size in
 *       KB; 22-23 copy management revision; 27 bits 1-0 rotation control selected; the speed fields
 *       (8-9, 14-15, 18-21, 28-29) are obsolete or for writers and 0; 30-31 the number of write
 *       speed descriptors, 0.
 * </ul>
 */
public record CdCapabilitiesPage(
    boolean parametersSavable,
    int mediaRead,
    int mediaWrite,
    int audio,
    boolean readBarCode,
    boolean upc,
    boolean isrc,
    boolean c2Pointers,
    boolean rwDeinterleaved,
    boolean rwSupported,
    boolean cdDaAccurate,
    boolean cdDaCommands,
    int loadingMechanism,
    boolean eject,
    boolean preventJumper,
    boolean lockState,
    boolean lock,
    int changerAndVolume,
    int volumeLevels,
    int bufferKilobytes,
    int copyManagementRevision) {

  public static final int PAGE_CODE = 0x2A;
  public static final int LENGTH = 32;
  private static final int PAGE_LENGTH = LENGTH - 2;

  public CdCapabilitiesPage {
    checkUnsigned("mediaRead", mediaRead, 6);
    checkUnsigned("mediaWrite", mediaWrite, 6);
    checkUnsigned("audio", audio, 8);
    checkUnsigned("loadingMechanism", loadingMechanism, 3);
    checkUnsigned("changerAndVolume", changerAndVolume, 6);
    checkUnsigned("volumeLevels", volumeLevels, 16);
    checkUnsigned("bufferKilobytes", bufferKilobytes, 16);
    checkUnsigned("copyManagementRevision", copyManagementRevision, 16);
  }

  /** The changeable-values mask: nothing is changeable (MODE SELECT(10) may only repeat it). */
  public static byte[] changeableMask() {
    byte[] out = new byte[LENGTH];
    out[0] = (byte) PAGE_CODE;
    out[1] = (byte) PAGE_LENGTH;
    return out;
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    out[0] = (byte) ((parametersSavable ? 0x80 : 0) | PAGE_CODE);
    out[1] = (byte) PAGE_LENGTH;
    out[2] = (byte) mediaRead;
    out[3] = (byte) mediaWrite;
    out[4] = (byte) audio;
    out[5] =
        (byte)
            (bit(readBarCode, 7)
                | bit(upc, 6)
                | bit(isrc, 5)
                | bit(c2Pointers, 4)
                | bit(rwDeinterleaved, 3)
                | bit(rwSupported, 2)
                | bit(cdDaAccurate, 1)
                | bit(cdDaCommands, 0));
    out[6] =
        (byte)
            (loadingMechanism << 5
                | bit(eject, 3)
                | bit(preventJumper, 2)
                | bit(lockState, 1)
                | bit(lock, 0));
    out[7] = (byte) changerAndVolume;
    putU16(out, 10, volumeLevels);
    putU16(out, 12, bufferKilobytes);
    putU16(out, 22, copyManagementRevision);
    return out;
  }

  public static CdCapabilitiesPage decode(byte[] in) {
    Toc.requireLength("mode page 2Ah", in, LENGTH);
    if ((in[0] & 0x3F) != PAGE_CODE || (in[1] & 0xFF) < PAGE_LENGTH) {
      throw new IllegalArgumentException(
          String.format("not mode page 2Ah of 32 bytes: %02X %02X", in[0], in[1]));
    }
    return new CdCapabilitiesPage(
        (in[0] & 0x80) != 0,
        in[2] & 0x3F,
        in[3] & 0x3F,
        in[4] & 0xFF,
        set(in[5], 7),
        set(in[5], 6),
        set(in[5], 5),
        set(in[5], 4),
        set(in[5], 3),
        set(in[5], 2),
        set(in[5], 1),
        set(in[5], 0),
        (in[6] & 0xFF) >>> 5,
        set(in[6], 3),
        set(in[6], 2),
        set(in[6], 1),
        set(in[6], 0),
        in[7] & 0x3F,
        u16(in, 10),
        u16(in, 12),
        u16(in, 22));
  }

  private static int bit(boolean value, int bit) {
    return value ? 1 << bit : 0;
  }

  private static boolean set(byte value, int bit) {
    return (value >>> bit & 1) != 0;
  }
}
