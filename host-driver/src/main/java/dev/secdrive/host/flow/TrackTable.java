package dev.secdrive.host.flow;

import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.Ripper.Refusal;
import dev.secdrive.host.flow.Ripper.RefusedException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.watermark.Payload;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import java.util.Optional;

/**
 * TABLE mode's use of the verification table (embodiment 1 of seed 004, FIG. 2): the lookup and the
 * drive's VERIFY TRACK of a later rip (S2-S3, S10-S12), and the drive's REGISTER TRACK after a
 * first rip's detection (S7-S9). The table file is only a store: the drive's MAC on each record is
 * what makes an edited, copied or forged entry fail.
 */
final class TrackTable {

  private final Drive drive;
  private final Ripper.Settings settings;

  TrackTable(Drive drive, Ripper.Settings settings) {
    this.drive = drive;
    this.settings = settings;
  }

  /**
   * The table's record of {@code track}, verified by the drive against the disc before anything is
   * read; empty when the table has none (a first rip).
   *
   * @throws RefusedException TABLE_RECORD if the entry is not a record or the drive refuses it
   */
  Optional<TrackRecord> verified(Ripper.Track track, Optional<String> isrc) {
    RipTable.Key key = RipTable.Key.of(drive.deviceId(), isrc, drive.mediumId(), track.number());
    Optional<RipTable.Entry> entry = RipTable.load(settings.table()).find(key);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    TrackRecord record;
    try {
      record = entry.get().decoded(settings.table());
    } catch (FlowException e) {
      throw new RefusedException(
          Refusal.TABLE_RECORD, track.number(), Optional.empty(), e.getMessage(), e);
    }
    try {
      drive.secure().verifyTrack(track.number(), record);
    } catch (ScsiException e) {
      if (anotherPressing(e, record, track, isrc)) {
        return Optional.empty(); // detect, and register this pressing in its place
      }
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          e.reason(),
          "the table's record for track "
              + track.number()
              + " ("
              + key
              + ") is refused by the drive: "
              + e.reason().map(Reason::text).orElse(e.getMessage())
              + ". The table file "
              + settings.table()
              + " was edited or copied, or this is another disc; rip with --mode full to check"
              + " the watermark instead",
          e);
    }
    return Optional.of(record);
  }

  /**
   * Whether the drive refused a genuine record of this track's recording only because this disc
   * presses it at another length (another pregap, say): 19h for a record whose own ISRC is the
   * track's. A record of another ISRC under this one's key is an edited table and stays refused.
   */
  private static boolean anotherPressing(
      ScsiException e, TrackRecord record, Ripper.Track track, Optional<String> isrc) {
    return e.reason().equals(Optional.of(Reason.OTHER_TRACK))
        && isrc.isPresent()
        && record.isrc().equals(isrc)
        && record.sectors() != track.sectors();
  }

  /**
   * Refuses a track whose sectors, as read, are not the recording registered: the drive checked
   * only the designated sectors, the ripper compares the whole track's SHA-256.
   */
  void requireSameTrack(Ripper.Track track, TrackRecord record, byte[] digest) {
    if (!Bytes.constantTimeEquals(digest, record.trackDigest())) {
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          "track "
              + track.number()
              + " differs from the recording registered in "
              + settings.table()
              + " outside the sectors the drive checked: an edited disc; rip with --mode full to"
              + " check the watermark");
    }
  }

  /** Has the drive register {@code track} with the payload detected, and stores its record. */
  void register(Ripper.Track track, Payload payload) {
    byte[] record;
    try {
      drive
          .secure()
          .registerTrack(
              new RegisterTrack(
                  track.number(),
                  (int) Math.min(settings.designatedSectors(), track.sectors()),
                  payload.copyControl().code(),
                  payload.contentId()));
      record = drive.secure().trackRecord();
    } catch (ScsiException e) {
      throw new RefusedException(
          Refusal.TABLE_RECORD,
          track.number(),
          e.reason(),
          "the drive did not register track " + track.number() + ": " + e.getMessage(),
          e);
    }
    try {
      RipTable.register(settings.table(), TrackRecord.decode(record));
    } catch (ParameterException e) {
      throw new FlowException("the drive sent an unreadable track record: " + e.getMessage(), e);
    }
  }
}
