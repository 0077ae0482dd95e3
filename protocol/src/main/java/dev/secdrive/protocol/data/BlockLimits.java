package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * Block Limits, VPD page B0h (SBC-3 6.5.3). secdrive fills in the transfer lengths and the maximum
 * COMPARE AND WRITE and WRITE SAME lengths; every other field is zero ("no limit reported", WSNZ
 * 0).
 *
 * @param maximumCompareAndWriteLength largest COMPARE AND WRITE, in logical blocks (byte 5); 0 if
 *     the command is not served
 * @param maximumTransferLength largest READ/WRITE transfer, in logical blocks
 * @param optimalTransferLength preferred transfer size, in logical blocks
 * @param maximumWriteSameLength largest WRITE SAME range, in logical blocks (bytes 36-43); 0 if
 *     none is reported
 */
public record BlockLimits(
    int peripheralDeviceType,
    int maximumCompareAndWriteLength,
    long maximumTransferLength,
    long optimalTransferLength,
    long maximumWriteSameLength) {

  public static final int PAGE_CODE = 0xB0;
  private static final int PAGE_LENGTH = 0x3C;
  private static final int MAXIMUM_COMPARE_AND_WRITE_LENGTH_OFFSET = 5;
  private static final int MAXIMUM_WRITE_SAME_LENGTH_OFFSET = 36;

  public BlockLimits {
    if (maximumCompareAndWriteLength < 0 || maximumCompareAndWriteLength > 0xFF) {
      throw new IllegalArgumentException(
          "maximumCompareAndWriteLength out of range: " + maximumCompareAndWriteLength);
    }
  }

  public byte[] encode() {
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, PAGE_LENGTH);
    out[MAXIMUM_COMPARE_AND_WRITE_LENGTH_OFFSET] = (byte) maximumCompareAndWriteLength;
    putU32(out, 8, maximumTransferLength);
    putU32(out, 12, optimalTransferLength);
    putU64(out, MAXIMUM_WRITE_SAME_LENGTH_OFFSET, maximumWriteSameLength);
    return out;
  }

  public static BlockLimits decode(byte[] in) {
    VpdPage.check(in, PAGE_CODE, "Block Limits");
    Ascii.requireLength("Block Limits", in, 16);
    long writeSame =
        in.length >= MAXIMUM_WRITE_SAME_LENGTH_OFFSET + 8
            ? u64(in, MAXIMUM_WRITE_SAME_LENGTH_OFFSET)
            : 0;
    return new BlockLimits(
        in[0] & 0x1F,
        in[MAXIMUM_COMPARE_AND_WRITE_LENGTH_OFFSET] & 0xFF,
        u32(in, 8),
        u32(in, 12),
        writeSame);
  }
}
