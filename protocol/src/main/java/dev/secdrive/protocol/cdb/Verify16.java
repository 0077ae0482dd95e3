package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * VERIFY(16) (SBC-3).
 *
 * @param vrprotect VRPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param byteCheck BYTCHK, byte 1 bits 2-1: 00b medium verification only, 01b compare with the
 *     data-out buffer
 * @param lba bytes 2-9; unsigned 64 bits (negative in Java when the top bit is set)
 * @param groupNumber byte 14 bits 4-0
 * @param verificationLength bytes 10-13, in logical blocks
 */
public record Verify16(
    int vrprotect,
    boolean dpo,
    int byteCheck,
    long lba,
    int groupNumber,
    long verificationLength,
    int control)
    implements ByteCheckCommand {

  public Verify16 {
    checkUnsigned("vrprotect", vrprotect, 3);
    checkUnsigned("byteCheck", byteCheck, 2);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("verificationLength", verificationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public Verify16(long lba, long verificationLength, int byteCheck) {
    this(0, false, byteCheck, lba, 0, verificationLength, 0);
  }

  public static Verify16 decode(byte[] cdb) {
    return new Verify16(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.byteCheck(cdb),
        u64(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_16] & BlockLayout.GROUP_MASK,
        u32(cdb, BlockLayout.LENGTH_OFFSET_16),
        cdb[BlockLayout.CONTROL_OFFSET_16] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.VERIFY_16;
  }

  @Override
  public byte[] encode() {
    int flags = BlockLayout.flags(vrprotect, dpo, false) | byteCheck << BlockLayout.BYTCHK_SHIFT;
    return BlockLayout.encode16(opcode(), flags, lba, verificationLength, groupNumber, control);
  }

  @Override
  public long blocks() {
    return verificationLength;
  }

  @Override
  public int protect() {
    return vrprotect;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_16;
  }
}
