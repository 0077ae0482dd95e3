package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;

/**
 * READ TOC/PMA/ATIP format 0001b, multi-session information (MMC-6 6.33.3.3): TOC data length
 * 000Ah, the first and last complete session numbers, and one {@link TrackDescriptor} of the first
 * track in the last complete session (its start address in LBA or MSF).
 */
public record SessionInfo(
    int firstSession, int lastSession, TrackDescriptor firstTrackInLastSession) {

  public static final int LENGTH = 12;

  public SessionInfo {
    checkUnsigned("firstSession", firstSession, 8);
    checkUnsigned("lastSession", lastSession, 8);
    java.util.Objects.requireNonNull(firstTrackInLastSession, "firstTrackInLastSession");
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    putU16(out, 0, LENGTH - 2);
    out[2] = (byte) firstSession;
    out[3] = (byte) lastSession;
    firstTrackInLastSession.encode(out, Toc.HEADER_LENGTH);
    return out;
  }

  public static SessionInfo decode(byte[] in) {
    Toc.requireLength("session information", in, LENGTH);
    return new SessionInfo(
        in[2] & 0xFF, in[3] & 0xFF, TrackDescriptor.decode(in, Toc.HEADER_LENGTH));
  }
}
