package dev.secdrive.profiles;

import java.util.Objects;

/**
 * What a drive reports in its standard INQUIRY data.
 *
 * @param vendor T10 vendor identification: 1 to 8 printable ASCII characters (0x20-0x7E)
 * @param product product identification: 1 to 16 printable ASCII characters
 * @param revision product revision level: 1 to 4 printable ASCII characters
 * @param peripheralDeviceType SPC peripheral device type, 0..31 (00h direct access, 05h CD/DVD, 07h
 *     optical memory)
 * @param removable the RMB bit: the medium is removable
 */
public record Identity(
    String vendor, String product, String revision, int peripheralDeviceType, boolean removable) {

  /** Longest vendor identification, in characters. */
  public static final int VENDOR_LENGTH = 8;

  /** Longest product identification, in characters. */
  public static final int PRODUCT_LENGTH = 16;

  /** Longest product revision level, in characters. */
  public static final int REVISION_LENGTH = 4;

  public Identity {
    checkAscii("vendor", vendor, VENDOR_LENGTH);
    checkAscii("product", product, PRODUCT_LENGTH);
    checkAscii("revision", revision, REVISION_LENGTH);
    if (peripheralDeviceType < 0 || peripheralDeviceType > 31) {
      throw new IllegalArgumentException(
          "peripheralDeviceType must be 0..31, was " + peripheralDeviceType);
    }
  }

  private static void checkAscii(String field, String value, int maxLength) {
    Objects.requireNonNull(value, field);
    if (value.isEmpty() || value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " must be 1 to " + maxLength + " characters long, was '" + value + "'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(
            field + " must be printable ASCII, has 0x" + Integer.toHexString(c) + " at " + i);
      }
    }
  }
}
