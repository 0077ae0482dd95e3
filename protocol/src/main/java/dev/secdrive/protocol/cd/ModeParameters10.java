package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * MODE SENSE(10) parameter data of an MMC drive (SPC-4 7.5.4 table 447, MMC-6 7.2): the 8-byte mode
 * parameter header (10) and the mode pages. MODE DATA LENGTH (bytes 0-1) does not count itself;
 * byte 2 is the medium type, byte 3 the device-specific parameter (reserved for MMC devices), byte
 * 4 bit 0 LONGLBA, and BLOCK DESCRIPTOR LENGTH (bytes 6-7) is 0: MMC-6 7.2.1 has the drive return
 * no block descriptors.
 *
 * @param mediumType byte 2, 00h for MMC
 * @param deviceSpecificParameter byte 3, 00h for MMC
 * @param pages the mode pages, back to back
 */
public record ModeParameters10(int mediumType, int deviceSpecificParameter, byte[] pages) {

  public static final int HEADER_LENGTH = 8;

  public ModeParameters10 {
    checkUnsigned("mediumType", mediumType, 8);
    checkUnsigned("deviceSpecificParameter", deviceSpecificParameter, 8);
    Objects.requireNonNull(pages, "pages");
    pages = pages.clone();
    if (HEADER_LENGTH - 2 + pages.length > 0xFFFF) {
      throw new IllegalArgumentException("mode parameter list longer than its length field");
    }
  }

  @Override
  public byte[] pages() {
    return pages.clone();
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER_LENGTH + pages.length];
    putU16(out, 0, out.length - 2);
    out[2] = (byte) mediumType;
    out[3] = (byte) deviceSpecificParameter;
    System.arraycopy(pages, 0, out, HEADER_LENGTH, pages.length);
    return out;
  }

  /** Decodes the header and the pages after any block descriptors. */
  public static ModeParameters10 decode(byte[] in) {
    Toc.requireLength("mode parameter header (10)", in, HEADER_LENGTH);
    int end = Math.min(in.length, u16(in, 0) + 2);
    int pagesStart = Math.min(end, HEADER_LENGTH + u16(in, 6));
    return new ModeParameters10(
        in[2] & 0xFF, in[3] & 0xFF, Arrays.copyOfRange(in, pagesStart, Math.max(pagesStart, end)));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ModeParameters10 m
        && m.mediumType == mediumType
        && m.deviceSpecificParameter == deviceSpecificParameter
        && Arrays.equals(m.pages, pages);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mediumType, deviceSpecificParameter) * 31 + Arrays.hashCode(pages);
  }

  @Override
  public String toString() {
    return "ModeParameters10[mediumType="
        + mediumType
        + ", deviceSpecificParameter="
        + deviceSpecificParameter
        + ", pages="
        + HexFormat.of().formatHex(pages)
        + "]";
  }
}
