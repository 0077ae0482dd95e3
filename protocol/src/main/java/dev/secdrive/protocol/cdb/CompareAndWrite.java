package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * COMPARE AND WRITE (SBC-3 5.2): the data-out holds the verify instance and then the write instance
 * of the blocks; the write happens only if the verify instance matches the medium.
 *
 * @param wrprotect WRPROTECT, byte 1 bits 7-5
 * @param dpo disable page out
 * @param fua force unit access
 * @param lba bytes 2-9; read as an unsigned 64-bit value (negative in Java when the top bit is set)
 * @param numberOfBlocks byte 13; 0 compares and writes nothing
 * @param groupNumber byte 14 bits 4-0
 */
public record CompareAndWrite(
    int wrprotect,
    boolean dpo,
    boolean fua,
    long lba,
    int numberOfBlocks,
    int groupNumber,
    int control)
    implements BlockCommand {

  /** Byte 13: NUMBER OF LOGICAL BLOCKS. */
  public static final int LENGTH_OFFSET = 13;

  /**
   * The most blocks the one-byte NUMBER OF LOGICAL BLOCKS can name; secdrive serves them all and
   * reports it as Block Limits' MAXIMUM COMPARE AND WRITE LENGTH (SBC-3 6.5.3).
   */
  public static final int MAXIMUM_BLOCKS = 255;

  public CompareAndWrite {
    checkUnsigned("wrprotect", wrprotect, 3);
    checkUnsigned("numberOfBlocks", numberOfBlocks, 8);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("control", control, 8);
  }

  public CompareAndWrite(long lba, int numberOfBlocks) {
    this(0, false, false, lba, numberOfBlocks, 0, 0);
  }

  public static CompareAndWrite decode(byte[] cdb) {
    return new CompareAndWrite(
        BlockLayout.protect(cdb),
        BlockLayout.dpo(cdb),
        BlockLayout.fua(cdb),
        u64(cdb, BlockLayout.LBA_OFFSET),
        cdb[LENGTH_OFFSET] & 0xFF,
        cdb[BlockLayout.GROUP_OFFSET_16] & BlockLayout.GROUP_MASK,
        cdb[BlockLayout.CONTROL_OFFSET_16] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.COMPARE_AND_WRITE;
  }

  @Override
  public byte[] encode() {
    byte[] out =
        BlockLayout.encode16(
            opcode(), BlockLayout.flags(wrprotect, dpo, fua), lba, 0, groupNumber, control);
    out[LENGTH_OFFSET] = (byte) numberOfBlocks;
    return out;
  }

  @Override
  public long blocks() {
    return numberOfBlocks;
  }

  @Override
  public int protect() {
    return wrprotect;
  }

  @Override
  public int lengthFieldOffset() {
    return LENGTH_OFFSET;
  }

  @Override
  public String describe() {
    return opcode().text() + " lba=" + Long.toUnsignedString(lba) + " blocks=" + numberOfBlocks;
  }
}
