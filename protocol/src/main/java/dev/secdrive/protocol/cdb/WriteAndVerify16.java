package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * WRITE AND VERIFY(16) (SBC-3).
 *
 * @param wrprotect WRPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param byteCheck BYTCHK, byte 1 bits 2-1: 00b verify the written blocks on the medium, 01b also
 *     compare them with the data-out buffer
 * @param lba bytes 2-9; unsigned 64 bits (negative in Java when the top bit is set)
 * @param groupNumber byte 14 bits 4-0
 * @param transferLength bytes 10-13, in logical blocks
 */
public record WriteAndVerify16(
    int wrprotect,
    boolean dpo,
    int byteCheck,
    long lba,
    int groupNumber,
    long transferLength,
    int control)
    implements ByteCheckCommand {

  public WriteAndVerify16 {
    checkUnsigned("wrprotect", wrprotect, 3);
    checkUnsigned("byteCheck", byteCheck, 2);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("transferLength", transferLength, 32);
    checkUnsigned("control", control, 8);
  }

  public WriteAndVerify16(long lba, long transferLength, int byteCheck) {
    this(0, false, byteCheck, lba, 0, transferLength, 0);
  }

  public static WriteAndVerify16 decode(byte[] cdb) {
    return new WriteAndVerify16(
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
    return Opcode.WRITE_AND_VERIFY_16;
  }

  @Override
  public byte[] encode() {
    int flags = BlockLayout.flags(wrprotect, dpo, false) | byteCheck << BlockLayout.BYTCHK_SHIFT;
    return BlockLayout.encode16(opcode(), flags, lba, transferLength, groupNumber, control);
  }

  @Override
  public long blocks() {
    return transferLength;
  }

  @Override
  public int protect() {
    return wrprotect;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_16;
  }
}
