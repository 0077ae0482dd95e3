package dev.secdrive.protocol.rip;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h VERIFY TRACK parameter list (0302h; seed 004 FIG. 2 S10-S12): the track the host is about to
 * rip and the table's record it found for it. u8 track number (1-99) | 3 reserved bytes (0) | the
 * SDTR to the end of the list. The drive checks that the record is for this disc and for exactly
 * this track, so a record of another track of the same disc is refused too.
 */
public record VerifyTrack(int track, TrackRecord record) {

  /** Where the record starts in the list. */
  public static final int RECORD_OFFSET = 4;

  public VerifyTrack {
    TrackRecord.checkTrack(track);
    if (record == null) {
      throw new NullPointerException("record");
    }
  }

  public byte[] encode() {
    return new Fields.Writer().u8(track).u8(0).u16(0).raw(record.encode()).toByteArray();
  }

  /** Decodes a list; a record that does not parse is reported at its byte in the list. */
  public static VerifyTrack decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "VERIFY TRACK parameter list");
    int track = r.u8("track number");
    if (track < 1 || track > TrackRecord.MAX_TRACK) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track number " + track + " outside 1..99", 0);
    }
    for (int i = 1; i < RECORD_OFFSET; i++) {
      if (r.u8("reserved") != 0) {
        throw new ParameterException(Kind.RESERVED, "reserved byte " + i + " is not zero", i);
      }
    }
    TrackRecord record;
    try {
      record = TrackRecord.decode(r.raw("track record", r.remaining()));
    } catch (ParameterException e) {
      throw e.within(RECORD_OFFSET);
    }
    return new VerifyTrack(track, record);
  }
}
