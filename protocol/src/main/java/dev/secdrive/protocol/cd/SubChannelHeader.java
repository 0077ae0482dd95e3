package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * The 4-byte header of every READ SUB-CHANNEL response (MMC-6 6.32.2.1): reserved, the audio
 * status, and the sub-channel data length, which does not count the header. With SUBQ clear in the
 * CDB the header is all there is.
 */
public final class SubChannelHeader {

  public static final int LENGTH = 4;

  /** Audio status 00h: not supported or not valid. */
  public static final int AUDIO_STATUS_NOT_SUPPORTED = 0x00;

  /** Audio status 13h: play operation successfully completed. */
  public static final int AUDIO_STATUS_COMPLETED = 0x13;

  /** Audio status 15h: no current audio status to return (no play operation has run). */
  public static final int AUDIO_STATUS_NONE = 0x15;

  /** Sub-channel data format 01h: CD current position. */
  public static final int FORMAT_CURRENT_POSITION = 0x01;

  /** Sub-channel data format 02h: media catalog number (UPC/bar code). */
  public static final int FORMAT_MCN = 0x02;

  /** Sub-channel data format 03h: track ISRC. */
  public static final int FORMAT_ISRC = 0x03;

  private SubChannelHeader() {}

  /** The header alone: what READ SUB-CHANNEL with SUBQ clear returns. */
  public static byte[] only(int audioStatus) {
    return write(new byte[LENGTH], audioStatus);
  }

  static byte[] write(byte[] out, int audioStatus) {
    out[1] = (byte) audioStatus;
    putU16(out, 2, out.length - LENGTH);
    return out;
  }

  static void check(String what, byte[] in, int length, int format) {
    Toc.requireLength(what, in, length);
    if (u16(in, 2) != length - LENGTH || (in[4] & 0xFF) != format) {
      throw new IllegalArgumentException(
          String.format(
              "%s: data length %d, format %02Xh; expected %d, %02Xh",
              what, u16(in, 2), in[4] & 0xFF, length - LENGTH, format));
    }
  }
}
