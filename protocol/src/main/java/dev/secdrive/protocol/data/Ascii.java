package dev.secdrive.protocol.data;

import java.nio.charset.StandardCharsets;

/** Space-padded ASCII fields of SCSI parameter data (SPC-4 4.4.1). */
final class Ascii {

  private Ascii() {}

  static void put(byte[] out, int offset, int width, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < width; i++) {
      out[offset + i] = i < bytes.length ? bytes[i] : (byte) ' ';
    }
  }

  static String get(byte[] in, int offset, int width) {
    int end = Math.min(in.length, offset + width);
    while (end > offset && (in[end - 1] == ' ' || in[end - 1] == 0)) {
      end--;
    }
    return offset >= end ? "" : new String(in, offset, end - offset, StandardCharsets.US_ASCII);
  }

  static String check(String field, String value, int width) {
    if (value.length() > width) {
      throw new IllegalArgumentException(field + " longer than " + width + " characters: " + value);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(field + " is not printable ASCII: " + value);
      }
    }
    return value;
  }

  static void requireLength(String what, byte[] in, int minimum) {
    if (in.length < minimum) {
      throw new IllegalArgumentException(
          what + " needs at least " + minimum + " bytes, got " + in.length);
    }
  }
}
