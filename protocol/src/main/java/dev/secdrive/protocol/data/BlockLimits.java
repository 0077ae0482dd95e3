package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * Block Limits, VPD page B0h (SBC-3 6.5.3). secdrive fills in the transfer lengths; every other
 * field is zero ("no limit reported").
 *
 * @param maximumTransferLength largest READ/WRITE transfer, in logical blocks
 * @param optimalTransferLength preferred transfer size, in logical blocks
 */
public record BlockLimits(
    int peripheralDeviceType, long maximumTransferLength, long optimalTransferLength) {

  public static final int PAGE_CODE = 0xB0;
  private static final int PAGE_LENGTH = 0x3C;

  public byte[] encode() {
    byte[] out = VpdPage.allocate(peripheralDeviceType, PAGE_CODE, PAGE_LENGTH);
    putU32(out, 8, maximumTransferLength);
    putU32(out, 12, optimalTransferLength);
    return out;
  }

  public static BlockLimits decode(byte[] in) {
    VpdPage.check(in, PAGE_CODE, "Block Limits");
    Ascii.requireLength("Block Limits", in, 16);
    return new BlockLimits(in[0] & 0x1F, u32(in, 8), u32(in, 12));
  }
}
