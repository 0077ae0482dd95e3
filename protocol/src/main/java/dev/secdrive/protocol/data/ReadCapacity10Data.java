package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ CAPACITY(10) parameter data (SBC-3 5.15.2).
 *
 * @param returnedLba the last LBA, or FFFFFFFFh when it does not fit (use READ CAPACITY(16))
 * @param blockLength logical block length in bytes
 */
public record ReadCapacity10Data(long returnedLba, long blockLength) {

  public static final int LENGTH = 8;
  public static final long LBA_TOO_LARGE = 0xFFFF_FFFFL;

  public ReadCapacity10Data {
    checkUnsigned("returnedLba", returnedLba, 32);
    checkUnsigned("blockLength", blockLength, 32);
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    putU32(out, 0, returnedLba);
    putU32(out, 4, blockLength);
    return out;
  }

  public static ReadCapacity10Data decode(byte[] in) {
    Ascii.requireLength("READ CAPACITY(10) data", in, LENGTH);
    return new ReadCapacity10Data(u32(in, 0), u32(in, 4));
  }
}
