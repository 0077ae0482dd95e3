package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

/**
 * GET EVENT STATUS NOTIFICATION response for the media class (MMC-6 6.6.2): the event header and
 * one media event descriptor; or the header alone with NEA set when no requested class is
 * supported.
 *
 * @param noEventAvailable NEA: none of the requested classes is supported
 * @param event the media event code, byte 0 bits 3-0 of the descriptor
 * @param mediumPresent Media Present, byte 1 bit 1
 * @param trayOpen Door or Tray open, byte 1 bit 0
 */
public record MediaEventStatus(
    boolean noEventAvailable, MediaEvent event, boolean mediumPresent, boolean trayOpen) {

  public static final int SUPPORTED_CLASSES = 1 << 4; // media class only
  private static final int NEA = 0x80;
  private static final int CLASS_MEDIA = 4;
  private static final int HEADER_LENGTH = 4;
  private static final int DESCRIPTOR_LENGTH = 4;

  /** Media event codes (MMC-6 table 136). */
  public enum MediaEvent {
    NO_CHANGE(0),
    EJECT_REQUEST(1),
    NEW_MEDIA(2),
    MEDIA_REMOVAL(3),
    MEDIA_CHANGED(4),
    BG_FORMAT_COMPLETED(5),
    BG_FORMAT_RESTARTED(6);

    private final int code;

    MediaEvent(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static MediaEvent fromCode(int code) {
      for (MediaEvent e : values()) {
        if (e.code == code) {
          return e;
        }
      }
      throw new IllegalArgumentException("unknown media event code " + code);
    }
  }

  public static MediaEventStatus none() {
    return new MediaEventStatus(true, MediaEvent.NO_CHANGE, false, false);
  }

  public byte[] encode() {
    if (noEventAvailable) {
      byte[] out = new byte[HEADER_LENGTH];
      putU16(out, 0, 2);
      out[2] = (byte) NEA;
      out[3] = (byte) SUPPORTED_CLASSES;
      return out;
    }
    byte[] out = new byte[HEADER_LENGTH + DESCRIPTOR_LENGTH];
    putU16(out, 0, out.length - 2); // EVENT DATA LENGTH excludes itself
    out[2] = (byte) CLASS_MEDIA;
    out[3] = (byte) SUPPORTED_CLASSES;
    out[4] = (byte) event.code();
    out[5] = (byte) ((mediumPresent ? 0x02 : 0) | (trayOpen ? 0x01 : 0));
    return out;
  }

  public static MediaEventStatus decode(byte[] in) {
    Ascii.requireLength("event status header", in, HEADER_LENGTH);
    if ((in[2] & NEA) != 0 || u16(in, 0) < 2 + DESCRIPTOR_LENGTH) {
      return none();
    }
    Ascii.requireLength("media event descriptor", in, HEADER_LENGTH + DESCRIPTOR_LENGTH);
    return new MediaEventStatus(
        false, MediaEvent.fromCode(in[4] & 0x0F), (in[5] & 0x02) != 0, (in[5] & 0x01) != 0);
  }
}
