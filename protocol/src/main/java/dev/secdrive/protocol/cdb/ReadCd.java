package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU24;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u24;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ CD (MMC-6 6.26).
 *
 * @param expectedSectorType byte 1 bits 4-2: 000b any, 001b CD-DA, 010b Mode 1, 011b Mode 2
 *     formless, 100b Mode 2 Form 1, 101b Mode 2 Form 2
 * @param dap DAP, byte 1 bit 1: conceal CD-DA errors
 * @param lba starting logical block address, bytes 2-5 (signed: the lead-in is negative)
 * @param transferLength bytes 6-8, in sectors
 * @param mainChannel byte 9: SYNC 7, HEADER CODES 6-5, USER DATA 4, EDC&ECC 3, C2 ERROR 2-1
 * @param subChannel byte 10 bits 2-0: 000b none, 001b raw P-W, 010b formatted Q, 100b R-W
 */
public record ReadCd(
    int expectedSectorType,
    boolean dap,
    long lba,
    int transferLength,
    int mainChannel,
    int subChannel,
    int control)
    implements Cdb {

  public static final int SECTOR_TYPE_ANY = 0b000;
  public static final int SECTOR_TYPE_CD_DA = 0b001;

  /** Main channel selection: the user data (2,352 bytes of a CD-DA sector). */
  public static final int USER_DATA = 0x10;

  /** Main channel selection: the C2 error information bits (bits 2-1). */
  public static final int C2_MASK = 0x06;

  public static final int SUB_CHANNEL_NONE = 0b000;
  public static final int SUB_CHANNEL_RAW = 0b001;
  public static final int SUB_CHANNEL_Q = 0b010;

  static final int DAP = 0x02;

  public ReadCd {
    checkUnsigned("expectedSectorType", expectedSectorType, 3);
    if (lba < Integer.MIN_VALUE || lba > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("lba must fit 32 signed bits, was " + lba);
    }
    checkUnsigned("transferLength", transferLength, 24);
    checkUnsigned("mainChannel", mainChannel, 8);
    checkUnsigned("subChannel", subChannel, 3);
    checkUnsigned("control", control, 8);
  }

  /** CD-DA sectors, user data, with {@code subChannel}. */
  public static ReadCd audio(long lba, int sectors, int subChannel) {
    return new ReadCd(SECTOR_TYPE_CD_DA, false, lba, sectors, USER_DATA, subChannel, 0);
  }

  public static ReadCd decode(byte[] cdb) throws InvalidCdbException {
    checkReserved(cdb);
    return new ReadCd(
        (cdb[1] & 0x1C) >>> 2,
        (cdb[1] & DAP) != 0,
        (int) u32(cdb, 2),
        u24(cdb, 6),
        cdb[9] & 0xFF,
        cdb[10] & 0x07,
        cdb[11] & 0xFF);
  }

  /** Byte 1 bit 0 (the obsolete RELADR), byte 9 bit 0 and byte 10 bits 7-3 are reserved. */
  static void checkReserved(byte[] cdb) throws InvalidCdbException {
    if ((cdb[1] & 0xE1) != 0) {
      throw reserved(1, Integer.numberOfTrailingZeros(cdb[1] & 0xE1));
    }
    if ((cdb[9] & 0x01) != 0) {
      throw reserved(9, 0);
    }
    if ((cdb[10] & 0xF8) != 0) {
      throw reserved(10, 31 - Integer.numberOfLeadingZeros(cdb[10] & 0xF8));
    }
  }

  private static InvalidCdbException reserved(int cdbByte, int bit) {
    return new InvalidCdbException(
        InvalidCdbException.Kind.INVALID_FIELD,
        dev.secdrive.protocol.sense.FieldPointer.cdb(cdbByte, bit),
        "reserved bit " + bit + " of CDB byte " + cdbByte + " is set");
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_CD;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (expectedSectorType << 2 | (dap ? DAP : 0));
    putU32(out, 2, lba & 0xFFFF_FFFFL);
    putU24(out, 6, transferLength);
    out[9] = (byte) mainChannel;
    out[10] = (byte) subChannel;
    out[11] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    return String.format("READ CD lba=%d sectors=%d", lba, transferLength);
  }
}
