package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ(12) (SBC-3): READ(10)'s fields with a 32-bit transfer length.
 *
 * @param rdprotect RDPROTECT, byte 1 bits 7-5; secdrive media carry no protection information
 * @param dpo disable page out
 * @param fua force unit access
 * @param lba bytes 2-5
 * @param groupNumber byte 10 bits 4-0
 * @param transferLength bytes 6-9, in logical blocks; 0 transfers nothing
 */
public record Read12(
    int rdprotect,
    boolean dpo,
    boolean fua,
    long lba,
    int groupNumber,
    long transferLength,
    int control)
    implements BlockCommand {

  public Read12 {
    checkUnsigned("rdprotect", rdprotect, 3);
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("transferLength", transferLength, 32);
    checkUnsigned("control", control, 8);
  }

  public Read12(long lba, long transferLength) {
    this(0, false, false, lba, 0, transferLength, 0);
  }

  public static Read12 decode(byte[] cdb) {
    return new Read12(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.fua(cdb),
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_12] & BlockLayout.GROUP_MASK,
        u32(cdb, BlockLayout.LENGTH_OFFSET_12),
        cdb[BlockLayout.CONTROL_OFFSET_12] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_12;
  }

  @Override
  public byte[] encode() {
    return BlockLayout.encode12(
        opcode(),
        BlockLayout.flags(rdprotect, dpo, fua),
        lba,
        groupNumber,
        transferLength,
        control);
  }

  @Override
  public long blocks() {
    return transferLength;
  }

  @Override
  public int protect() {
    return rdprotect;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_12;
  }
}
