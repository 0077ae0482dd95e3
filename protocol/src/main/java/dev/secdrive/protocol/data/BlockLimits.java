package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * Block Limits, VPD page B0h (SBC-3 6.5.3). secdrive fills in the transfer lengths and the maximum
 * WRITE SAME length; every other field is zero ("no limit reported", WSNZ 0).
 *
 * @param maximumTransferLength largest READ/WRITE transfer, in logical blocks
 * @param optimalTransferLength preferred transfer size, in logical blocks
 * @param maximumWriteSameLength largest WRITE SAME range, in logical blocks (bytes 36-43); 0 if
 *     none is reported
 */
public record BlockLimits(
    int peripheralDeviceType,
    long maximumTransferLength,
    long optimalTransferLength,
    long maximumWriteSameLength) {

  public static final int PAGE_CODE = 0xB0;
  private static final int PAGE_LENGTH = 0x3C;
  private static final int MAXIMUM_WRITE_SAME_LENGTH_OFFSET = 36;

  public byte[] encode() {
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, PAGE_LENGTH);
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
    return new BlockLimits(in[0] & 0x1F, u32(in, 8), u32(in, 12), writeSame);
  }
}
