package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.rip.TrackRecordData;
import dev.secdrive.protocol.rip.VerifyTrack;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drive's part of seed 004's verification table (PROTOCOL.md "Verification table"; claims 1-7,
 * FIG. 2-3): REGISTER TRACK draws the random value R, reads the sectors R designates (claim 4) and
 * the whole track itself, and MACs a track record under a key only this drive has; TRACK RECORD
 * hands it to the host for its table file; VERIFY TRACK checks a record from the table against the
 * loaded disc and re-reads the designated sectors (S10-S12), so the host can skip watermark
 * detection on a later rip without trusting its own table file.
 *
 * <p>The drive cannot detect the watermark: it records the payload the host reports, and refuses to
 * register a track whose reported copy control forbids copying. Nothing is written; the only state
 * is the record pending on the I_T nexus.
 */
final class TrackFlow {

  private static final Logger log = LoggerFactory.getLogger(TrackFlow.class);

  /** Sectors read at once while hashing a whole track. */
  private static final int CHUNK_SECTORS = 64;

  private final DriveKeys keys;
  private final UserArea userArea;
  private final SecureRandom random = new SecureRandom();
  private final byte[] tableKey;

  TrackFlow(DriveKeys keys, UserArea userArea) {
    this.keys = keys;
    this.userArea = userArea;
    this.tableKey =
        Crypto.kdf(
            keys.deviceSecret(),
            KeyLabels.TRACK_TABLE,
            keys.deviceId().getBytes(StandardCharsets.US_ASCII));
  }

  /** TRACK RECORD (0006h): the record the last REGISTER TRACK on this nexus made (1Dh if none). */
  byte[] trackRecord(SecureLayer.Session session) throws CheckCondition {
    if (session.pendingTrackRecord == null) {
      throw CheckCondition.refused(Reason.NO_TRACK_RECORD, "no REGISTER TRACK on this nexus");
    }
    return new TrackRecordData(session.pendingTrackRecord).encode();
  }

  /**
   * REGISTER TRACK (0301h, FIG. 2 S7-S9). Refusals in this order: not CD-DA (1Bh); framing
   * (05/26/00); a track the TOC does not have (05/26/00 on byte 0); a data track (1Bh); more
   * designated sectors than the track has (05/26/00 on byte 1); no more copies (1Ch).
   */
  void register(SecureLayer.Session session, Medium medium, byte[] parameters)
      throws CheckCondition {
    CdAudioDisc disc = audioDisc(medium);
    RegisterTrack request = ParameterLists.decodeAt(0, () -> RegisterTrack.decode(parameters));
    CdAudioDisc.TocTrack track =
        disc.track(request.track())
            .orElseThrow(() -> ParameterLists.invalidParameter(RegisterTrack.TRACK_OFFSET));
    if (!track.audio()) {
      throw CheckCondition.refused(
          Reason.NOT_AUDIO, track.number(), "track " + track.number() + " is a data track");
    }
    if (request.sectors() > track.sectors()) {
      throw ParameterLists.invalidParameter(RegisterTrack.SECTORS_OFFSET);
    }
    if (request.copyControl() == TrackRecord.NO_MORE_COPIES) {
      throw CheckCondition.refused(
          Reason.COPY_NOT_PERMITTED, "track " + track.number() + " is marked no more copies");
    }
    byte[] r = new byte[TrackRecord.RANDOM_LENGTH];
    random.nextBytes(r);
    List<Long> designated =
        TrackRecord.designate(r, track.startLba(), track.sectors(), request.sectors());
    TrackRecord record =
        TrackRecord.unsigned(
                medium.id(),
                keys.deviceId(),
                track.number(),
                track.isrc(),
                track.startLba(),
                track.sectors(),
                r,
                request.copyControl(),
                request.contentId(),
                designated,
                designatedDigest(medium, designated),
                trackDigest(medium, track))
            .sign(tableKey);
    session.pendingTrackRecord = record.encode();
    log.info(
        "drive {}: registered track {} of {}{} ({} sectors designated)",
        keys.deviceId(),
        track.number(),
        medium.id(),
        track.isrc().map(i -> " ISRC " + i).orElse(""),
        designated.size());
  }

  /**
   * VERIFY TRACK (0302h, FIG. 2 S10-S12). Refusals in this order: not CD-DA (1Bh); framing
   * (05/26/00, another version 0Bh); another drive (06h); the MAC (18h); a track that is not the
   * recorded one (19h); designated sectors that are not R's (18h); their content (1Ah).
   *
   * <p>A recording with an ISRC is the recording wherever it is pressed (S10: the table is looked
   * up by that identifier): the record verifies on any disc whose named track carries the same ISRC
   * and length, by the content of the designated sectors at the same offsets in the track, so an
   * album and a compilation of the same master share one record and another recording under the
   * same ISRC is refused by its content (1Ah). A track without an ISRC is identified by its disc:
   * the same medium ID, track number and start.
   */
  void verify(Medium medium, byte[] parameters) throws CheckCondition {
    CdAudioDisc disc = audioDisc(medium);
    VerifyTrack request = ParameterLists.decodeAt(0, () -> VerifyTrack.decode(parameters));
    TrackRecord record = request.record();
    if (!record.deviceId().equals(keys.deviceId())) {
      throw CheckCondition.refused(
          Reason.OTHER_DRIVE, "track record made by drive " + record.deviceId());
    }
    if (!record.verifies(tableKey)) {
      throw CheckCondition.refused(
          Reason.RECORD_ALTERED, "track record of track " + record.track() + " for " + medium.id());
    }
    CdAudioDisc.TocTrack track =
        disc.track(request.track())
            .orElseThrow(
                () ->
                    CheckCondition.refused(
                        Reason.OTHER_TRACK, "the disc has no track " + request.track()));
    requireRecordedTrack(medium, track, record);
    if (!track.audio()) {
      throw CheckCondition.refused(
          Reason.NOT_AUDIO, track.number(), "track " + track.number() + " is a data track");
    }
    if (!record.designated().equals(record.designatedAgain())) {
      throw CheckCondition.refused(
          Reason.RECORD_ALTERED, "designated sectors that are not its random value's");
    }
    List<Long> here =
        record.designated().stream()
            .map(lba -> lba - record.startLba() + track.startLba())
            .toList();
    if (!Bytes.constantTimeEquals(designatedDigest(medium, here), record.designatedDigest())) {
      throw CheckCondition.refused(
          Reason.CONTENT_DIFFERS,
          "track " + track.number() + " of " + medium.id() + ": designated sectors differ");
    }
  }

  /** 19h unless {@code track} of this disc is the one {@code record} recorded. */
  private static void requireRecordedTrack(
      Medium medium, CdAudioDisc.TocTrack track, TrackRecord record) throws CheckCondition {
    if (record.isrc().isPresent()) {
      if (!track.isrc().equals(record.isrc()) || track.sectors() != record.sectors()) {
        throw CheckCondition.refused(
            Reason.OTHER_TRACK,
            "track "
                + track.number()
                + " of "
                + medium.id()
                + " is not the recording of ISRC "
                + record.isrc().get()
                + " ("
                + record.sectors()
                + " sectors) recorded");
      }
      return;
    }
    if (!record.mediumId().equals(medium.id())) {
      throw CheckCondition.refused(
          Reason.OTHER_TRACK,
          "track record for medium " + record.mediumId() + ", not " + medium.id());
    }
    if (record.track() != track.number()
        || track.isrc().isPresent()
        || track.startLba() != record.startLba()
        || track.sectors() != record.sectors()) {
      throw CheckCondition.refused(
          Reason.OTHER_TRACK,
          "track " + track.number() + " of " + medium.id() + " is not the track recorded");
    }
  }

  private static CdAudioDisc audioDisc(Medium medium) throws CheckCondition {
    if (!CdAudioDisc.isAudio(medium)) {
      throw CheckCondition.refused(
          Reason.NOT_AUDIO, "medium " + medium.id() + " is " + medium.metadata().type());
    }
    try {
      return CdAudioDisc.of(medium);
    } catch (MediumException e) {
      log.error("medium {}: {}", medium.id(), e.getMessage());
      throw CheckCondition.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR);
    }
  }

  private byte[] designatedDigest(Medium medium, List<Long> lbas) throws CheckCondition {
    MessageDigest sha = sha256();
    ByteBuffer sector = ByteBuffer.allocate(CdAudioDisc.SECTOR_BYTES);
    for (long lba : lbas) {
      sector.clear();
      userArea.read(medium, lba, sector);
      sha.update(sector.flip());
    }
    return sha.digest();
  }

  private byte[] trackDigest(Medium medium, CdAudioDisc.TocTrack track) throws CheckCondition {
    MessageDigest sha = sha256();
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_SECTORS * CdAudioDisc.SECTOR_BYTES);
    for (long lba = track.startLba(); lba < track.endLba(); lba += CHUNK_SECTORS) {
      int n = (int) Math.min(CHUNK_SECTORS, track.endLba() - lba);
      chunk.clear().limit(n * CdAudioDisc.SECTOR_BYTES);
      userArea.read(medium, lba, chunk);
      sha.update(chunk.flip());
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
