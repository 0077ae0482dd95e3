package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * READ SUB-CHANNEL data format 02h, media catalog number (MMC-6 6.32.2.4): 24 bytes. After the
 * header: format code 02h, 3 reserved bytes, MCVAL (byte 8 bit 7), and the catalog number, 13 ASCII
 * digits in bytes 9-21, then a zero byte and AFRAME (00h here). Without a catalog number MCVAL is
 * clear and bytes 9-23 are zero.
 */
public record MediaCatalogNumber(int audioStatus, Optional<String> mcn) {

  public static final int LENGTH = 24;
  private static final int MCVAL = 0x80;
  private static final int DIGITS_OFFSET = 9;
  private static final int DIGITS = 13;
  private static final Pattern PATTERN = Pattern.compile("[0-9]{13}");

  public MediaCatalogNumber {
    checkUnsigned("audioStatus", audioStatus, 8);
    Objects.requireNonNull(mcn, "mcn");
    mcn.ifPresent(
        m -> {
          if (!PATTERN.matcher(m).matches()) {
            throw new IllegalArgumentException("media catalog number '" + m + "' is not 13 digits");
          }
        });
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    out[4] = (byte) SubChannelHeader.FORMAT_MCN;
    if (mcn.isPresent()) {
      out[8] = (byte) MCVAL;
      byte[] digits = mcn.get().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(digits, 0, out, DIGITS_OFFSET, DIGITS);
    }
    return SubChannelHeader.write(out, audioStatus);
  }

  public static MediaCatalogNumber decode(byte[] in) {
    SubChannelHeader.check("media catalog number", in, LENGTH, SubChannelHeader.FORMAT_MCN);
    Optional<String> mcn =
        (in[8] & MCVAL) == 0
            ? Optional.empty()
            : Optional.of(new String(in, DIGITS_OFFSET, DIGITS, StandardCharsets.US_ASCII));
    return new MediaCatalogNumber(in[1] & 0xFF, mcn);
  }
}
