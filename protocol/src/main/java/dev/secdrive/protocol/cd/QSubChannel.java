package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

import java.util.Objects;

/**
 * The Q sub-channel of one sector (IEC 60908 17.5.2): CONTROL (4 bits), ADR (4 bits), 72 bits of
 * mode data, and a CRC-16 (x^16 + x^12 + x^5 + 1, recorded inverted) over the first 80 bits; its
 * values are BCD. READ CD returns it with sub-channel selection 010b as 16 bytes (MMC-6 6.26.3.4,
 * table 420, "formatted Q"): the 12 bytes of the Q frame, then 4 zero bytes; with 001b, raw P-W, as
 * 96 bytes in which bit 6 of byte i is Q bit i (bit 7 is P, 0 inside a track; R-W are 0 here).
 *
 * <p>Mode 1 (ADR 1), the position: TNO, INDEX, MIN SEC FRAME (track-relative), ZERO, AMIN ASEC
 * AFRAME (absolute). Mode 2: the 13 catalog digits as nibbles, 12 zero bits, AFRAME. Mode 3: the
 * ISRC's first five characters in 6 bits each (digit d = d, letter = ASCII - 30h, so 'A' = 17), two
 * zero bits, the seven digits as nibbles, four zero bits, AFRAME.
 *
 * @param control the CONTROL nibble
 * @param adr the mode, 1-3
 * @param data the 9 bytes of mode data
 */
public record QSubChannel(int control, int adr, byte[] data) {

  public static final int FORMATTED_LENGTH = 16;
  public static final int RAW_PW_LENGTH = 96;
  public static final int Q_LENGTH = 12;
  private static final int DATA_LENGTH = 9;

  public QSubChannel {
    checkUnsigned("control", control, 4);
    checkUnsigned("adr", adr, 4);
    Objects.requireNonNull(data, "data");
    if (data.length != DATA_LENGTH) {
      throw new IllegalArgumentException("Q mode data is 9 bytes, got " + data.length);
    }
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** Mode 1: track {@code track}, index {@code index}, the relative and absolute addresses. */
  public static QSubChannel position(
      int control, int track, int index, long relativeFrames, long absoluteLba) {
    Msf relative = Msf.ofFrames(relativeFrames);
    Msf absolute = Msf.fromLba(absoluteLba);
    byte[] d = {
      bcd(track),
      bcd(index),
      bcd(relative.minute()),
      bcd(relative.second()),
      bcd(relative.frame()),
      0,
      bcd(absolute.minute()),
      bcd(absolute.second()),
      bcd(absolute.frame())
    };
    return new QSubChannel(control, 1, d);
  }

  /** Mode 2: the media catalog number, 13 digits. */
  public static QSubChannel catalog(int control, String mcn, int aframe) {
    if (mcn.length() != 13 || !mcn.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("media catalog number '" + mcn + "' is not 13 digits");
    }
    byte[] d = new byte[DATA_LENGTH];
    for (int i = 0; i < 13; i++) {
      int digit = mcn.charAt(i) - '0';
      d[i / 2] |= (byte) (i % 2 == 0 ? digit << 4 : digit);
    }
    d[8] = bcd(aframe);
    return new QSubChannel(control, 2, d);
  }

  /** Mode 3: the ISRC, 12 characters CCXXXYYNNNNN. */
  public static QSubChannel isrc(int control, String isrc, int aframe) {
    if (isrc.length() != 12) {
      throw new IllegalArgumentException("ISRC '" + isrc + "' is not 12 characters");
    }
    long bits = 0;
    for (int i = 0; i < 5; i++) {
      bits = bits << 6 | sixBit(isrc.charAt(i));
    }
    bits <<= 2;
    for (int i = 5; i < 12; i++) {
      char c = isrc.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("ISRC '" + isrc + "': characters 6-12 are digits");
      }
      bits = bits << 4 | (c - '0');
    }
    bits <<= 4; // 30 + 2 + 28 + 4 = 64 bits
    byte[] d = new byte[DATA_LENGTH];
    for (int i = 0; i < 8; i++) {
      d[i] = (byte) (bits >>> (56 - 8 * i));
    }
    d[8] = bcd(aframe);
    return new QSubChannel(control, 3, d);
  }

  /** Mode 1: the track number. */
  public int trackNumber() {
    requireMode(1);
    return fromBcd(data[0]);
  }

  /** Mode 1: the index number. */
  public int indexNumber() {
    requireMode(1);
    return fromBcd(data[1]);
  }

  /** Mode 1: the track-relative time. */
  public Msf relative() {
    requireMode(1);
    return new Msf(fromBcd(data[2]), fromBcd(data[3]), fromBcd(data[4]));
  }

  /** Mode 1: the absolute time. */
  public Msf absolute() {
    requireMode(1);
    return new Msf(fromBcd(data[6]), fromBcd(data[7]), fromBcd(data[8]));
  }

  /** Mode 2: the media catalog number. */
  public String mcn() {
    requireMode(2);
    StringBuilder out = new StringBuilder(13);
    for (int i = 0; i < 13; i++) {
      int b = data[i / 2] & 0xFF;
      out.append((char) ('0' + (i % 2 == 0 ? b >>> 4 : b & 0x0F)));
    }
    return out.toString();
  }

  /** Mode 3: the ISRC. */
  public String isrc() {
    requireMode(3);
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = bits << 8 | (data[i] & 0xFF);
    }
    StringBuilder out = new StringBuilder(12);
    for (int i = 0; i < 5; i++) {
      out.append((char) ('0' + (int) (bits >>> (58 - 6 * i) & 0x3F)));
    }
    for (int i = 0; i < 7; i++) {
      out.append((char) ('0' + (int) (bits >>> (28 - 4 * i) & 0x0F)));
    }
    return out.toString();
  }

  /** The 12 bytes of the Q frame, CRC included. */
  public byte[] q() {
    byte[] out = new byte[Q_LENGTH];
    out[0] = (byte) (control << 4 | adr);
    System.arraycopy(data, 0, out, 1, DATA_LENGTH);
    putU16(out, 10, ~crc(out, 10) & 0xFFFF);
    return out;
  }

  /** Formatted Q, 16 bytes. */
  public byte[] encode() {
    byte[] out = new byte[FORMATTED_LENGTH];
    System.arraycopy(q(), 0, out, 0, Q_LENGTH);
    return out;
  }

  /** Raw P-W, 96 bytes: Q bit i in bit 6 of byte i. */
  public byte[] rawPw() {
    byte[] q = q();
    byte[] out = new byte[RAW_PW_LENGTH];
    for (int i = 0; i < RAW_PW_LENGTH; i++) {
      if ((q[i / 8] >>> (7 - i % 8) & 1) != 0) {
        out[i] = 0x40;
      }
    }
    return out;
  }

  /**
   * Decodes formatted Q (16 bytes; the first 12 suffice).
   *
   * @throws IllegalArgumentException if the CRC does not match
   */
  public static QSubChannel decode(byte[] in) {
    Toc.requireLength("formatted Q", in, Q_LENGTH);
    int recorded = u16(in, 10);
    int computed = ~crc(in, 10) & 0xFFFF;
    if (recorded != computed) {
      throw new IllegalArgumentException(
          String.format("Q sub-channel CRC %04Xh, computed %04Xh", recorded, computed));
    }
    byte[] d = new byte[DATA_LENGTH];
    System.arraycopy(in, 1, d, 0, DATA_LENGTH);
    return new QSubChannel((in[0] & 0xFF) >>> 4, in[0] & 0x0F, d);
  }

  /** CRC-16/CCITT, polynomial 1021h, initial value 0, over the first {@code length} bytes. */
  static int crc(byte[] in, int length) {
    int crc = 0;
    for (int i = 0; i < length; i++) {
      crc ^= (in[i] & 0xFF) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? crc << 1 ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xFFFF;
  }

  private void requireMode(int mode) {
    if (adr != mode) {
      throw new IllegalStateException("Q sub-channel of mode " + adr + ", not " + mode);
    }
  }

  private static int sixBit(char c) {
    if (c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
      return c - '0';
    }
    throw new IllegalArgumentException("ISRC character '" + c + "' is not 0-9 or A-Z");
  }

  private static byte bcd(int value) {
    if (value < 0 || value > 99) {
      throw new IllegalArgumentException(value + " does not fit two BCD digits");
    }
    return (byte) (value / 10 << 4 | value % 10);
  }

  private static int fromBcd(byte value) {
    return (value >>> 4 & 0x0F) * 10 + (value & 0x0F);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof QSubChannel q
        && q.control == control
        && q.adr == adr
        && java.util.Arrays.equals(q.data, data);
  }

  @Override
  public int hashCode() {
    return (control * 31 + adr) * 31 + java.util.Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "QSubChannel[control="
        + control
        + ", adr="
        + adr
        + ", data="
        + java.util.HexFormat.of().formatHex(data)
        + "]";
  }
}
