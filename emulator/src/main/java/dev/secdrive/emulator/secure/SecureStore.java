package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the flows keep licenses: the sealed secure area of the loaded medium, read and replaced
 * whole, and the drive's non-volatile state, its monotonic counter and, per medium, the highest
 * license version it has recorded (the anti-rollback floor). A flow reads the area, checks
 * everything that can refuse, then commits a new license state once; a commit either replaces the
 * area whole or leaves it as it was (the medium's atomic replace), and raises the floor after it.
 *
 * <p>Every commit passes the named steps of {@link #commitSteps}, where a power loss may be
 * injected.
 */
final class SecureStore {

  private static final Logger log = LoggerFactory.getLogger(SecureStore.class);

  private final DriveKeys keys;
  private final DriveNv nv;
  private final WriteSteps faults;

  SecureStore(DriveKeys keys, DriveNv nv, WriteSteps faults) {
    this.keys = keys;
    this.nv = nv;
    this.faults = faults;
  }

  /** Named steps of a commit of {@code operation}, in order. */
  static List<String> commitSteps(String operation) {
    List<String> out = new ArrayList<>();
    out.add(operation + ":verified");
    for (String s : WriteSteps.REPLACE_STEPS) {
      out.add(operation + ":secure-area-" + s);
    }
    for (String s : WriteSteps.REPLACE_STEPS) {
      out.add(operation + ":nv-" + s);
    }
    return List.copyOf(out);
  }

  DriveKeys keys() {
    return keys;
  }

  DriveNv nv() {
    return nv;
  }

  /** Km = KDF(system secret, "medium", medium ID): never from the public medium ID alone. */
  byte[] mediumKey(Medium medium) {
    return Blobs.mediumKey(keys.systemSecret(), medium.id());
  }

  /** A content key as the license state holds it: AES-KWP under KDF(Km, "content-key", ""). */
  byte[] wrapContentKey(Medium medium, byte[] contentKey) {
    return AesKeyWrap.wrap(contentKeyWrapKey(medium), contentKey);
  }

  /** The content key of a license of {@code medium}. */
  byte[] unwrapContentKey(Medium medium, byte[] wrapped) throws AuthenticationException {
    return AesKeyWrap.unwrap(contentKeyWrapKey(medium), wrapped);
  }

  private byte[] contentKeyWrapKey(Medium medium) {
    return Crypto.kdf(mediumKey(medium), KeyLabels.CONTENT_KEY, new byte[0]);
  }

  /**
   * The secure area of {@code medium} as read, with the medium's write counter read from the same
   * file.
   */
  record Area(SecureArea.Contents contents, long mediumWrites) {
    SecureArea.Condition condition() {
      return contents.condition();
    }

    boolean readable() {
      return contents.readable();
    }

    LicenseState state() {
      return contents.state();
    }
  }

  /**
   * The secure area of {@code medium}, for every flow that uses it: the one place where a drive
   * refuses an area it must not trust. One that does not authenticate (damaged, or copied from
   * another medium) holds no license, and is logged; a blank one holds none. A sealed one is
   * refused with STALE (07h) when it is not the area of the medium's current write counter (an
   * older area put back: INFORMATION = the medium's counter) or older than the license version this
   * drive recorded for the medium (a whole medium put back: INFORMATION = the recorded version),
   * and with 0Eh when this drive committed it at a counter it has not reached (its own state was
   * rolled back: INFORMATION = that counter).
   */
  Area read(Medium medium) throws CheckCondition {
    Area area = readUnchecked(medium);
    if (area.readable()) {
      requireCurrent(medium, area);
    }
    return area;
  }

  /**
   * The medium's current secure-area write counter, for a RESTORE, which replaces whatever the area
   * holds and so need not trust it.
   */
  long mediumWrites(Medium medium) throws CheckCondition {
    return readUnchecked(medium).mediumWrites();
  }

  private Area readUnchecked(Medium medium) throws CheckCondition {
    Medium.SecureAreaImage image;
    try {
      image = medium.readSecureAreaImage();
    } catch (IOException e) {
      log.error("drive {}: reading the secure area of {} failed", keys.deviceId(), medium.id(), e);
      throw CheckCondition.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR);
    }
    if (image.behindItsAnchor()) {
      // The medium's own counter went back: its files were put back from a copy. Whatever its
      // area holds, and whatever backup matches that counter, belongs to a past state.
      CheckCondition e =
          CheckCondition.refused(
              Reason.STALE,
              image.anchoredCounter(),
              "medium "
                  + medium.id()
                  + " is at secure-area write "
                  + image.writeCounter()
                  + " but reached write "
                  + image.anchoredCounter()
                  + " before: its secure area and counter were put back from a copy");
      log.error("drive {}: {}", keys.deviceId(), e.getMessage());
      throw e;
    }
    SecureArea.Contents contents = SecureArea.open(mediumKey(medium), medium.id(), image.area());
    if (contents.condition() == SecureArea.Condition.UNREADABLE) {
      log.warn(
          "drive {}: the secure area of medium {} does not authenticate (damaged, or copied from"
              + " another medium); treating it as holding no license",
          keys.deviceId(),
          medium.id());
    }
    return new Area(contents, image.writeCounter());
  }

  private void requireCurrent(Medium medium, Area area) throws CheckCondition {
    SecureArea.Commit commit = area.contents().commit();
    long writes = area.mediumWrites();
    // A format 1 area was written before media kept a write counter, so only at counter 0.
    long sealedAt = commit == null ? 0 : commit.mediumWrites();
    if (sealedAt != writes) {
      throw CheckCondition.refused(
          Reason.STALE,
          writes,
          "the secure area of medium "
              + medium.id()
              + " was sealed at medium write "
              + (commit == null ? "0 (format 1)" : sealedAt)
              + " but the medium is at write "
              + writes
              + ": an older secure area put back");
    }
    if (commit != null
        && commit.deviceId().equals(keys.deviceId())
        && commit.driveCounter() > nv.counter()) {
      CheckCondition e =
          CheckCondition.refused(
              Reason.DRIVE_STATE_ROLLED_BACK,
              commit.driveCounter(),
              "this drive committed the secure area of medium "
                  + medium.id()
                  + " at its counter "
                  + commit.driveCounter()
                  + " but its state is at counter "
                  + nv.counter()
                  + ": its non-volatile state was rolled back");
      log.error("drive {}: {}", keys.deviceId(), e.getMessage());
      throw e;
    }
    long recorded = recordedVersion(medium);
    if (area.state().version() < recorded) {
      throw CheckCondition.refused(
          Reason.STALE,
          recorded,
          "the secure area of medium "
              + medium.id()
              + " has license version "
              + area.state().version()
              + " but this drive recorded version "
              + recorded
              + ": an older medium put back");
    }
    if (area.state().version() > recorded) {
      // The first use of this medium in this drive, or of a state another drive wrote since: the
      // drive trusts the medium's counter and records the version, so that from now on it too
      // refuses every older state of the medium.
      try {
        nv.advance(medium.id(), area.state().version(), WriteSteps.NONE);
      } catch (IOException e) {
        throw stateWriteFailed(e);
      }
    }
  }

  /** The highest license version this drive recorded for {@code medium}; -1 if none. */
  long recordedVersion(Medium medium) {
    return nv.recordedVersion(medium.id());
  }

  /**
   * The version a new license state of {@code medium} gets: above the area's and above the drive's
   * record. After a damaged secure area (version 0) the record still counts, so a new license is
   * newer than every backup this drive exported of the medium, and none of them can replace it.
   */
  long nextVersion(Medium medium, LicenseState current) {
    return Math.max(current.version(), recordedVersion(medium)) + 1;
  }

  /**
   * The license state of {@code current} with a license for {@code contentId} from {@code licensor}
   * under {@code contentKey} (wrapped as every license's key is) and {@code plays} plays, at the
   * next version; refused with 05/26/00 if it would not fit the medium's secure area. Nothing is
   * written.
   */
  LicenseState withLicense(
      Medium medium,
      Area current,
      String contentId,
      Certificate licensor,
      byte[] contentKey,
      long plays)
      throws CheckCondition {
    LicenseState state =
        current
            .state()
            .with(
                new LicenseState.License(
                    contentId,
                    LicenseState.Licensor.of(licensor),
                    wrapContentKey(medium, contentKey),
                    plays),
                nextVersion(medium, current.state()));
    requireFits(medium, state);
    return state;
  }

  /** Refuses with 05/26/00 if {@code state} would not fit the medium's secure area. */
  void requireFits(Medium medium, LicenseState state) throws CheckCondition {
    seal(medium, state, new SecureArea.Commit(0, keys.deviceId(), 0)); // its size is the same
  }

  private byte[] seal(Medium medium, LicenseState state, SecureArea.Commit commit)
      throws CheckCondition {
    byte[] area =
        SecureArea.seal(
            mediumKey(medium), medium.id(), state, commit, medium.metadata().secureAreaBytes());
    if (area == null) {
      throw CheckCondition.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
    }
    return area;
  }

  /**
   * Seals {@code state} into the medium's secure area, then records its version in the drive state:
   * in this order, so that a crash between the two leaves the drive's anti-rollback floor at or
   * below the area's version and never locks out the backup just restored.
   *
   * <p>The area binds the medium's write counter after this write, so that it is stale once
   * anything is written after it, and this drive with its counter before the commit's advance
   * (which follows the area), so that a power loss between the two never looks like a rollback of
   * the drive's state, while any state older than that counter does.
   */
  void commit(String operation, Medium medium, LicenseState state) throws CheckCondition {
    long writes;
    try {
      writes = Math.addExact(medium.secureAreaWriteCounter(), 1);
    } catch (IOException e) {
      log.error("drive {}: reading the secure area of {} failed", keys.deviceId(), medium.id(), e);
      throw CheckCondition.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR);
    }
    byte[] area = seal(medium, state, new SecureArea.Commit(writes, keys.deviceId(), nv.counter()));
    faults.reached(operation + ":verified");
    long written;
    try {
      written = medium.writeSecureArea(area, faults.prefixed(operation + ":secure-area-"));
    } catch (IOException e) {
      log.error("drive {}: writing the secure area of {} failed", keys.deviceId(), medium.id(), e);
      throw CheckCondition.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR);
    }
    if (written != writes) {
      // Only file access changes a loaded medium's counter under the drive: the area just written
      // reads as stale, which is what it is.
      log.error(
          "drive {}: medium {} moved from write {} to {} during {}",
          keys.deviceId(),
          medium.id(),
          writes - 1,
          written,
          operation);
    }
    try {
      nv.advance(medium.id(), state.version(), faults.prefixed(operation + ":nv-"));
    } catch (IOException e) {
      throw stateWriteFailed(e);
    }
  }

  /** The counter value the next {@link #advanceCounter} makes durable. */
  long nextCounter() {
    return nv.counter() + 1;
  }

  /**
   * Advances the counter durably, recording no version (a BACKUP): an export leaves the drive only
   * after the counter it carries is durable, so no two exports share a counter value.
   *
   * @return the new counter value
   */
  long advanceCounter() throws CheckCondition {
    try {
      return nv.advance(null, 0, WriteSteps.NONE);
    } catch (IOException e) {
      throw stateWriteFailed(e);
    }
  }

  private CheckCondition stateWriteFailed(IOException e) {
    log.error("drive {}: writing the drive state failed", keys.deviceId(), e);
    return CheckCondition.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE);
  }

  /** Destroys the secure area as damage would: all zero, the medium's write counter kept. */
  void erase(Medium medium) throws IOException {
    medium.eraseSecureArea();
    log.info("drive {}: secure area of medium {} erased", keys.deviceId(), medium.id());
  }
}
