package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secure layer of one drive (PROTOCOL.md "Secure layer"): SECURITY PROTOCOL IN / OUT for
 * protocol 00h and vendor protocol F0h, and the in-drive decryption of titles during playback. It
 * holds the drive's keys and non-volatile state; no response it builds ever contains a secret.
 *
 * <p>Not thread-safe: the firmware runs one command at a time and calls in under its lock.
 */
public final class SecureLayer {

  /** Challenges the drive keeps: the newest unused ones. */
  public static final int OUTSTANDING_CHALLENGES = 16;

  /** Named steps of PROVISION, in order; a power loss may be injected after any of them. */
  public static final List<String> PROVISION_STEPS = steps("provision");

  /** Named steps of RESTORE, in order. */
  public static final List<String> RESTORE_STEPS = steps("restore");

  /** Named steps of OPEN PLAYBACK of a limited license (a play is consumed). */
  public static final List<String> PLAYBACK_STEPS = steps("playback");

  private static final Logger log = LoggerFactory.getLogger(SecureLayer.class);

  private final DriveKeys keys;
  private final DriveNv nv;
  private final WriteSteps faults;
  private final Deque<byte[]> challenges = new ArrayDeque<>();

  /**
   * @param faults called at every named step; throws {@link dev.secdrive.emulator.media.PowerLoss}
   *     to inject a power loss there
   */
  public SecureLayer(DriveKeys keys, DriveNv nv, WriteSteps faults) {
    this.keys = keys;
    this.nv = nv;
    this.faults = faults;
  }

  /** A drive with throw-away keys from a throw-away authority, state in memory (tests). */
  public static SecureLayer ephemeral(String deviceId, WriteSteps faults) {
    return new SecureLayer(
        DriveKeys.enroll(deviceId, Authority.create()), DriveNv.inMemory(), faults);
  }

  private static List<String> steps(String operation) {
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

  public DriveKeys keys() {
    return keys;
  }

  public DriveNv nv() {
    return nv;
  }

  // ---------------------------------------------------------------- per-nexus state

  /** What one I_T nexus holds: a pending BACKUP DATA blob and an open playback. */
  public static final class Session {
    private byte[] pendingBlob;
    private Playback playback;

    /** Whether a title is open for playback on this nexus. */
    public boolean playing() {
      return playback != null;
    }
  }

  public Session newSession() {
    return new Session();
  }

  /** An open title: its data extent, the CTR nonce, and a Cipher kept for the session. */
  private static final class Playback {
    final Medium medium;
    final long first;
    final long end;
    final byte[] nonce;
    final SecretKeySpec key;
    final Cipher cipher;

    Playback(Medium medium, long first, long end, byte[] nonce, byte[] contentKey) {
      this.medium = medium;
      this.first = first;
      this.end = end;
      this.nonce = nonce;
      this.key = new SecretKeySpec(contentKey, "AES");
      try {
        this.cipher = Cipher.getInstance("AES/CTR/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR unavailable", e);
      }
    }
  }

  /** Closes playback on {@code session} (CLOSE PLAYBACK, medium change, eject). */
  public void closePlayback(Session session) {
    session.playback = null;
  }

  // ---------------------------------------------------------------- CDB checks

  /**
   * Checks the CDB fields of SECURITY PROTOCOL IN that need no medium; the firmware checks
   * readiness after this.
   */
  public void checkIn(SecurityProtocolIn cdb) throws SenseException {
    if (cdb.inc512()) {
      throw invalidCdb(4, 7);
    }
    if (cdb.protocol() == SecurityProtocols.INFORMATION) {
      if (cdb.specific() != SecurityProtocols.SUPPORTED_PROTOCOLS
          && cdb.specific() != SecurityProtocols.CERTIFICATE_DATA) {
        throw invalidCdb(2, -1);
      }
    } else if (cdb.protocol() == SecurityProtocols.SECDRIVE) {
      if (Operation.find(cdb.specific(), true).isEmpty()) {
        throw invalidCdb(2, -1);
      }
    } else {
      throw invalidCdb(1, -1);
    }
  }

  /** As {@link #checkIn} for SECURITY PROTOCOL OUT, with the data-out length actually sent. */
  public void checkOut(SecurityProtocolOut cdb, int dataOutLength) throws SenseException {
    if (cdb.inc512()) {
      throw invalidCdb(4, 7);
    }
    if (cdb.protocol() != SecurityProtocols.SECDRIVE) {
      throw invalidCdb(1, -1); // protocol 00h has no OUT operations (SPC-4 7.7.1)
    }
    if (Operation.find(cdb.specific(), false).isEmpty()) {
      throw invalidCdb(2, -1);
    }
    if (cdb.transferLength() != dataOutLength) {
      throw invalidCdb(6, -1);
    }
  }

  /** The medium must have a secure area (05/24/00 on byte 1 for pressed media). */
  public void checkMedium(Medium medium) throws SenseException {
    if (medium.metadata().pressed() || medium.metadata().secureAreaBytes() == 0) {
      throw invalidCdb(1, -1);
    }
  }

  // ---------------------------------------------------------------- IN

  /** Executes a SECURITY PROTOCOL IN whose CDB passed {@link #checkIn}; returns all data-in. */
  public byte[] in(Session session, Medium medium, SecurityProtocolIn cdb) throws SenseException {
    if (cdb.protocol() == SecurityProtocols.INFORMATION) {
      return cdb.specific() == SecurityProtocols.SUPPORTED_PROTOCOLS
          ? new SupportedSecurityProtocols(
                  List.of(SecurityProtocols.INFORMATION, SecurityProtocols.SECDRIVE))
              .encode()
          : new CertificateData(keys.certificate()).encode();
    }
    Operation operation = Operation.find(cdb.specific(), true).orElseThrow();
    return switch (operation) {
      case CHALLENGE -> challenge();
      case LICENSE_STATUS -> licenseStatus(medium);
      case BACKUP_DATA -> {
        if (session.pendingBlob == null) {
          throw refuse(new Refusal(Reason.NOTHING_PENDING, "no BACKUP or RESEAL on this nexus"));
        }
        yield new BackupData(session.pendingBlob).encode();
      }
      default -> throw new IllegalStateException("not an IN operation: " + operation);
    };
  }

  private byte[] challenge() {
    byte[] nonce = Crypto.random(Challenge.NONCE_LENGTH);
    challenges.addLast(nonce);
    while (challenges.size() > OUTSTANDING_CHALLENGES) {
      challenges.removeFirst();
    }
    return new Challenge(nonce).encode();
  }

  private boolean consumeChallenge(byte[] nonce) {
    for (Iterator<byte[]> it = challenges.iterator(); it.hasNext(); ) {
      if (MessageDigest.isEqual(it.next(), nonce)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  private byte[] licenseStatus(Medium medium) throws SenseException {
    SecureArea.Contents contents = read(medium);
    List<LicenseStatus.Entry> entries = new ArrayList<>();
    for (LicenseState.License l : contents.state().licenses()) {
      entries.add(new LicenseStatus.Entry(l.contentId(), l.playsLeft()));
    }
    return new LicenseStatus(contents.state().version(), entries).encode();
  }

  // ---------------------------------------------------------------- OUT

  /** Executes a SECURITY PROTOCOL OUT whose CDB passed {@link #checkOut}. */
  public void out(Session session, Medium medium, SecurityProtocolOut cdb, ByteBuffer dataOut)
      throws SenseException {
    byte[] parameters = new byte[dataOut.remaining()];
    dataOut.duplicate().get(parameters);
    Operation operation = Operation.find(cdb.specific(), false).orElseThrow();
    try {
      switch (operation) {
        case PROVISION -> provision(medium, parameters);
        case OPEN_PLAYBACK -> openPlayback(session, medium, parameters);
        case CLOSE_PLAYBACK -> {
          if (parameters.length != 0) {
            throw invalidParameter(0);
          }
          closePlayback(session);
        }
        case BACKUP -> backup(session, medium, parameters);
        case RESTORE -> restore(medium, parameters);
        case RESEAL -> reseal(session, medium, parameters);
        default -> throw new IllegalStateException("not an OUT operation: " + operation);
      }
    } catch (Refusal r) {
      throw refuse(r);
    }
  }

  private void provision(Medium medium, byte[] parameters) throws SenseException, Refusal {
    ProvisionRequest request = decode(() -> ProvisionRequest.decode(parameters));
    requireWritable(medium);
    int certificateAt =
        Challenge.NONCE_LENGTH
            + 1
            + request.mediumId().length()
            + 1
            + request.contentId().length()
            + 4
            + Certificate.KEY_LENGTH
            + 2
            + request.sealedContentKey().length
            + 2;
    Certificate licensor = certificate(request.licensorCertificate(), certificateAt);
    if (!Authority.verify(keys.authorityPublicKey(), licensor, Certificate.Role.LICENSOR)) {
      throw new Refusal(Reason.CERTIFICATE, "licensor certificate of " + licensor.subject());
    }
    if (!Crypto.verify(licensor.ed25519PublicKey(), request.signedBytes(), request.signature())) {
      throw new Refusal(Reason.SIGNATURE, "PROVISION request of " + licensor.subject());
    }
    if (!request.mediumId().equals(medium.id())) {
      throw new Refusal(Reason.OTHER_MEDIUM, "license for medium " + request.mediumId());
    }
    byte[] contentKey;
    try {
      byte[] shared = Crypto.x25519(keys.x25519PrivateKey(), request.ephemeralPublicKey());
      byte[] key =
          Crypto.kdf(
              shared,
              KeyLabels.PROVISION,
              Crypto.concat(request.ephemeralPublicKey(), keys.x25519PublicKey()));
      contentKey =
          Crypto.gcmOpen(
              key,
              new byte[Crypto.GCM_NONCE_LENGTH],
              request.sealedKeyAad(),
              request.sealedContentKey());
    } catch (Crypto.AuthenticationException e) {
      throw new Refusal(Reason.INTEGRITY, "sealed content key: " + e.getMessage());
    }
    if (contentKey.length != Crypto.KEY_LENGTH) {
      throw new Refusal(Reason.INTEGRITY, "the sealed content key is not 32 bytes");
    }
    byte[] mediumKey = mediumKey(medium);
    SecureArea.Contents current = read(medium);
    long base = Math.max(current.state().version(), nv.recordedVersion(medium.id()));
    long version = base + 1;
    LicenseState state =
        current
            .state()
            .with(
                new LicenseState.License(
                    request.contentId(),
                    Crypto.wrap(contentKeyWrapKey(mediumKey), contentKey),
                    request.plays()),
                version);
    requireFits(medium, mediumKey, state);
    // The challenge is spent last, once nothing else can refuse: a request refused for another
    // reason (the wrong medium loaded, say) can be sent again when that is put right.
    if (!consumeChallenge(request.challenge())) {
      throw new Refusal(Reason.REPLAY, "PROVISION challenge");
    }
    commit("provision", medium, mediumKey, state);
    log.info(
        "drive {}: provisioned {} on medium {} ({} plays), license version {}",
        keys.deviceId(),
        request.contentId(),
        medium.id(),
        request.plays() == ProvisionRequest.UNLIMITED ? "unlimited" : request.plays(),
        version);
  }

  private void openPlayback(Session session, Medium medium, byte[] parameters)
      throws SenseException, Refusal {
    OpenPlayback request = decode(() -> OpenPlayback.decode(parameters));
    closePlayback(session);
    SecureArea.Contents current = read(medium);
    if (!current.readable()) {
      throw new Refusal(Reason.NO_LICENSE, "the secure area holds no license");
    }
    LicenseState.License license =
        current
            .state()
            .find(request.contentId())
            .orElseThrow(() -> new Refusal(Reason.NO_LICENSE, request.contentId()));
    if (!license.unlimited() && license.playsLeft() == 0) {
      throw new Refusal(Reason.EXHAUSTED, request.contentId());
    }
    byte[] mediumKey = mediumKey(medium);
    byte[] contentKey;
    try {
      contentKey = Crypto.unwrap(contentKeyWrapKey(mediumKey), license.wrappedKey());
    } catch (Crypto.AuthenticationException e) {
      throw new Refusal(Reason.INTEGRITY, "the wrapped content key does not unwrap");
    }
    long headerLba = request.headerLba();
    if (headerLba >= medium.blockCount()) {
      throw lbaOutOfRange();
    }
    byte[] block = new byte[medium.blockSize()];
    readUserArea(medium, headerLba, ByteBuffer.wrap(block));
    TitleHeader header;
    try {
      header = TitleHeader.decode(block);
    } catch (ParameterException e) {
      throw new Refusal(Reason.INTEGRITY, "no title header at LBA " + headerLba);
    }
    byte[] checkKey = Crypto.kdf(contentKey, KeyLabels.TITLE_CHECK, new byte[0]);
    byte[] check =
        Arrays.copyOf(Crypto.hmacSha256(checkKey, header.checkedBytes()), TitleHeader.CHECK_LENGTH);
    if (!header.contentId().equals(request.contentId())
        || !MessageDigest.isEqual(check, header.check())) {
      throw new Refusal(Reason.WRONG_KEY, "title at LBA " + headerLba);
    }
    long first = headerLba + 1;
    long blocks = header.dataBlocks(medium.blockSize());
    if (blocks > medium.blockCount() - first) {
      throw lbaOutOfRange();
    }
    if (!license.unlimited()) {
      requireWritable(medium);
      long version = Math.max(current.state().version(), nv.recordedVersion(medium.id())) + 1;
      LicenseState state =
          current
              .state()
              .with(
                  new LicenseState.License(
                      license.contentId(), license.wrappedKey(), license.playsLeft() - 1),
                  version);
      commit("playback", medium, mediumKey, state);
    }
    session.playback = new Playback(medium, first, first + blocks, header.nonce(), contentKey);
  }

  private void backup(Session session, Medium medium, byte[] parameters)
      throws SenseException, Refusal {
    BackupRequest request = decode(() -> BackupRequest.decode(parameters));
    Certificate recipient = null;
    if (request.recipientCertificate().length > 0) {
      recipient = certificate(request.recipientCertificate(), 1 + 1 + 8 + 2);
      if (!Authority.verify(keys.authorityPublicKey(), recipient, Certificate.Role.DRIVE)) {
        throw new Refusal(Reason.CERTIFICATE, "recipient certificate of " + recipient.subject());
      }
    }
    boolean toUserArea = request.target() == BackupRequest.Target.USER_AREA;
    if (toUserArea) {
      requireWritable(medium);
      if (request.lba() >= medium.blockCount()) {
        throw lbaOutOfRange();
      }
    }
    SecureArea.Contents current = read(medium);
    if (!current.readable()) {
      throw new Refusal(Reason.NO_LICENSE, "the secure area holds no license to back up");
    }
    long counter;
    try {
      // The counter is durable before any blob carrying it exists: no two exports share it.
      counter = nv.advance(null, 0, WriteSteps.NONE);
    } catch (IOException e) {
      log.error("drive {}: writing the drive state failed", keys.deviceId(), e);
      throw new SenseException(
          SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE));
    }
    BackupBlob blob =
        Blobs.create(
            request.binding(),
            medium.id(),
            mediumKey(medium),
            current.state(),
            counter,
            keys,
            recipient);
    byte[] bytes = blob.encode();
    if (!toUserArea) {
      session.pendingBlob = bytes;
      return;
    }
    int blockSize = medium.blockSize();
    long blocks = (bytes.length + blockSize - 1) / blockSize;
    if (blocks > medium.blockCount() - request.lba()) {
      throw lbaOutOfRange();
    }
    ByteBuffer padded = ByteBuffer.wrap(Arrays.copyOf(bytes, (int) blocks * blockSize));
    try {
      medium.write(request.lba(), padded);
      medium.force();
    } catch (IOException e) {
      log.error("drive {}: writing a backup to LBA {} failed", keys.deviceId(), request.lba(), e);
      throw new SenseException(
          SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR)
              .withInformation(request.lba()));
    }
  }

  private void restore(Medium medium, byte[] parameters) throws SenseException, Refusal {
    RestoreRequest request = decode(() -> RestoreRequest.decode(parameters));
    requireWritable(medium);
    BackupBlob blob =
        Blobs.decode(blobBytes(medium, request.source(), request.lba(), request.blob()));
    if (!blob.mediumId().equals(medium.id())) {
      throw new Refusal(
          Reason.OTHER_MEDIUM,
          "the backup is of medium " + blob.mediumId() + ", not " + medium.id());
    }
    byte[] mediumKey = mediumKey(medium);
    LicenseState state = Blobs.open(blob, mediumKey, keys);
    if (blob.binding().deviceBound() && blob.counter() > nv.counter()) {
      // This drive never counted that far: the blob or the drive state was tampered with.
      throw new Refusal(Reason.INTEGRITY, "the blob's counter is ahead of this drive's");
    }
    SecureArea.Contents current = read(medium);
    long floor =
        Math.max(
            nv.recordedVersion(medium.id()), current.readable() ? current.state().version() : -1);
    if (state.version() < floor) {
      throw new Refusal(
          Reason.STALE, floor, "backup has version " + state.version() + ", recorded " + floor);
    }
    commit("restore", medium, mediumKey, state);
    log.info(
        "drive {}: restored license version {} on medium {} from a {} backup",
        keys.deviceId(),
        state.version(),
        medium.id(),
        blob.binding().text());
  }

  private void reseal(Session session, Medium medium, byte[] parameters)
      throws SenseException, Refusal {
    ResealRequest request = decode(() -> ResealRequest.decode(parameters));
    Certificate recipient =
        certificate(request.recipientCertificate(), 1 + 8 + 4 + request.blob().length + 2);
    if (!Authority.verify(keys.authorityPublicKey(), recipient, Certificate.Role.DRIVE)) {
      throw new Refusal(Reason.CERTIFICATE, "recipient certificate of " + recipient.subject());
    }
    BackupBlob blob =
        Blobs.decode(blobBytes(medium, request.source(), request.lba(), request.blob()));
    session.pendingBlob = Blobs.reseal(blob, keys, recipient).encode();
  }

  // ---------------------------------------------------------------- the secure area

  /**
   * Seals {@code state} into the medium's secure area, then records its version in the drive state:
   * in this order, so that a crash between the two leaves the drive's anti-rollback floor at or
   * below the area's version and never locks out the backup just restored.
   */
  private void commit(String operation, Medium medium, byte[] mediumKey, LicenseState state)
      throws SenseException {
    byte[] area = requireFits(medium, mediumKey, state);
    faults.reached(operation + ":verified");
    try {
      medium.writeSecureArea(area, faults.prefixed(operation + ":secure-area-"));
    } catch (IOException e) {
      log.error("drive {}: writing the secure area of {} failed", keys.deviceId(), medium.id(), e);
      throw new SenseException(SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR));
    }
    try {
      nv.advance(medium.id(), state.version(), faults.prefixed(operation + ":nv-"));
    } catch (IOException e) {
      log.error("drive {}: writing the drive state failed", keys.deviceId(), e);
      throw new SenseException(
          SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE));
    }
  }

  /** The sealed area for {@code state}; 05/26/00 if it would not fit the medium's secure area. */
  private static byte[] requireFits(Medium medium, byte[] mediumKey, LicenseState state)
      throws SenseException {
    byte[] area =
        SecureArea.seal(mediumKey, medium.id(), state, medium.metadata().secureAreaBytes());
    if (area == null) {
      throw new SenseException(
          SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST));
    }
    return area;
  }

  private SecureArea.Contents read(Medium medium) throws SenseException {
    byte[] area;
    try {
      area = medium.readSecureArea();
    } catch (IOException e) {
      log.error("drive {}: reading the secure area of {} failed", keys.deviceId(), medium.id(), e);
      throw new SenseException(
          SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR));
    }
    SecureArea.Contents contents = SecureArea.open(mediumKey(medium), medium.id(), area);
    if (contents.condition() == SecureArea.Condition.UNREADABLE) {
      log.warn(
          "drive {}: the secure area of medium {} does not authenticate (damaged, or copied from"
              + " another medium); treating it as holding no license",
          keys.deviceId(),
          medium.id());
    }
    return contents;
  }

  /** Destroys the secure area as damage would: all zero. */
  public void erase(Medium medium) throws IOException {
    medium.writeSecureArea(new byte[medium.metadata().secureAreaBytes()]);
    log.info("drive {}: secure area of medium {} erased", keys.deviceId(), medium.id());
  }

  /** Reads the license state of {@code medium}, for tests and status displays (no keys). */
  public Optional<LicenseStatus> status(Medium medium) {
    try {
      return Optional.of(LicenseStatus.decode(licenseStatus(medium)));
    } catch (SenseException | ParameterException e) {
      return Optional.empty();
    }
  }

  private byte[] mediumKey(Medium medium) {
    return Blobs.mediumKey(keys.systemSecret(), medium.id());
  }

  private static byte[] contentKeyWrapKey(byte[] mediumKey) {
    return Crypto.kdf(mediumKey, KeyLabels.CONTENT_KEY, new byte[0]);
  }

  // ---------------------------------------------------------------- playback reads

  /**
   * Decrypts in place the blocks of a READ that fall inside the open title's data extent. {@code
   * buffer}'s bytes {@code [offset, offset + blocks * blockSize)} hold blocks {@code lba..}.
   */
  public void decryptRead(
      Session session, Medium medium, long lba, long blocks, ByteBuffer buffer, int offset) {
    Playback playback = session.playback;
    if (playback == null) {
      return;
    }
    if (playback.medium != medium) {
      session.playback = null; // a medium change closes playback
      return;
    }
    long from = Math.max(lba, playback.first);
    long to = Math.min(lba + blocks, playback.end);
    if (from >= to) {
      return;
    }
    int blockSize = medium.blockSize();
    ByteBuffer in = buffer.duplicate();
    in.limit(offset + (int) ((to - lba) * blockSize));
    in.position(offset + (int) ((from - lba) * blockSize));
    ByteBuffer out = in.duplicate();
    long byteOffset = (from - playback.first) * blockSize;
    try {
      playback.cipher.init(
          Cipher.DECRYPT_MODE,
          playback.key,
          new IvParameterSpec(TitleHeader.counterBlock(playback.nonce, byteOffset)));
      playback.cipher.update(in, out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private byte[] blobBytes(Medium medium, BlobSource source, long lba, byte[] inline)
      throws SenseException, Refusal {
    if (source == BlobSource.INLINE) {
      return inline;
    }
    int blockSize = medium.blockSize();
    if (lba >= medium.blockCount()) {
      throw lbaOutOfRange();
    }
    long length = -1;
    byte[] prefix = new byte[0];
    for (int blocks = 1; length < 0; blocks++) {
      if (blocks > medium.blockCount() - lba || blocks * (long) blockSize > 4096 + blockSize) {
        throw new Refusal(Reason.INTEGRITY, "no backup blob at LBA " + lba);
      }
      prefix = new byte[blocks * blockSize];
      readUserArea(medium, lba, ByteBuffer.wrap(prefix));
      try {
        length = BackupBlob.encodedLength(prefix);
      } catch (ParameterException e) {
        if (e.getMessage().contains("format version") && e.offset() == 4) {
          throw new Refusal(Reason.FORMAT_VERSION, e.getMessage());
        }
        throw new Refusal(Reason.INTEGRITY, "no backup blob at LBA " + lba + ": " + e.getMessage());
      }
    }
    long blocks = (length + blockSize - 1) / blockSize;
    if (blocks > medium.blockCount() - lba) {
      throw lbaOutOfRange();
    }
    if (length <= prefix.length) {
      return Arrays.copyOf(prefix, (int) length);
    }
    byte[] all = new byte[(int) blocks * blockSize];
    readUserArea(medium, lba, ByteBuffer.wrap(all));
    return Arrays.copyOf(all, (int) length);
  }

  private void readUserArea(Medium medium, long lba, ByteBuffer into) throws SenseException {
    try {
      medium.read(lba, into);
    } catch (IOException e) {
      log.error(
          "drive {}: reading medium {} at LBA {} failed", keys.deviceId(), medium.id(), lba, e);
      throw new SenseException(
          SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
              .withInformation(lba));
    }
  }

  private Certificate certificate(byte[] encoded, int at) throws SenseException, Refusal {
    try {
      return Certificate.decode(encoded);
    } catch (ParameterException e) {
      if (e.getMessage().contains("format version") && e.offset() == 4) {
        throw new Refusal(Reason.FORMAT_VERSION, e.getMessage());
      }
      throw invalidParameter(at + e.offset());
    } catch (IllegalArgumentException e) {
      // A field the decoder let through but the record refuses: still the host's bad list.
      throw invalidParameter(at);
    }
  }

  private static void requireWritable(Medium medium) throws SenseException {
    if (medium.metadata().readOnly()) {
      throw new SenseException(
          SenseData.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED));
    }
  }

  /** A parameter-list decoder. */
  @FunctionalInterface
  private interface Decoder<T> {
    T decode() throws ParameterException;
  }

  private static <T> T decode(Decoder<T> decoder) throws SenseException {
    try {
      return decoder.decode();
    } catch (ParameterException e) {
      throw invalidParameter(e.offset());
    }
  }

  private SenseException refuse(Refusal refusal) {
    log.info("drive {}: refused: {}", keys.deviceId(), refusal.getMessage());
    return new SenseException(refusal.sense());
  }

  private static SenseException invalidParameter(int offset) {
    return new SenseException(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
            FieldPointer.parameter(Math.max(0, Math.min(offset, 0xFFFF)))));
  }

  private static SenseException invalidCdb(int cdbByte, int bit) {
    return new SenseException(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            new FieldPointer(true, cdbByte, bit)));
  }

  private static SenseException lbaOutOfRange() {
    return new SenseException(
        SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE));
  }
}
