package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * READ CAPACITY(16) parameter data (SBC-3 5.16.2). secdrive media have no protection information
 * and one logical block per physical block, so bytes 12-31 are zero.
 *
 * @param returnedLba the last LBA
 * @param blockLength logical block length in bytes
 */
public record ReadCapacity16Data(long returnedLba, long blockLength) {

  public static final int LENGTH = 32;

  public ReadCapacity16Data {
    checkUnsigned("blockLength", blockLength, 32);
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    putU64(out, 0, returnedLba);
    putU32(out, 8, blockLength);
    return out;
  }

  public static ReadCapacity16Data decode(byte[] in) {
    Ascii.requireLength("READ CAPACITY(16) data", in, 12);
    return new ReadCapacity16Data(u64(in, 0), u32(in, 8));
  }
}
