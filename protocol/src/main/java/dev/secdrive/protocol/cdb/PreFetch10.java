package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * PRE-FETCH(10) (SBC-3 5.9).
 *
 * @param immediate IMMED, byte 1 bit 1
 * @param lba bytes 2-5
 * @param groupNumber byte 6 bits 4-0
 * @param prefetchLength bytes 7-8, in logical blocks; 0 means through the last logical block
 */
public record PreFetch10(
    boolean immediate, long lba, int groupNumber, int prefetchLength, int control)
    implements BlockCommand {

  private static final int IMMED = 0x02;

  public PreFetch10 {
    checkUnsigned("lba", lba, 32);
    checkUnsigned("groupNumber", groupNumber, 5);
    checkUnsigned("prefetchLength", prefetchLength, 16);
    checkUnsigned("control", control, 8);
  }

  public PreFetch10(long lba, int prefetchLength) {
    this(false, lba, 0, prefetchLength, 0);
  }

  public static PreFetch10 decode(byte[] cdb) {
    return new PreFetch10(
        (cdb[1] & IMMED) != 0,
        u32(cdb, BlockLayout.LBA_OFFSET),
        cdb[BlockLayout.GROUP_OFFSET_10] & BlockLayout.GROUP_MASK,
        u16(cdb, BlockLayout.LENGTH_OFFSET_10),
        cdb[BlockLayout.CONTROL_OFFSET_10] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.PRE_FETCH_10;
  }

  @Override
  public byte[] encode() {
    return BlockLayout.encode10(
        opcode(), immediate ? IMMED : 0, lba, groupNumber, prefetchLength, control);
  }

  @Override
  public long blocks() {
    return prefetchLength;
  }

  @Override
  public int protect() {
    return 0;
  }

  @Override
  public int lengthFieldOffset() {
    return BlockLayout.LENGTH_OFFSET_10;
  }
}
