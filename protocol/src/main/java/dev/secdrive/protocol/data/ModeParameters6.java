package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU24;
import static dev.secdrive.protocol.BigEndian.u24;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * MODE SENSE(6) parameter data (SPC-4 7.5.4, SBC-3 6.4.1): the mode parameter header, an optional
 * short block descriptor, and the mode pages.
 *
 * @param mediumType byte 1
 * @param writeProtected WP, bit 7 of the device-specific parameter (SBC-3 6.4.1)
 * @param blockDescriptor the block descriptor, or {@code null} when DBD was set
 * @param pages the mode pages, back to back
 */
public record ModeParameters6(
    int mediumType, boolean writeProtected, BlockDescriptor blockDescriptor, byte[] pages) {

  public static final int HEADER_LENGTH = 4;
  private static final int WP = 0x80;

  /**
   * A short LBA mode parameter block descriptor (SBC-3 6.4.4.2).
   *
   * @param numberOfBlocks FFFFFFh when the medium holds more blocks than the field can express
   * @param blockLength logical block length
   */
  public record BlockDescriptor(int densityCode, long numberOfBlocks, int blockLength) {

    public static final int LENGTH = 8;
    public static final long MAXIMUM_BLOCKS = 0xFF_FFFFL;

    public BlockDescriptor {
      checkUnsigned("densityCode", densityCode, 8);
      checkUnsigned("numberOfBlocks", numberOfBlocks, 24);
      checkUnsigned("blockLength", blockLength, 24);
    }
  }

  public ModeParameters6 {
    checkUnsigned("mediumType", mediumType, 8);
    pages = pages.clone();
    if (HEADER_LENGTH + (blockDescriptor == null ? 0 : BlockDescriptor.LENGTH) + pages.length
        > 256) {
      throw new IllegalArgumentException("mode parameter list longer than 256 bytes");
    }
  }

  @Override
  public byte[] pages() {
    return pages.clone();
  }

  public byte[] encode() {
    int descriptorLength = blockDescriptor == null ? 0 : BlockDescriptor.LENGTH;
    byte[] out = new byte[HEADER_LENGTH + descriptorLength + pages.length];
    out[0] = (byte) (out.length - 1); // MODE DATA LENGTH excludes itself
    out[1] = (byte) mediumType;
    out[2] = (byte) (writeProtected ? WP : 0);
    out[3] = (byte) descriptorLength;
    if (blockDescriptor != null) {
      out[4] = (byte) blockDescriptor.densityCode();
      putU24(out, 5, (int) blockDescriptor.numberOfBlocks());
      putU24(out, 9, blockDescriptor.blockLength());
    }
    System.arraycopy(pages, 0, out, HEADER_LENGTH + descriptorLength, pages.length);
    return out;
  }

  public static ModeParameters6 decode(byte[] in) {
    Ascii.requireLength("mode parameter header", in, HEADER_LENGTH);
    int end = Math.min(in.length, (in[0] & 0xFF) + 1);
    int descriptorLength = in[3] & 0xFF;
    BlockDescriptor descriptor = null;
    if (descriptorLength >= BlockDescriptor.LENGTH) {
      Ascii.requireLength("mode block descriptor", in, HEADER_LENGTH + BlockDescriptor.LENGTH);
      descriptor = new BlockDescriptor(in[4] & 0xFF, u24(in, 5), u24(in, 9));
    }
    int pagesStart = Math.min(end, HEADER_LENGTH + descriptorLength);
    return new ModeParameters6(
        in[1] & 0xFF,
        (in[2] & WP) != 0,
        descriptor,
        Arrays.copyOfRange(in, pagesStart, Math.max(pagesStart, end)));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ModeParameters6 m
        && m.mediumType == mediumType
        && m.writeProtected == writeProtected
        && java.util.Objects.equals(m.blockDescriptor, blockDescriptor)
        && Arrays.equals(m.pages, pages);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(mediumType, writeProtected, blockDescriptor)
        + Arrays.hashCode(pages);
  }

  @Override
  public String toString() {
    return "ModeParameters6[mediumType="
        + mediumType
        + ", writeProtected="
        + writeProtected
        + ", blockDescriptor="
        + blockDescriptor
        + ", pages="
        + HexFormat.of().formatHex(pages)
        + "]";
  }
}
