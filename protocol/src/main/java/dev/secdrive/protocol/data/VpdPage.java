package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/** The four-byte header every vital product data page starts with (SPC-4 7.8.1). */
final class VpdPage {

  static final int HEADER_LENGTH = 4;

  private VpdPage() {}

  static byte[] allocate(int peripheralDeviceType, int pageCode, int payloadLength) {
    byte[] out = new byte[HEADER_LENGTH + payloadLength];
    out[0] = (byte) peripheralDeviceType;
    out[1] = (byte) pageCode;
    putU16(out, 2, payloadLength);
    return out;
  }

  /** Checks the page code and length; returns the page length field. */
  static int check(byte[] in, int pageCode, String name) {
    Ascii.requireLength(name, in, HEADER_LENGTH);
    if ((in[1] & 0xFF) != pageCode) {
      throw new IllegalArgumentException(
          String.format("expected VPD page %02Xh, got %02Xh", pageCode, in[1] & 0xFF));
    }
    int length = u16(in, 2);
    Ascii.requireLength(name, in, HEADER_LENGTH + length);
    return length;
  }
}
