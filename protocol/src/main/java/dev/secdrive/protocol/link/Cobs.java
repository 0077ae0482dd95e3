package dev.secdrive.protocol.link;

/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, IEEE/ACM ToN 7(2), 1999): removes every
 * zero byte from a block at a cost of at most one byte per 254, so a zero can delimit frames on a
 * byte stream and a receiver that lost its place resynchronises at the next zero.
 */
public final class Cobs {

  private Cobs() {}

  /** Largest encoded length of {@code length} input bytes, without the delimiter. */
  public static int maximumEncodedLength(int length) {
    return length + length / 254 + 1;
  }

  /** Encodes {@code length} bytes of {@code in} from {@code offset}; the result has no zeros. */
  public static byte[] encode(byte[] in, int offset, int length) {
    byte[] out = new byte[maximumEncodedLength(length)];
    int codeAt = 0;
    int write = 1;
    int code = 1;
    for (int i = offset; i < offset + length; i++) {
      if (in[i] == 0) {
        out[codeAt] = (byte) code;
        codeAt = write++;
        code = 1;
      } else {
        out[write++] = in[i];
        if (++code == 0xFF) {
          out[codeAt] = (byte) code;
          codeAt = write++;
          code = 1;
        }
      }
    }
    out[codeAt] = (byte) code;
    return write == out.length ? out : java.util.Arrays.copyOf(out, write);
  }

  /**
   * Decodes a COBS block (without its delimiter).
   *
   * @return the decoded bytes, or {@code null} if the block is not valid COBS (a zero byte, or a
   *     code that runs past the end) — what line noise usually produces
   */
  public static byte[] decode(byte[] in, int offset, int length) {
    byte[] out = new byte[length];
    int write = 0;
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int code = in[i++] & 0xFF;
      if (code == 0 || i + code - 1 > end) {
        return null;
      }
      for (int k = 1; k < code; k++) {
        byte b = in[i++];
        if (b == 0) {
          return null;
        }
        out[write++] = b;
      }
      if (code != 0xFF && i < end) {
        out[write++] = 0;
      }
    }
    return java.util.Arrays.copyOf(out, write);
  }
}
