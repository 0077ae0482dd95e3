package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * ORWRITE(16) (SBC-3 5.8): the data-out ORed into the blocks on the medium.
 *
 * @param orprotect ORPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param fua force unit access
 * @param lba bytes 2-9; read as an unsigned 64-bit value (negative in Java when the top bit is set)
 * @param transferLength bytes 10-13, in logical blocks
 * @param groupNumber byte 14 bits 4-0
 */
public record OrWrite16(
    int orprotect,
    boolean dpo,
    boolean fua,
    long lba,
    long transferLength,
    int groupNumber,
    int control)
    implements BlockCommand {

  public OrWrite16 {
    checkUnsigned("orprotect", orprotect, 3);
    checkUnsigned("transferLength", transferLength, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("control", control, 8);
  }

  public OrWrite16(long lba, long transferLength) {
    this(0, false, false, lba, transferLength, 0, 0);
  }

  public static OrWrite16 decode(byte[] cdb) {
    return new OrWrite16(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.fua(cdb),
        u64(cdb, BlockLayout.LBA_OFFSET),
        u32(cdb, BlockLayout.LENGTH_OFFSET_16),
        cdb[BlockLayout.GROUP_OFFSET_16] & BlockLayout.GROUP_MASK,
        cdb[BlockLayout.CONTROL_OFFSET_16] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.ORWRITE_16;
  }

  @Override
  public byte[] encode() {
    return BlockLayout.encode16(
        opcode(),
        BlockLayout.flags(orprotect, dpo, fua),
        lba,
        transferLength,
        groupNumber,
        control);
  }

  @Override
  public long blocks() {
    return transferLength;
  }

  @Override
  public int protect() {
    return orprotect;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_16;
  }

  @Override
  public String describe() {
    return opcode().text() + " lba=" + Long.toUnsignedString(lba) + " blocks=" + transferLength;
  }
}
