package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * WRITE SAME(10) (SBC-3): one block of data-out written to every block of the range.
 *
 * @param wrprotect WRPROTECT, byte 1 bits 7-5
 * @param anchor ANCHOR, byte 1 bit 4 (logical block provisioning)
 * @param unmap UNMAP, byte 1 bit 3 (logical block provisioning)
 * @param lba bytes 2-5
 * @param groupNumber byte 6 bits 4-0
 * @param numberOfBlocks bytes 7-8; 0 means every block from {@code lba} to the last one
 */
public record WriteSame10(
    int wrprotect,
    boolean anchor,
    boolean unmap,
    long lba,
    int groupNumber,
    int numberOfBlocks,
    int control)
    implements WriteSameCommand {

  public WriteSame10 {
    checkUnsigned("wrprotect", wrprotect, 3);
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("numberOfBlocks", numberOfBlocks, 16);
    checkUnsigned("control", control, 8);
  }

  public WriteSame10(long lba, int numberOfBlocks) {
    this(0, false, false, lba, 0, numberOfBlocks, 0);
  }

  public static WriteSame10 decode(byte[] cdb) {
    return new WriteSame10(
        BlockLayout.protect(cdb),
        (cdb[1] & BlockLayout.ANCHOR) != 0,
        (cdb[1] & BlockLayout.UNMAP) != 0,
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_10] & BlockLayout.GROUP_MASK,
        u16(cdb, BlockLayout.LENGTH_OFFSET_10),
        cdb[BlockLayout.CONTROL_OFFSET_10] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.WRITE_SAME_10;
  }

  @Override
  public byte[] encode() {
    int flags =
        BlockLayout.flags(wrprotect, false, false)
            | (anchor ? BlockLayout.ANCHOR : 0)
            | (unmap ? BlockLayout.UNMAP : 0);
    return BlockLayout.encode10(opcode(), flags, lba, groupNumber, numberOfBlocks, control);
  }

  @Override
  public boolean noDataOutBuffer() {
    return false;
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
    return BlockLayout.LENGTH_OFFSET_10;
  }
}
