package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * WRITE AND VERIFY(10) (SBC-3).
 *
 * @param wrprotect WRPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param byteCheck BYTCHK, byte 1 bits 2-1: 00b verify the written blocks on the medium, 01b also
 *     compare them with the data-out buffer
 * @param lba bytes 2-5
 * @param groupNumber byte 6 bits 4-0
 * @param transferLength bytes 7-8, in logical blocks
 */
public record WriteAndVerify10(
    int wrprotect,
    boolean dpo,
    int byteCheck,
    long lba,
    int groupNumber,
    int transferLength,
    int control)
    implements ByteCheckCommand {

  public WriteAndVerify10 {
    checkUnsigned("wrprotect", wrprotect, 3);
    checkUnsigned("byteCheck", byteCheck, 2);
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("transferLength", transferLength, 16);
    checkUnsigned("control", control, 8);
  }

  public WriteAndVerify10(long lba, int transferLength, int byteCheck) {
    this(0, false, byteCheck, lba, 0, transferLength, 0);
  }

  public static WriteAndVerify10 decode(byte[] cdb) {
    return new WriteAndVerify10(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.byteCheck(cdb),
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_10] & BlockLayout.GROUP_MASK,
        u16(cdb, BlockLayout.LENGTH_OFFSET_10),
        cdb[BlockLayout.CONTROL_OFFSET_10] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.WRITE_AND_VERIFY_10;
  }

  @Override
  public byte[] encode() {
    int flags = BlockLayout.flags(wrprotect, dpo, false) | byteCheck << BlockLayout.BYTCHK_SHIFT;
    return BlockLayout.encode10(opcode(), flags, lba, groupNumber, transferLength, control);
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
    return BlockLayout.LENGTH_OFFSET_10;
  }
}
