package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * SYNCHRONIZE CACHE(16) (SBC-3 5.23).
 *
 * @param immediate IMMED, byte 1 bit 1
 * @param lba bytes 2-9; read as an unsigned 64-bit value (negative in Java when the top bit is set)
 * @param numberOfBlocks bytes 10-13; 0 means through the last logical block
 * @param groupNumber byte 14 bits 4-0
 */
public record SynchronizeCache16(
    boolean immediate, long lba, long numberOfBlocks, int groupNumber, int control)
    implements BlockCommand {

  private static final int IMMED = 0x02;

  public SynchronizeCache16 {
    checkUnsigned("numberOfBlocks", numberOfBlocks, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("control", control, 8);
  }

  /** The whole medium. */
  public SynchronizeCache16() {
    this(false, 0, 0, 0, 0);
  }

  public static SynchronizeCache16 decode(byte[] cdb) {
    return new SynchronizeCache16(
        (cdb[1] & IMMED) != 0,
        u64(cdb, BlockLayout.LBA_OFFSET),
        u32(cdb, BlockLayout.LENGTH_OFFSET_16),
        cdb[BlockLayout.GROUP_OFFSET_16] & BlockLayout.GROUP_MASK,
        cdb[BlockLayout.CONTROL_OFFSET_16] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.SYNCHRONIZE_CACHE_16;
  }

  @Override
  public byte[] encode() {
    return BlockLayout.encode16(
        opcode(), immediate ? IMMED : 0, lba, numberOfBlocks, groupNumber, control);
  }

  @Override
  public long blocks() {
    return numberOfBlocks;
  }

  @Override
  public int protect() {
    return 0;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_16;
  }

  @Override
  public String describe() {
    return opcode().text() + " lba=" + Long.toUnsignedString(lba) + " blocks=" + numberOfBlocks;
  }
}
