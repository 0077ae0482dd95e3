package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;

/**
 * The shared byte layout of the READ, WRITE, VERIFY and WRITE AND VERIFY CDBs of 10, 12 and 16
 * bytes (SBC-3): protection bits, DPO, FUA and flags in byte 1, then LBA, group number and length.
 */
final class BlockLayout {

  static final int PROTECT_SHIFT = 5;
  static final int DPO = 0x10;
  static final int FUA = 0x08;
  static final int GROUP_MASK = 0x1F;
  static final int BYTCHK_SHIFT = 1;
  static final int ANCHOR = 0x10;
  static final int UNMAP = 0x08;
  static final int NDOB = 0x01;

  static final int LBA_OFFSET = 2;
  static final int LENGTH_OFFSET_10 = 7;
  static final int GROUP_OFFSET_10 = 6;
  static final int CONTROL_OFFSET_10 = 9;
  static final int LENGTH_OFFSET_12 = 6;
  static final int GROUP_OFFSET_12 = 10;
  static final int CONTROL_OFFSET_12 = 11;
  static final int LENGTH_OFFSET_16 = 10;
  static final int GROUP_OFFSET_16 = 14;
  static final int CONTROL_OFFSET_16 = 15;

  private BlockLayout() {}

  static byte[] encode10(Opcode opcode, int flags, long lba, int group, int length, int control) {
    byte[] out = new byte[10];
    out[0] = (byte) opcode.code();
    out[1] = (byte) flags;
    putU32(out, LBA_OFFSET, lba);
    out[GROUP_OFFSET_10] = (byte) group;
    putU16(out, LENGTH_OFFSET_10, length);
    out[CONTROL_OFFSET_10] = (byte) control;
    return out;
  }

  static byte[] encode12(Opcode opcode, int flags, long lba, int group, long length, int control) {
    byte[] out = new byte[12];
    out[0] = (byte) opcode.code();
    out[1] = (byte) flags;
    putU32(out, LBA_OFFSET, lba);
    putU32(out, LENGTH_OFFSET_12, length);
    out[GROUP_OFFSET_12] = (byte) group;
    out[CONTROL_OFFSET_12] = (byte) control;
    return out;
  }

  static byte[] encode16(Opcode opcode, int flags, long lba, long length, int group, int control) {
    byte[] out = new byte[16];
    out[0] = (byte) opcode.code();
    out[1] = (byte) flags;
    putU64(out, LBA_OFFSET, lba);
    putU32(out, LENGTH_OFFSET_16, length);
    out[GROUP_OFFSET_16] = (byte) group;
    out[CONTROL_OFFSET_16] = (byte) control;
    return out;
  }

  static int flags(int protect, boolean dpo, boolean fua) {
    return protect << PROTECT_SHIFT | (dpo ? DPO : 0) | (fua ? FUA : 0);
  }

  static int protect(byte[] cdb) {
    return (cdb[1] & 0xFF) >>> PROTECT_SHIFT;
  }

  static boolean dpo(byte[] cdb) {
    return (cdb[1] & DPO) != 0;
  }

  static int byteCheck(byte[] cdb) {
    return (cdb[1] >>> BYTCHK_SHIFT) & 0x03;
  }

  static boolean fua(byte[] cdb) {
    return (cdb[1] & FUA) != 0;
  }
}
