package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * READ(6) (SBC-3 5.11).
 *
 * @param lba byte 1 bits 4-0 and bytes 2-3: 21 bits
 * @param transferLength byte 4, in logical blocks; 0 means 256 blocks
 */
public record Read6(long lba, int transferLength, int control) implements BlockCommand {

  /** Byte 4: TRANSFER LENGTH. */
  public static final int LENGTH_OFFSET = 4;

  private static final int LBA_OFFSET = 1;

  public Read6 {
    checkUnsigned("lba", lba, 21);
    checkUnsigned("transferLength", transferLength, 8);
    checkUnsigned("control", control, 8);
  }

  public Read6(long lba, int transferLength) {
    this(lba, transferLength, 0);
  }

  public static Read6 decode(byte[] cdb) {
    long lba = (cdb[1] & 0x1FL) << 16 | (cdb[2] & 0xFFL) << 8 | cdb[3] & 0xFFL;
    return new Read6(lba, cdb[LENGTH_OFFSET] & 0xFF, cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_6;
  }

  @Override
  public byte[] encode() {
    return new byte[] {
      (byte) opcode().code(),
      (byte) (lba >>> 16),
      (byte) (lba >>> 8),
      (byte) lba,
      (byte) transferLength,
      (byte) control
    };
  }

  /** SBC-3: a TRANSFER LENGTH of 0 transfers 256 blocks. */
  @Override
  public long blocks() {
    return transferLength == 0 ? 256 : transferLength;
  }

  @Override
  public int protect() {
    return 0;
  }

  @Override
  public int lengthFieldOffset() {
    return LENGTH_OFFSET;
  }

  @Override
  public int lbaFieldOffset() {
    return LBA_OFFSET;
  }
}
