package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * VERIFY(12) (SBC-3).
 *
 * @param vrprotect VRPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param byteCheck BYTCHK, byte 1 bits 2-1: 00b medium verification only, 01b compare with the
 *     data-out buffer
 * @param lba bytes 2-5
 * @param groupNumber byte 10 bits 4-0
 * @param verificationLength bytes 6-9, in logical blocks
 */
public record Verify12(
    int vrprotect,
    boolean dpo,
    int byteCheck,
    long lba,
    int groupNumber,
    long verificationLength,
    int control)
    implements ByteCheckCommand {

  public Verify12 {
    checkUnsigned("vrprotect", vrprotect, 3);
    checkUnsigned("byteCheck", byteCheck, 2);
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("verificationLength", verificationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public Verify12(long lba, long verificationLength, int byteCheck) {
    this(0, false, byteCheck, lba, 0, verificationLength, 0);
  }

  public static Verify12 decode(byte[] cdb) {
    return new Verify12(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.byteCheck(cdb),
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_12] & BlockLayout.GROUP_MASK,
        u32(cdb, BlockLayout.LENGTH_OFFSET_12),
        cdb[BlockLayout.CONTROL_OFFSET_12] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.VERIFY_12;
  }

  @Override
  public byte[] encode() {
    int flags = BlockLayout.flags(vrprotect, dpo, false) | byteCheck << BlockLayout.BYTCHK_SHIFT;
    return BlockLayout.encode12(opcode(), flags, lba, groupNumber, verificationLength, control);
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
    return BlockLayout.LENGTH_OFFSET_12;
  }
}
