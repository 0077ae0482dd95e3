package dev.secdrive.protocol.rip;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h REGISTER TRACK parameter list (0301h; seed 004 FIG. 2 S7-S9): the track the host verified by
 * watermark detection and the payload it detected. u8 track number (1-99) | u8 designated sector
 * count k (1-{@value TrackRecord#MAX_DESIGNATED}) | u8 copy control | u8 reserved (0) | u64 content
 * ID (below 2^48). 12 bytes.
 *
 * <p>The host names the track and reports the payload; the drive draws the random value, reads the
 * designated sectors and the ISRC itself (claim 4), so nothing else in the record comes from the
 * host.
 */
public record RegisterTrack(int track, int sectors, int copyControl, long contentId) {

  public static final int LENGTH = 12;

  /** Field offsets, for the field pointer of a refusal. */
  public static final int TRACK_OFFSET = 0;

  public static final int SECTORS_OFFSET = 1;
  public static final int COPY_CONTROL_OFFSET = 2;

  public RegisterTrack {
    TrackRecord.checkTrack(track);
    if (sectors < 1 || sectors > TrackRecord.MAX_DESIGNATED) {
      throw new IllegalArgumentException(
          "designated sector count " + sectors + " outside 1.." + TrackRecord.MAX_DESIGNATED);
    }
    TrackRecord.checkCopyControl(copyControl);
    TrackRecord.checkContentId(contentId);
  }

  public byte[] encode() {
    return new Fields.Writer()
        .u8(track)
        .u8(sectors)
        .u8(copyControl)
        .u8(0)
        .u64(contentId)
        .toByteArray();
  }

  public static RegisterTrack decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "REGISTER TRACK parameter list");
    int track = r.u8("track number");
    if (track < 1 || track > TrackRecord.MAX_TRACK) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track number " + track + " outside 1..99", TRACK_OFFSET);
    }
    int sectors = r.u8("designated sector count");
    if (sectors < 1 || sectors > TrackRecord.MAX_DESIGNATED) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "designated sector count " + sectors + " outside 1.." + TrackRecord.MAX_DESIGNATED,
          SECTORS_OFFSET);
    }
    int copyControl = r.u8("copy control");
    if (copyControl > TrackRecord.NO_MORE_COPIES) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "copy control " + copyControl + " is not 0, 1 or 2", 2);
    }
    if (r.u8("reserved") != 0) {
      throw new ParameterException(Kind.RESERVED, "reserved byte 3 is not zero", 3);
    }
    long contentId = r.u64("content ID");
    if (contentId < 0 || contentId > TrackRecord.MAX_CONTENT_ID) {
      throw new ParameterException(Kind.INVALID_VALUE, "content ID beyond 2^48-1", 4);
    }
    r.end();
    return new RegisterTrack(track, sectors, copyControl, contentId);
  }
}
