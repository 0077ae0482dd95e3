package dev.secdrive.kit.crypto;

import java.util.HexFormat;

/**
 * Keys and other binary fields written as hexadecimal, as they appear in key files, JSON bodies and
 * command lines. The refusal names the field and what is wrong with it, never the value, which may
 * be a secret.
 */
public final class HexKeys {

  /** For {@link #parse}: any number of bytes. */
  public static final int ANY_LENGTH = -1;

  private static final HexFormat HEX = HexFormat.of();

  private HexKeys() {}

  /**
   * {@code value} as bytes.
   *
   * @param length the number of bytes {@code value} must hold, or {@link #ANY_LENGTH}
   * @throws IllegalArgumentException "field 'f' is missing", "... is not hexadecimal" or "... has n
   *     bytes, expected m"
   */
  public static byte[] parse(String field, String value, int length) {
    if (value == null) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    byte[] bytes;
    try {
      bytes = HEX.parseHex(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' is not hexadecimal");
    }
    if (length != ANY_LENGTH && bytes.length != length) {
      throw new IllegalArgumentException(
          "field '" + field + "' has " + bytes.length + " bytes, expected " + length);
    }
    return bytes;
  }

  /** {@code bytes} in lower-case hexadecimal, as {@link #parse} reads them. */
  public static String format(byte[] bytes) {
    return HEX.formatHex(bytes);
  }
}
