package dev.secdrive.protocol;

/** Big-endian field access on byte arrays, the byte order of every SCSI structure. */
public final class BigEndian {

  private BigEndian() {}

  public static int u8(byte[] in, int offset) {
    return in[offset] & 0xFF;
  }

  public static int u16(byte[] in, int offset) {
    return (in[offset] & 0xFF) << 8 | (in[offset + 1] & 0xFF);
  }

  public static int u24(byte[] in, int offset) {
    return (in[offset] & 0xFF) << 16 | (in[offset + 1] & 0xFF) << 8 | (in[offset + 2] & 0xFF);
  }

  public static long u32(byte[] in, int offset) {
    return (in[offset] & 0xFFL) << 24
        | (in[offset + 1] & 0xFF) << 16
        | (in[offset + 2] & 0xFF) << 8
        | (in[offset + 3] & 0xFF);
  }

  /** Reads eight bytes; the result is negative when the top bit is set. */
  public static long u64(byte[] in, int offset) {
    return u32(in, offset) << 32 | u32(in, offset + 4);
  }

  public static void putU16(byte[] out, int offset, int value) {
    out[offset] = (byte) (value >>> 8);
    out[offset + 1] = (byte) value;
  }

  public static void putU24(byte[] out, int offset, int value) {
    out[offset] = (byte) (value >>> 16);
    out[offset + 1] = (byte) (value >>> 8);
    out[offset + 2] = (byte) value;
  }

  public static void putU32(byte[] out, int offset, long value) {
    out[offset] = (byte) (value >>> 24);
    out[offset + 1] = (byte) (value >>> 16);
    out[offset + 2] = (byte) (value >>> 8);
    out[offset + 3] = (byte) value;
  }

  public static void putU64(byte[] out, int offset, long value) {
    putU32(out, offset, value >>> 32);
    putU32(out, offset + 4, value);
  }

  /** Checks that {@code value} fits in {@code bits} unsigned bits; returns it. */
  public static long checkUnsigned(String field, long value, int bits) {
    if (value < 0 || (bits < 64 && value >>> bits != 0)) {
      throw new IllegalArgumentException(field + " out of range for " + bits + " bits: " + value);
    }
    return value;
  }

  /** Int flavour of {@link #checkUnsigned(String, long, int)}. */
  public static int checkUnsigned(String field, int value, int bits) {
    return (int) checkUnsigned(field, (long) value, bits);
  }
}
