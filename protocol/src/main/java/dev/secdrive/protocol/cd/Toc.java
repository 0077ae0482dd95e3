package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.u16;

import java.util.ArrayList;
import java.util.List;

/**
 * READ TOC/PMA/ATIP format 0000b, the formatted TOC (MMC-6 6.33.3.2): a 4-byte header (TOC data
 * length, which does not count itself; first and last track number) and one {@link TrackDescriptor}
 * per track from the requested one on, then the lead-out (AAh).
 */
public record Toc(int firstTrack, int lastTrack, List<TrackDescriptor> descriptors) {

  public static final int HEADER_LENGTH = 4;

  public Toc {
    checkUnsigned("firstTrack", firstTrack, 8);
    checkUnsigned("lastTrack", lastTrack, 8);
    descriptors = List.copyOf(descriptors);
    if (HEADER_LENGTH - 2 + descriptors.size() * TrackDescriptor.LENGTH > 0xFFFF) {
      throw new IllegalArgumentException("TOC longer than its length field");
    }
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER_LENGTH + descriptors.size() * TrackDescriptor.LENGTH];
    putU16(out, 0, out.length - 2);
    out[2] = (byte) firstTrack;
    out[3] = (byte) lastTrack;
    for (int i = 0; i < descriptors.size(); i++) {
      descriptors.get(i).encode(out, HEADER_LENGTH + i * TrackDescriptor.LENGTH);
    }
    return out;
  }

  /** Decodes as many whole descriptors as the data length and the bytes given hold. */
  public static Toc decode(byte[] in) {
    requireLength("TOC header", in, HEADER_LENGTH);
    int end = Math.min(in.length, u16(in, 0) + 2);
    List<TrackDescriptor> descriptors = new ArrayList<>();
    for (int at = HEADER_LENGTH; at + TrackDescriptor.LENGTH <= end; at += TrackDescriptor.LENGTH) {
      descriptors.add(TrackDescriptor.decode(in, at));
    }
    return new Toc(in[2] & 0xFF, in[3] & 0xFF, descriptors);
  }

  static void requireLength(String what, byte[] in, int length) {
    if (in.length < length) {
      throw new IllegalArgumentException(what + " needs " + length + " bytes, got " + in.length);
    }
  }
}
