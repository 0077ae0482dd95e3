package dev.secdrive.kit.watermark;

/**
 * What a watermark carries: the copy-control state and a 48-bit content identifier. On the signal
 * it travels as 74 bits: the state (2 bits), the identifier (48 bits, most significant first) and a
 * CRC-24 over both, so that a wrong decode is rejected rather than misread.
 *
 * @param contentId 0 to 2<sup>48</sup> − 1
 */
public record Payload(CopyControl copyControl, long contentId) {

  /** The largest content identifier, 2<sup>48</sup> − 1. */
  public static final long MAX_CONTENT_ID = (1L << 48) - 1;

  /** Bits of state and identifier, before the CRC. */
  static final int DATA_BITS = 50;

  /** The CRC-24 after them. */
  static final int CRC_BITS = 24;

  /** Bits on the signal, before the convolutional code. */
  static final int BITS = DATA_BITS + CRC_BITS;

  public Payload {
    if (copyControl == null) {
      throw new IllegalArgumentException("copy-control state is missing");
    }
    if (contentId < 0 || contentId > MAX_CONTENT_ID) {
      throw new IllegalArgumentException(
          "content identifier " + contentId + " is outside 0.." + MAX_CONTENT_ID + " (48 bits)");
    }
  }

  /** The 74 bits, one per element (0 or 1): state, identifier, CRC-24. */
  int[] toBits() {
    long data = ((long) copyControl.code() << 48) | contentId;
    int[] bits = new int[BITS];
    for (int i = 0; i < DATA_BITS; i++) {
      bits[i] = (int) (data >>> (DATA_BITS - 1 - i)) & 1;
    }
    int crc = crc24(data);
    for (int i = 0; i < CRC_BITS; i++) {
      bits[DATA_BITS + i] = (crc >>> (CRC_BITS - 1 - i)) & 1;
    }
    return bits;
  }

  /**
   * The payload the bits carry, or null if the CRC does not match or the state is the unassigned
   * code 3.
   */
  static Payload fromBits(int[] bits) {
    long data = 0;
    for (int i = 0; i < DATA_BITS; i++) {
      data = (data << 1) | bits[i];
    }
    int crc = 0;
    for (int i = 0; i < CRC_BITS; i++) {
      crc = (crc << 1) | bits[DATA_BITS + i];
    }
    int state = (int) (data >>> 48);
    if (crc != crc24(data) || state == 3) {
      return null;
    }
    return new Payload(CopyControl.fromCode(state), data & MAX_CONTENT_ID);
  }

  /**
   * CRC-24/OPENPGP (RFC 4880 6.1: polynomial 864CFBh, initial value B704CEh) over the 50 data bits
   * taken as 7 bytes, most significant first.
   */
  static int crc24(long data) {
    byte[] bytes = new byte[7];
    for (int b = 0; b < 7; b++) {
      bytes[b] = (byte) (data >>> (8 * (6 - b)));
    }
    return crc24(bytes);
  }

  /** CRC-24/OPENPGP of {@code bytes}; "123456789" gives 21CF02h. */
  static int crc24(byte[] bytes) {
    int crc = 0xB704CE;
    for (byte value : bytes) {
      crc ^= (value & 0xFF) << 16;
      for (int i = 0; i < 8; i++) {
        crc <<= 1;
        if ((crc & 0x1000000) != 0) {
          crc ^= 0x1864CFB;
        }
      }
    }
    return crc & 0xFFFFFF;
  }
}
