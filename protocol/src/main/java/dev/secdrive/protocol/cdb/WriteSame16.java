package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * WRITE SAME(16) (SBC-3): one block of data-out written to every block of the range.
 *
 * @param wrprotect WRPROTECT, byte 1 bits 7-5
 * @param anchor ANCHOR, byte 1 bit 4 (logical block provisioning)
 * @param unmap UNMAP, byte 1 bit 3 (logical block provisioning)
 * @param noDataOutBuffer NDOB, byte 1 bit 0: write zeros without a data-out buffer
 * @param lba bytes 2-9; unsigned 64 bits (negative in Java when the top bit is set)
 * @param numberOfBlocks bytes 10-13; 0 means every block from {@code lba} to the last one
 * @param groupNumber byte 14 bits 4-0
 */
public record WriteSame16(
    int wrprotect,
    boolean anchor,
    boolean unmap,
    boolean noDataOutBuffer,
    long lba,
    long numberOfBlocks,
    int groupNumber,
    int control)
    implements WriteSameCommand {

  public WriteSame16 {
    checkUnsigned("wrprotect", wrprotect, 3);
    checkUnsigned("numberOfBlocks", numberOfBlocks, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("control", control, 8);
  }

  public WriteSame16(long lba, long numberOfBlocks) {
    this(0, false, false, false, lba, numberOfBlocks, 0, 0);
  }

  public static WriteSame16 decode(byte[] cdb) {
    return new WriteSame16(
        BlockLayout.protect(cdb),
        (cdb[1] & BlockLayout.ANCHOR) != 0,
        (cdb[1] & BlockLayout.UNMAP) != 0,
        (cdb[1] & BlockLayout.NDOB) != 0,
        u64(cdb, BlockLayout.LBA_OFFSET),
        u32(cdb, BlockLayout.LENGTH_OFFSET_16),
        cdb[BlockLayout.GROUP_OFFSET_16] & BlockLayout.GROUP_MASK,
        cdb[BlockLayout.CONTROL_OFFSET_16] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.WRITE_SAME_16;
  }

  @Override
  public byte[] encode() {
    int flags =
        BlockLayout.flags(wrprotect, false, false)
            | (anchor ? BlockLayout.ANCHOR : 0)
            | (unmap ? BlockLayout.UNMAP : 0)
            | (noDataOutBuffer ? BlockLayout.NDOB : 0);
    return BlockLayout.encode16(opcode(), flags, lba, numberOfBlocks, groupNumber, control);
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
    return BlockLayout.LENGTH_OFFSET_16;
  }
}
