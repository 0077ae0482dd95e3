package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secure layer of one drive (PROTOCOL.md "Secure layer"): SECURITY PROTOCOL IN / OUT for
 * protocol 00h and vendor protocol F0h, and the in-drive decryption of titles during playback. It
 * holds the drive's keys and non-volatile state; no response it builds ever contains a secret.
 *
 * <p>The entry point of the firmware's SECURITY PROTOCOL IN / OUT handlers: it checks the CDBs and
 * hands each operation to its flow, {@link ProvisionFlow} (CHALLENGE, PROVISION, LICENSE STATUS),
 * {@link PlaybackFlow} (OPEN PLAYBACK and the READs of an open title), {@link ConversionFlow}
 * (INSTALL CONVERSION, CONVERT WRITE), {@link CopyFlow} (INSTALL COPY, CHECK INSTALL) and {@link
 * BackupFlow} (BACKUP, BACKUP DATA, RESTORE, RESEAL) and {@link MoveFlow} (the content move of seed
 * 002: CLIENT STATUS, PROVE REGISTRATION, REGISTRATION PROOF, REGISTER CLIENT, INSTALL LICENSE,
 * STORE CERTIFICATE, MOVE OUT, MOVE IN, OPEN CONTENT) and {@link TrackFlow} (seed 004's
 * verification table: REGISTER TRACK, TRACK RECORD, VERIFY TRACK), which share the {@link
 * SecureStore} of licenses and the drive's state. Every refusal is a {@link CheckCondition}; this
 * logs its detail, which the host never sees.
 *
 * <p>Not thread-safe: the firmware runs one command at a time and calls in under its lock.
 */
public final class SecureLayer {

  /** Challenges the drive keeps per I_T nexus: the nexus's newest unused ones. */
  public static final int OUTSTANDING_CHALLENGES = Challenges.OUTSTANDING;

  /** Named steps of PROVISION, in order; a power loss may be injected after any of them. */
  public static final List<String> PROVISION_STEPS = SecureStore.commitSteps("provision");

  /** Named steps of RESTORE, in order. */
  public static final List<String> RESTORE_STEPS = SecureStore.commitSteps("restore");

  /** Named steps of OPEN PLAYBACK of a limited license (a play is consumed). */
  public static final List<String> PLAYBACK_STEPS = SecureStore.commitSteps("playback");

  /** Named steps of INSTALL CONVERSION: the license commit, then the title header on the medium. */
  public static final List<String> CONVERSION_STEPS = ConversionFlow.STEPS;

  /** Named steps of INSTALL COPY: the license commit, then the title header on the medium. */
  public static final List<String> COPY_STEPS = CopyFlow.STEPS;

  /** Named steps of REGISTER CLIENT: the checks passed, then the drive state's write. */
  public static final List<String> REGISTER_CLIENT_STEPS = MoveFlow.REGISTER_STEPS;

  /** Named steps of INSTALL LICENSE. */
  public static final List<String> INSTALL_LICENSE_STEPS = MoveFlow.LICENSE_STEPS;

  /** Named steps of STORE CERTIFICATE. */
  public static final List<String> STORE_CERTIFICATE_STEPS = MoveFlow.CERTIFICATE_STEPS;

  /** Named steps of MOVE OUT: the checks, the move record on the medium, the drive state. */
  public static final List<String> MOVE_OUT_STEPS = MoveFlow.MOVE_OUT_STEPS;

  /** Named steps of MOVE IN. */
  public static final List<String> MOVE_IN_STEPS = MoveFlow.MOVE_IN_STEPS;

  /** Named steps of OPEN CONTENT of a limited license (a play is spent). */
  public static final List<String> OPEN_CONTENT_STEPS = MoveFlow.OPEN_STEPS;

  /** Every named step above: where a power loss may be injected. */
  public static final List<String> STEPS =
      java.util.stream.Stream.of(
              PROVISION_STEPS,
              RESTORE_STEPS,
              PLAYBACK_STEPS,
              CONVERSION_STEPS,
              COPY_STEPS,
              REGISTER_CLIENT_STEPS,
              INSTALL_LICENSE_STEPS,
              STORE_CERTIFICATE_STEPS,
              MOVE_OUT_STEPS,
              MOVE_IN_STEPS,
              OPEN_CONTENT_STEPS)
          .flatMap(List::stream)
          .distinct()
          .toList();

  private static final Logger log = LoggerFactory.getLogger(SecureLayer.class);

  private final SecureStore store;
  private final ProvisionFlow provisioning;
  private final PlaybackFlow playback;
  private final ConversionFlow conversion;
  private final CopyFlow copies;
  private final BackupFlow backups;
  private final MoveFlow moves;
  private final TrackFlow tracks;
  private InstantSource wallClock = InstantSource.system();

  /**
   * How the secure layer writes blocks of the user area (a BACKUP to the user area, a converted
   * title's header): the way a WRITE does, so that the firmware's injected write faults apply to
   * them too. A port: the secure layer owns it, the firmware implements it.
   */
  public interface UserAreaWrites {
    /**
     * Refuses with MEDIUM ERROR 0C/00 (INFORMATION = the LBA) if a write of {@code blocks} blocks
     * at {@code lba} would fail, before anything is written.
     */
    void check(Medium medium, long lba, long blocks) throws CheckCondition;

    /**
     * Writes whole blocks at {@code lba} and makes them durable; the caller has {@link #check
     * checked} the same blocks first.
     */
    void write(Medium medium, long lba, ByteBuffer data) throws CheckCondition;
  }

  /**
   * @param faults called at every named step; throws {@link dev.secdrive.emulator.media.PowerLoss}
   *     to inject a power loss there
   */
  public SecureLayer(DriveKeys keys, DriveNv nv, WriteSteps faults) {
    this(keys, nv, faults, null);
  }

  /**
   * @param userArea the firmware's user-area writes; null writes the medium directly (no faults)
   */
  public SecureLayer(DriveKeys keys, DriveNv nv, WriteSteps faults, UserAreaWrites userArea) {
    this.store = new SecureStore(keys, nv, faults);
    UserArea area = new UserArea(keys.deviceId(), userArea);
    this.provisioning = new ProvisionFlow(store);
    this.playback = new PlaybackFlow(store, area);
    this.conversion = new ConversionFlow(store, area, faults);
    this.copies = new CopyFlow(store, area, faults);
    this.backups = new BackupFlow(store, area);
    this.moves = new MoveFlow(keys, nv, area, faults, () -> wallClock);
    this.tracks = new TrackFlow(keys, area);
  }

  /**
   * The wall clock of the drive's usage periods (seed 002 licenses); the system's UTC clock unless
   * a test sets one.
   */
  public void wallClock(InstantSource clock) {
    this.wallClock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /** A drive with throw-away keys from a throw-away authority, state in memory (tests). */
  public static SecureLayer ephemeral(String deviceId, WriteSteps faults) {
    return new SecureLayer(
        DriveKeys.enroll(deviceId, Authority.create()), DriveNv.inMemory(), faults);
  }

  public DriveKeys keys() {
    return store.keys();
  }

  public DriveNv nv() {
    return store.nv();
  }

  // ---------------------------------------------------------------- per-nexus state

  /**
   * What one I_T nexus holds: its outstanding challenges, a pending BACKUP DATA blob, a pending
   * REGISTRATION PROOF, an open playback, an open conversion.
   */
  public static final class Session {
    final Challenges challenges = new Challenges();
    byte[] pendingBlob;
    byte[] pendingProof;
    OpenTitle playback;
    OpenConversion conversion;
    byte[] pendingTrackRecord;

    /** Whether a title is open for playback on this nexus. */
    public boolean playing() {
      return playback != null;
    }

    /** Whether a conversion (INSTALL CONVERSION) is open on this nexus. */
    public boolean converting() {
      return conversion != null;
    }
  }

  public Session newSession() {
    return new Session();
  }

  /**
   * Blocks of the user area that a CONVERT WRITE has converted and the firmware is to write (with
   * its write faults and service time), at {@code lba}.
   */
  public record BlockWrite(long lba, int blocks, ByteBuffer data) {}

  /** Closes playback on {@code session} (a new OPEN PLAYBACK). */
  public void closePlayback(Session session) {
    session.playback = null;
  }

  /** Ends the conversion open on {@code session}, if any. */
  public void endConversion(Session session) {
    session.conversion = null;
  }

  /**
   * Closes everything {@code session} has open on the medium: playback and conversion (CLOSE
   * PLAYBACK, a medium change, an eject).
   */
  public void closeAll(Session session) {
    closePlayback(session);
    endConversion(session);
  }

  // ---------------------------------------------------------------- CDB checks

  /**
   * Checks the CDB fields of SECURITY PROTOCOL IN that need no medium; the firmware checks
   * readiness after this.
   */
  public void checkIn(SecurityProtocolIn cdb) throws CheckCondition {
    if (cdb.inc512()) {
      throw CheckCondition.invalidField(4, 7);
    }
    if (cdb.protocol() == SecurityProtocols.INFORMATION) {
      if (cdb.specific() != SecurityProtocols.SUPPORTED_PROTOCOLS
          && cdb.specific() != SecurityProtocols.CERTIFICATE_DATA) {
        throw CheckCondition.invalidField(2);
      }
    } else if (cdb.protocol() == SecurityProtocols.SECDRIVE) {
      if (Operation.find(cdb.specific(), true).isEmpty()) {
        throw CheckCondition.invalidField(2);
      }
    } else {
      throw CheckCondition.invalidField(1);
    }
  }

  /** As {@link #checkIn} for SECURITY PROTOCOL OUT, with the data-out length actually sent. */
  public void checkOut(SecurityProtocolOut cdb, int dataOutLength) throws CheckCondition {
    if (cdb.inc512()) {
      throw CheckCondition.invalidField(4, 7);
    }
    if (cdb.protocol() != SecurityProtocols.SECDRIVE) {
      throw CheckCondition.invalidField(1); // protocol 00h has no OUT operations (SPC-4 7.7.1)
    }
    if (Operation.find(cdb.specific(), false).isEmpty()) {
      throw CheckCondition.invalidField(2);
    }
    if (cdb.transferLength() != dataOutLength) {
      throw CheckCondition.invalidField(6);
    }
  }

  /** The medium must have a secure area (05/24/00 on byte 1 for pressed media). */
  public void checkMedium(Medium medium) throws CheckCondition {
    if (medium.metadata().pressed() || medium.metadata().secureAreaBytes() == 0) {
      throw CheckCondition.invalidField(1);
    }
  }

  // ---------------------------------------------------------------- IN

  /** Executes a SECURITY PROTOCOL IN whose CDB passed {@link #checkIn}; returns all data-in. */
  public byte[] in(Session session, Medium medium, SecurityProtocolIn cdb) throws CheckCondition {
    if (cdb.protocol() == SecurityProtocols.INFORMATION) {
      return cdb.specific() == SecurityProtocols.SUPPORTED_PROTOCOLS
          ? new SupportedSecurityProtocols(
                  List.of(SecurityProtocols.INFORMATION, SecurityProtocols.SECDRIVE))
              .encode()
          : new CertificateData(keys().certificate()).encode();
    }
    Operation operation = Operation.find(cdb.specific(), true).orElseThrow();
    try {
      return switch (operation) {
        case CHALLENGE -> provisioning.challenge(session);
        case LICENSE_STATUS -> provisioning.licenseStatus(medium);
        case BACKUP_DATA -> backups.backupData(session);
        case CLIENT_STATUS -> moves.status();
        case REGISTRATION_PROOF -> moves.proof(session);
        case TRACK_RECORD -> tracks.trackRecord(session);
        default -> throw new IllegalStateException("not an IN operation: " + operation);
      };
    } catch (CheckCondition e) {
      throw logged(e);
    }
  }

  // ---------------------------------------------------------------- OUT

  /** Executes a SECURITY PROTOCOL OUT whose CDB passed {@link #checkOut}. */
  public void out(Session session, Medium medium, SecurityProtocolOut cdb, ByteBuffer dataOut)
      throws CheckCondition {
    Operation operation = Operation.find(cdb.specific(), false).orElseThrow();
    if (operation == Operation.CONVERT_WRITE) {
      throw new IllegalStateException("CONVERT WRITE goes through convertWrite");
    }
    byte[] parameters = new byte[dataOut.remaining()];
    dataOut.duplicate().get(parameters);
    try {
      switch (operation) {
        case PROVISION -> provisioning.provision(session, medium, parameters);
        case OPEN_PLAYBACK -> playback.open(session, medium, parameters);
        case CLOSE_PLAYBACK -> {
          if (parameters.length != 0) {
            throw ParameterLists.invalidParameter(0);
          }
          closeAll(session);
        }
        case BACKUP -> backups.backup(session, medium, parameters);
        case INSTALL_CONVERSION -> conversion.install(session, medium, parameters);
        case INSTALL_COPY -> copies.install(medium, parameters);
        case CHECK_INSTALL -> copies.check(medium, parameters);
        case RESTORE -> backups.restore(medium, parameters);
        case RESEAL -> backups.reseal(session, medium, parameters);
        case REGISTER_CLIENT -> moves.register(parameters);
        case PROVE_REGISTRATION -> moves.prove(session, parameters);
        case INSTALL_LICENSE -> moves.installLicense(parameters);
        case STORE_CERTIFICATE -> moves.storeCertificate(parameters);
        case MOVE_OUT -> moves.moveOut(medium, parameters);
        case MOVE_IN -> moves.moveIn(medium, parameters);
        case OPEN_CONTENT -> moves.openContent(session, medium, parameters);
        case REGISTER_TRACK -> tracks.register(session, medium, parameters);
        case VERIFY_TRACK -> tracks.verify(medium, parameters);
        default -> throw new IllegalStateException("not an OUT operation: " + operation);
      }
    } catch (CheckCondition e) {
      throw logged(e);
    }
  }

  /**
   * CONVERT WRITE (PROTOCOL.md "Scheme 2", FIG. 9 S16-S17), whose CDB passed {@link #checkOut}:
   * converts the data-out in place and says where the firmware is to write it. See {@link
   * ConversionFlow#convertWrite}.
   */
  public BlockWrite convertWrite(Session session, Medium medium, ByteBuffer dataOut)
      throws CheckCondition {
    try {
      return conversion.convertWrite(session, medium, dataOut);
    } catch (CheckCondition e) {
      throw logged(e);
    }
  }

  /**
   * Records that the firmware wrote {@code blocks} converted blocks at {@code lba}; the write that
   * completes the title syncs the data, writes the title header and ends the conversion.
   */
  public void converted(Session session, long lba, int blocks) throws CheckCondition {
    conversion.converted(session, lba, blocks);
  }

  // ---------------------------------------------------------------- playback reads

  /**
   * Decrypts in place the blocks of a READ that fall inside the open title's data extent. {@code
   * buffer}'s bytes {@code [offset, offset + blocks * blockSize)} hold blocks {@code lba..}.
   */
  public void decryptRead(
      Session session, Medium medium, long lba, long blocks, ByteBuffer buffer, int offset) {
    PlaybackFlow.decryptRead(session, medium, lba, blocks, buffer, offset);
  }

  // ---------------------------------------------------------------- the secure area

  /** Destroys the secure area as damage would: all zero, the medium's write counter kept. */
  public void erase(Medium medium) throws IOException {
    store.erase(medium);
  }

  /** Reads the license state of {@code medium}, for tests and status displays (no keys). */
  public Optional<LicenseStatus> status(Medium medium) {
    try {
      return Optional.of(LicenseStatus.decode(provisioning.licenseStatus(medium)));
    } catch (CheckCondition | ParameterException e) {
      return Optional.empty();
    }
  }

  /** Logs a refusal with its detail (the host sees only the sense), and returns it. */
  private CheckCondition logged(CheckCondition e) {
    if (e.reason().isPresent()) {
      log.info("drive {}: refused: {}", keys().deviceId(), e.getMessage());
    }
    return e;
  }
}
