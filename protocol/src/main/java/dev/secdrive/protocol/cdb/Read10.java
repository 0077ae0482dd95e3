package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ(10) (SBC-3 5.8).
 *
 * @param rdprotect RDPROTECT, byte 1 bits 7-5; secdrive media carry no protection information
 * @param dpo disable page out
 * @param fua force unit access
 * @param lba bytes 2-5
 * @param groupNumber byte 6 bits 4-0
 * @param transferLength bytes 7-8, in logical blocks; 0 transfers nothing
 */
public record Read10(
    int rdprotect,
    boolean dpo,
    boolean fua,
    long lba,
    int groupNumber,
    int transferLength,
    int control)
    implements BlockCommand {

  public Read10 {
    checkUnsigned("rdprotect", rdprotect, 3);
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("transferLength", transferLength, 16);
    checkUnsigned("control", control, 8);
  }

  public Read10(long lba, int transferLength) {
    this(0, false, false, lba, 0, transferLength, 0);
  }

  public static Read10 decode(byte[] cdb) {
    return new Read10(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.fua(cdb),
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_10] & BlockLayout.GROUP_MASK,
        u16(cdb, BlockLayout.LENGTH_OFFSET_10),
        cdb[BlockLayout.CONTROL_OFFSET_10] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_10;
  }

  @Override
  public byte[] encode() {
    return BlockLayout.encode10(
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
    return BlockLayout.LENGTH_OFFSET_10;
  }
}
