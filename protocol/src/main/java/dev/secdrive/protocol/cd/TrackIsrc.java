package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * READ SUB-CHANNEL data format 03h, track ISRC (MMC-6 6.32.2.5): 24 bytes. After the header: format
 * code 03h, ADR and CONTROL, the track number, reserved, TCVAL (byte 8 bit 7), and the ISRC, 12
 * ASCII characters in bytes 9-20, then a zero byte, AFRAME (00h here) and a reserved byte. Without
 * an ISRC TCVAL is clear and bytes 9-23 are zero.
 */
public record TrackIsrc(
    int audioStatus, int adr, int control, int trackNumber, Optional<String> isrc) {

  public static final int LENGTH = 24;
  private static final int TCVAL = 0x80;
  private static final int ISRC_OFFSET = 9;
  private static final int ISRC_LENGTH = 12;
  private static final Pattern PATTERN = Pattern.compile("[A-Z]{2}[A-Z0-9]{3}[0-9]{7}");

  public TrackIsrc {
    checkUnsigned("audioStatus", audioStatus, 8);
    checkUnsigned("adr", adr, 4);
    checkUnsigned("control", control, 4);
    checkUnsigned("trackNumber", trackNumber, 8);
    Objects.requireNonNull(isrc, "isrc");
    isrc.ifPresent(
        i -> {
          if (!PATTERN.matcher(i).matches()) {
            throw new IllegalArgumentException("ISRC '" + i + "' is not CCXXXYYNNNNN");
          }
        });
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    out[4] = (byte) SubChannelHeader.FORMAT_ISRC;
    out[5] = (byte) (adr << 4 | control);
    out[6] = (byte) trackNumber;
    if (isrc.isPresent()) {
      out[8] = (byte) TCVAL;
      System.arraycopy(
          isrc.get().getBytes(StandardCharsets.US_ASCII), 0, out, ISRC_OFFSET, ISRC_LENGTH);
    }
    return SubChannelHeader.write(out, audioStatus);
  }

  public static TrackIsrc decode(byte[] in) {
    SubChannelHeader.check("track ISRC", in, LENGTH, SubChannelHeader.FORMAT_ISRC);
    Optional<String> isrc =
        (in[8] & TCVAL) == 0
            ? Optional.empty()
            : Optional.of(new String(in, ISRC_OFFSET, ISRC_LENGTH, StandardCharsets.US_ASCII));
    return new TrackIsrc(in[1] & 0xFF, (in[5] & 0xFF) >>> 4, in[5] & 0x0F, in[6] & 0xFF, isrc);
  }
}
