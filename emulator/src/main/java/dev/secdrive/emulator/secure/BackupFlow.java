package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * License backup and restore (US 2001/0008016; PROTOCOL.md "Backup blobs" and "License versions,
 * the counter and anti-rollback"): BACKUP exports the secure area's license state as a blob
 * encrypted under the medium key (and a device key, or sealed to a second drive's certified key),
 * to the host or into the user area; RESTORE opens a blob inside the drive and puts it back, never
 * older than what this drive has recorded; RESEAL moves a sealed blob on to the drive that will
 * restore it.
 */
final class BackupFlow {

  private static final Logger log = LoggerFactory.getLogger(BackupFlow.class);

  /**
   * A blob's header is far shorter: a prefix of the user area this long (and a block) that still
   * does not say how long the blob is holds no blob, and is not read further.
   */
  private static final int HEADER_SEARCH_BYTES = 4096;

  private final SecureStore store;
  private final UserArea userArea;

  BackupFlow(SecureStore store, UserArea userArea) {
    this.store = store;
    this.userArea = userArea;
  }

  /** BACKUP DATA data-in: the blob the last BACKUP or RESEAL on this nexus left (0Ah if none). */
  byte[] backupData(SecureLayer.Session session) throws CheckCondition {
    if (session.pendingBlob == null) {
      throw CheckCondition.refused(Reason.NOTHING_PENDING, "no BACKUP or RESEAL on this nexus");
    }
    return new BackupData(session.pendingBlob).encode();
  }

  /** BACKUP (FIG. 7 S31-S33, FIG. 11 S51-S54, FIG. 14 S71-S74). */
  void backup(SecureLayer.Session session, Medium medium, byte[] parameters) throws CheckCondition {
    BackupRequest request = ParameterLists.decode(() -> BackupRequest.decode(parameters));
    DriveKeys keys = store.keys();
    Certificate recipient = null;
    if (request.recipientCertificate().length > 0) {
      recipient =
          ParameterLists.certified(
              keys,
              request.recipientCertificate(),
              BackupRequest.RECIPIENT_CERTIFICATE_OFFSET,
              Certificate.Role.DRIVE,
              "recipient");
    }
    boolean toUserArea = request.target() == BackupRequest.Target.USER_AREA;
    if (toUserArea) {
      UserArea.requireWritable(medium);
      if (request.lba() >= medium.blockCount()) {
        throw UserArea.lbaOutOfRange();
      }
    }
    SecureStore.Area current = store.read(medium);
    if (!current.readable()) {
      throw CheckCondition.refused(
          Reason.NO_LICENSE, "the secure area holds no license to back up");
    }
    // The blob is built with the counter value the advance below makes durable, and leaves the
    // drive only after it is: no two exports share a counter. Every check that can refuse comes
    // before the advance, so a refused BACKUP burns no counter value.
    long counter = store.nextCounter();
    BackupBlob blob =
        Blobs.create(
            request.binding(),
            medium.id(),
            store.mediumKey(medium),
            current.state(),
            current.mediumWrites(),
            counter,
            keys,
            recipient);
    byte[] bytes = blob.encode();
    int blockSize = medium.blockSize();
    long blocks = (bytes.length + blockSize - 1) / blockSize;
    if (toUserArea) {
      if (blocks > medium.blockCount() - request.lba()) {
        throw UserArea.lbaOutOfRange();
      }
      userArea.check(medium, request.lba(), blocks);
    }
    long advanced = store.advanceCounter();
    if (advanced != counter) {
      throw new IllegalStateException("the counter moved during BACKUP: " + advanced);
    }
    if (!toUserArea) {
      session.pendingBlob = bytes;
      return;
    }
    userArea.write(
        medium, request.lba(), ByteBuffer.wrap(Arrays.copyOf(bytes, (int) blocks * blockSize)));
  }

  /**
   * RESTORE (FIG. 9, 12, 15). Refusals in this order: framing (05/26/00); write protection
   * (07/27/00); a user-area blob beyond the medium (05/21/00); a blob that does not parse (05h, or
   * 0Bh for another format version); another medium (04h); another drive (06h); a layer that fails
   * authentication (05h); a counter this drive never reached (05h); a medium write counter other
   * than the medium's (07h, with the medium's counter in INFORMATION); a version below the recorded
   * one (07h, with the recorded version in INFORMATION).
   */
  void restore(Medium medium, byte[] parameters) throws CheckCondition {
    RestoreRequest request = ParameterLists.decode(() -> RestoreRequest.decode(parameters));
    UserArea.requireWritable(medium);
    BackupBlob blob =
        Blobs.decode(blobBytes(medium, request.source(), request.lba(), request.blob()));
    if (!blob.mediumId().equals(medium.id())) {
      throw CheckCondition.refused(
          Reason.OTHER_MEDIUM,
          "the backup is of medium " + blob.mediumId() + ", not " + medium.id());
    }
    DriveKeys keys = store.keys();
    LicenseState state = Blobs.open(blob, store.mediumKey(medium), keys);
    if (blob.binding().deviceBound() && blob.counter() > store.nv().counter()) {
      // This drive never counted that far: the blob or the drive state was tampered with.
      throw CheckCondition.refused(Reason.INTEGRITY, "the blob's counter is ahead of this drive's");
    }
    // The blob restores only the state the medium holds now: a license state captured before the
    // medium's latest write of its secure area (a play spent, a restore, a new license) is stale
    // in every drive, whether or not it saw the medium before. The area need not be read: at the
    // blob's write the medium held exactly this state, or it has been damaged since.
    long writes = store.mediumWrites(medium);
    if (blob.mediumWrites() != writes) {
      throw CheckCondition.refused(
          Reason.STALE,
          writes,
          "the backup was taken at medium write "
              + blob.mediumWrites()
              + ", the medium is at write "
              + writes);
    }
    long recorded = store.recordedVersion(medium);
    if (state.version() < recorded) {
      throw CheckCondition.refused(
          Reason.STALE,
          recorded,
          "backup has version " + state.version() + ", recorded " + recorded);
    }
    store.commit("restore", medium, state);
    log.info(
        "drive {}: restored license version {} on medium {} from a {} backup",
        keys.deviceId(),
        state.version(),
        medium.id(),
        blob.binding().text());
  }

  /** RESEAL (FIG. 15 S81-S82): the drive a blob is sealed to seals it on to {@code recipient}. */
  void reseal(SecureLayer.Session session, Medium medium, byte[] parameters) throws CheckCondition {
    ResealRequest request = ParameterLists.decode(() -> ResealRequest.decode(parameters));
    DriveKeys keys = store.keys();
    Certificate recipient =
        ParameterLists.certified(
            keys,
            request.recipientCertificate(),
            request.recipientCertificateOffset(),
            Certificate.Role.DRIVE,
            "recipient");
    BackupBlob blob =
        Blobs.decode(blobBytes(medium, request.source(), request.lba(), request.blob()));
    session.pendingBlob = Blobs.reseal(blob, keys, recipient).encode();
  }

  /**
   * The blob of a RESTORE or RESEAL: the inline one, or the one at {@code lba} of the user area,
   * read block by block until its header says how long it is.
   */
  private byte[] blobBytes(Medium medium, BlobSource source, long lba, byte[] inline)
      throws CheckCondition {
    if (source == BlobSource.INLINE) {
      return inline;
    }
    int blockSize = medium.blockSize();
    if (lba >= medium.blockCount()) {
      throw UserArea.lbaOutOfRange();
    }
    long length = -1;
    byte[] prefix = new byte[0];
    for (int blocks = 1; length < 0; blocks++) {
      if (blocks > medium.blockCount() - lba
          || blocks * (long) blockSize > HEADER_SEARCH_BYTES + blockSize) {
        throw CheckCondition.refused(Reason.INTEGRITY, "no backup blob at LBA " + lba);
      }
      prefix = new byte[blocks * blockSize];
      userArea.read(medium, lba, ByteBuffer.wrap(prefix));
      try {
        length = BackupBlob.encodedLength(prefix);
      } catch (ParameterException e) {
        if (e.kind() == ParameterException.Kind.FORMAT_VERSION) {
          throw CheckCondition.refused(Reason.FORMAT_VERSION, e.getMessage());
        }
        throw CheckCondition.refused(
            Reason.INTEGRITY, "no backup blob at LBA " + lba + ": " + e.getMessage());
      }
    }
    long blocks = (length + blockSize - 1) / blockSize;
    if (blocks > medium.blockCount() - lba) {
      throw UserArea.lbaOutOfRange();
    }
    if (length <= prefix.length) {
      return Arrays.copyOf(prefix, (int) length);
    }
    byte[] all = new byte[(int) blocks * blockSize];
    userArea.read(medium, lba, ByteBuffer.wrap(all));
    return Arrays.copyOf(all, (int) length);
  }
}
