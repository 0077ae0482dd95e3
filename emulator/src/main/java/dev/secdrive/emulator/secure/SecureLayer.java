package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AesKeyWrap;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.ConvertWrite;
import dev.secdrive.protocol.security.InstallConversion;
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
import java.util.BitSet;
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

  /** Named steps of INSTALL CONVERSION: the license commit, then the title header on the medium. */
  public static final List<String> CONVERSION_STEPS = conversionSteps();

  private static final Logger log = LoggerFactory.getLogger(SecureLayer.class);

  private final DriveKeys keys;
  private final DriveNv nv;
  private final WriteSteps faults;
  private final Deque<byte[]> challenges = new ArrayDeque<>();
  private final UserAreaWrites userArea;

  /**
   * How the secure layer writes blocks of the user area (a BACKUP to the user area): the way a
   * WRITE does, so that the firmware's injected write faults apply to them too.
   */
  public interface UserAreaWrites {
    /**
     * Refuses with MEDIUM ERROR 0C/00 (INFORMATION = the LBA) if a write of {@code blocks} blocks
     * at {@code lba} would fail, before anything is written.
     */
    void check(Medium medium, long lba, long blocks) throws SenseException;

    /** Writes whole blocks at {@code lba} and makes them durable. */
    void write(Medium medium, long lba, ByteBuffer data) throws SenseException;
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
    this.keys = keys;
    this.nv = nv;
    this.faults = faults;
    this.userArea = userArea != null ? userArea : new DirectWrites();
  }

  /** User-area writes without injected faults. */
  private final class DirectWrites implements UserAreaWrites {
    @Override
    public void check(Medium medium, long lba, long blocks) {}

    @Override
    public void write(Medium medium, long lba, ByteBuffer data) throws SenseException {
      try {
        medium.write(lba, data);
        medium.force();
      } catch (IOException e) {
        log.error(
            "drive {}: writing medium {} at LBA {} failed", keys.deviceId(), medium.id(), lba, e);
        throw new SenseException(
            SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR).withInformation(lba));
      }
    }
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

  private static List<String> conversionSteps() {
    List<String> out = new ArrayList<>(steps("conversion"));
    // INSTALL CONVERSION ends by clearing the header block; the CONVERT WRITE that completes the
    // title syncs its data, then writes the header.
    out.add("conversion:header-cleared");
    out.add("conversion:data-synced");
    out.add("conversion:header-written");
    return List.copyOf(out);
  }

  public DriveKeys keys() {
    return keys;
  }

  public DriveNv nv() {
    return nv;
  }

  // ---------------------------------------------------------------- per-nexus state

  /** What one I_T nexus holds: a pending BACKUP DATA blob, an open playback, an open conversion. */
  public static final class Session {
    private byte[] pendingBlob;
    private Playback playback;
    private Conversion conversion;

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

  /**
   * An open conversion (PROTOCOL.md "Scheme 2", FIG. 9): the master's key Ka and nonce, the target
   * medium's key Ku and the nonce of the title header just written, the title's data extent on the
   * target, and one Cipher per key kept for the session, so that a CONVERT WRITE costs two in-place
   * AES-CTR passes and no Cipher lookups. Ka and Ku live only here and in the secure area (Ku,
   * wrapped); they never reach a response.
   */
  private static final class Conversion {
    final Medium medium;
    final String titleId;
    final long first;
    final long dataBlocks;
    final byte[] masterNonce;
    final SecretKeySpec ka;
    final SecretKeySpec ku;
    final Cipher fromMaster;
    final Cipher toTarget;
    final long headerLba;
    final TitleHeader header;

    /** Data blocks written so far, by index in the title: the header waits for all of them. */
    final BitSet written;

    Conversion(
        Medium medium,
        String titleId,
        long headerLba,
        long dataBlocks,
        byte[] masterNonce,
        TitleHeader header,
        byte[] ka,
        byte[] ku) {
      this.medium = medium;
      this.titleId = titleId;
      this.headerLba = headerLba;
      this.header = header;
      this.first = headerLba + 1;
      this.dataBlocks = dataBlocks;
      this.written = new BitSet((int) Math.min(dataBlocks, Integer.MAX_VALUE));
      this.masterNonce = masterNonce;
      this.ka = new SecretKeySpec(ka, "AES");
      this.ku = new SecretKeySpec(ku, "AES");
      try {
        this.fromMaster = Cipher.getInstance("AES/CTR/NoPadding");
        this.toTarget = Cipher.getInstance("AES/CTR/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR unavailable", e);
      }
    }

    /**
     * Turns master ciphertext (under Ka) at title byte {@code offset} into target ciphertext (under
     * Ku) in place: the plaintext exists only inside this method, never in a response.
     */
    void convert(ByteBuffer data, long offset) {
      try {
        fromMaster.init(
            Cipher.DECRYPT_MODE,
            ka,
            new IvParameterSpec(TitleHeader.counterBlock(masterNonce, offset)));
        toTarget.init(
            Cipher.ENCRYPT_MODE,
            ku,
            new IvParameterSpec(TitleHeader.counterBlock(header.nonce(), offset)));
        if (data.hasArray()) {
          byte[] array = data.array();
          int at = data.arrayOffset() + data.position();
          int length = data.remaining();
          fromMaster.update(array, at, length, array, at);
          toTarget.update(array, at, length, array, at);
          return;
        }
        // A direct buffer (the transport's): Cipher's ByteBuffer path converts it in place.
        fromMaster.update(data.duplicate(), data.duplicate());
        toTarget.update(data.duplicate(), data.duplicate());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR failed", e);
      }
    }
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
      entries.add(new LicenseStatus.Entry(l.contentId(), l.licensor(), l.playsLeft()));
    }
    return new LicenseStatus(contents.state().version(), entries).encode();
  }

  // ---------------------------------------------------------------- OUT

  /** Executes a SECURITY PROTOCOL OUT whose CDB passed {@link #checkOut}. */
  public void out(Session session, Medium medium, SecurityProtocolOut cdb, ByteBuffer dataOut)
      throws SenseException {
    Operation operation = Operation.find(cdb.specific(), false).orElseThrow();
    if (operation == Operation.CONVERT_WRITE) {
      throw new IllegalStateException("CONVERT WRITE goes through convertWrite");
    }
    byte[] parameters = new byte[dataOut.remaining()];
    dataOut.duplicate().get(parameters);
    try {
      switch (operation) {
        case PROVISION -> provision(medium, parameters);
        case OPEN_PLAYBACK -> openPlayback(session, medium, parameters);
        case CLOSE_PLAYBACK -> {
          if (parameters.length != 0) {
            throw invalidParameter(0);
          }
          closeAll(session);
        }
        case BACKUP -> backup(session, medium, parameters);
        case INSTALL_CONVERSION -> installConversion(session, medium, parameters);
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
    if (!Ed25519.verify(licensor.ed25519PublicKey(), request.signedBytes(), request.signature())) {
      throw new Refusal(Reason.SIGNATURE, "PROVISION request of " + licensor.subject());
    }
    if (!request.mediumId().equals(medium.id())) {
      throw new Refusal(Reason.OTHER_MEDIUM, "license for medium " + request.mediumId());
    }
    SecureArea.Contents current = read(medium);
    requireSameLicensor(current.state(), request.contentId(), licensor);
    byte[] contentKey;
    try {
      byte[] shared = X25519.agree(keys.x25519PrivateKey(), request.ephemeralPublicKey());
      byte[] key =
          Crypto.kdf(
              shared,
              KeyLabels.PROVISION,
              Crypto.concat(request.ephemeralPublicKey(), keys.x25519PublicKey()));
      contentKey =
          AesGcm.open(
              key,
              new byte[AesGcm.NONCE_LENGTH],
              request.sealedKeyAad(),
              request.sealedContentKey());
    } catch (AuthenticationException e) {
      throw new Refusal(Reason.INTEGRITY, "sealed content key: " + e.getMessage());
    }
    if (contentKey.length != Crypto.KEY_LENGTH) {
      throw new Refusal(Reason.INTEGRITY, "the sealed content key is not 32 bytes");
    }
    byte[] mediumKey = mediumKey(medium);
    // After a damaged secure area (version 0) the drive's recorded version still counts: a new
    // license must be newer than every backup this drive exported of the medium.
    long base = Math.max(current.state().version(), nv.recordedVersion(medium.id()));
    long version = base + 1;
    LicenseState state =
        current
            .state()
            .with(
                new LicenseState.License(
                    request.contentId(),
                    LicenseState.Licensor.of(licensor),
                    AesKeyWrap.wrap(contentKeyWrapKey(mediumKey), contentKey),
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
      contentKey = AesKeyWrap.unwrap(contentKeyWrapKey(mediumKey), license.wrappedKey());
    } catch (AuthenticationException e) {
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
    if (!header.contentId().equals(request.contentId())
        || !MessageDigest.isEqual(titleCheck(contentKey, header), header.check())) {
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
          current.state().with(license.withPlaysLeft(license.playsLeft() - 1), version);
      commit("playback", medium, mediumKey, state);
    }
    session.playback = new Playback(medium, first, first + blocks, header.nonce(), contentKey);
  }

  /**
   * A certified licensor may renew its own license, but not take over another licensor's: without
   * this, any licensor the authority certified could replace (and so revoke, or re-key) a content
   * licensed by a competitor. A licensor is its certificate's role and Ed25519 key, not its
   * subject: a licensor that took the name of another licensor, or of a central site, is still
   * another licensor. A license whose licensor is not recorded (read from license state format 1)
   * may be replaced, as before format 2, and then records its new licensor.
   */
  private static void requireSameLicensor(
      LicenseState state, String contentId, Certificate certificate) throws Refusal {
    LicenseState.Licensor licensor = LicenseState.Licensor.of(certificate);
    Optional<LicenseState.Licensor> existing =
        state.find(contentId).flatMap(LicenseState.License::issuer);
    if (existing.isPresent() && !existing.get().sameAs(licensor)) {
      throw new Refusal(
          Reason.OTHER_LICENSOR,
          contentId + " is licensed by " + existing.get() + ", not " + licensor);
    }
  }

  /** PROTOCOL.md "Titles": HMAC-SHA256(KDF(Kc, "title-check", ""), header bytes), 16 bytes. */
  private static byte[] titleCheck(byte[] contentKey, TitleHeader header) {
    byte[] checkKey = Crypto.kdf(contentKey, KeyLabels.TITLE_CHECK, new byte[0]);
    return Arrays.copyOf(Hmac.sha256(checkKey, header.checkedBytes()), TitleHeader.CHECK_LENGTH);
  }

  // ---------------------------------------------------------------- scheme 2: converted copy

  /**
   * INSTALL CONVERSION (PROTOCOL.md "Scheme 2", FIG. 9). Refusals in this order: framing of the
   * list and of the grant (05/26/00 with the field pointer; a grant or centre certificate of
   * another format version 0Bh); write protection (07/27/00); the centre certificate (01h); the
   * grant's signature (02h); another medium (04h); another drive (06h); the sealed keys (05h); a
   * title that does not fit the medium (05/21/00); a license for the title from another licensor
   * (0Dh). Nothing is written before all of them pass.
   */
  private void installConversion(Session session, Medium medium, byte[] parameters)
      throws SenseException, Refusal {
    // A new INSTALL CONVERSION ends the previous one, whether or not it succeeds.
    endConversion(session);
    InstallConversion request = decode(() -> InstallConversion.decode(parameters));
    int grantAt = 2; // after the bytes16 length
    ConversionGrant grant;
    try {
      grant = ConversionGrant.decode(request.grant());
    } catch (ParameterException e) {
      if (e.getMessage().contains("format version") && e.offset() == 4) {
        throw new Refusal(Reason.FORMAT_VERSION, e.getMessage());
      }
      throw invalidParameter(grantAt + e.offset());
    } catch (IllegalArgumentException e) {
      throw invalidParameter(grantAt);
    }
    requireWritable(medium);
    int certificateAt =
        grantAt
            + 4
            + 1
            + 1
            + grant.titleId().length()
            + 1
            + grant.mediumId().length()
            + 1
            + grant.deviceId().length()
            + 8
            + Certificate.KEY_LENGTH
            + 2
            + grant.sealedKeys().length
            + 2;
    Certificate center = certificate(grant.centerCertificate(), certificateAt);
    if (!Authority.verify(keys.authorityPublicKey(), center, Certificate.Role.CENTRAL_SITE)) {
      throw new Refusal(Reason.CERTIFICATE, "central site certificate of " + center.subject());
    }
    if (!Ed25519.verify(center.ed25519PublicKey(), grant.signedBytes(), grant.signature())) {
      throw new Refusal(Reason.SIGNATURE, "conversion grant of " + center.subject());
    }
    if (!grant.mediumId().equals(medium.id())) {
      throw new Refusal(Reason.OTHER_MEDIUM, "conversion grant for medium " + grant.mediumId());
    }
    if (!grant.deviceId().equals(keys.deviceId())) {
      throw new Refusal(Reason.OTHER_DRIVE, "conversion grant for drive " + grant.deviceId());
    }
    byte[] keyPair;
    try {
      byte[] shared = X25519.agree(keys.x25519PrivateKey(), grant.ephemeralPublicKey());
      byte[] key =
          Crypto.kdf(
              shared,
              KeyLabels.CONVERSION,
              Crypto.concat(grant.ephemeralPublicKey(), keys.x25519PublicKey()));
      keyPair =
          AesGcm.open(
              key,
              new byte[AesGcm.NONCE_LENGTH],
              ConversionGrant.aad(grant.titleId(), grant.mediumId(), grant.deviceId()),
              grant.sealedKeys());
    } catch (AuthenticationException e) {
      throw new Refusal(Reason.INTEGRITY, "sealed conversion keys: " + e.getMessage());
    }
    if (keyPair.length != 2 * Crypto.KEY_LENGTH) {
      throw new Refusal(Reason.INTEGRITY, "the sealed conversion keys are not Ku and Ka");
    }
    byte[] ku = Arrays.copyOfRange(keyPair, 0, Crypto.KEY_LENGTH);
    byte[] ka = Arrays.copyOfRange(keyPair, Crypto.KEY_LENGTH, 2 * Crypto.KEY_LENGTH);
    Arrays.fill(keyPair, (byte) 0);
    long headerLba = request.headerLba();
    int blockSize = medium.blockSize();
    long dataBlocks = (request.plaintextLength() + blockSize - 1) / blockSize;
    if (dataBlocks > Integer.MAX_VALUE) {
      // The conversion keeps one bit per data block: a title of 2^31 blocks and more is refused,
      // on the plaintext length (after the grant and the header LBA).
      throw invalidParameter(2 + request.grant().length + 8);
    }
    if (headerLba >= medium.blockCount() || dataBlocks > medium.blockCount() - headerLba - 1) {
      throw lbaOutOfRange();
    }
    // The header block is cleared after the license is committed: a block that cannot be written
    // refuses the INSTALL before anything is.
    userArea.check(medium, headerLba, 1);
    byte[] mediumKey = mediumKey(medium);
    SecureArea.Contents current = read(medium);
    requireSameLicensor(current.state(), grant.titleId(), center);
    long version = Math.max(current.state().version(), nv.recordedVersion(medium.id())) + 1;
    LicenseState state =
        current
            .state()
            .with(
                new LicenseState.License(
                    grant.titleId(),
                    LicenseState.Licensor.of(center),
                    AesKeyWrap.wrap(contentKeyWrapKey(mediumKey), ku),
                    ProvisionRequest.UNLIMITED),
                version);
    commit("conversion", medium, mediumKey, state);
    byte[] nonce = Crypto.random(TitleHeader.NONCE_LENGTH);
    TitleHeader unchecked =
        TitleHeader.unchecked(grant.titleId(), nonce, request.plaintextLength());
    TitleHeader header = unchecked.withCheck(titleCheck(ku, unchecked));
    // The header goes on the medium only when every data block has been converted: a copy cut
    // short (a broken stream, a host that died, a pulled plug) leaves no header, so nothing plays
    // half a title. Clearing the block also removes the header of an earlier copy at this LBA.
    writeHeaderBlock(medium, headerLba, new byte[blockSize]);
    faults.reached("conversion:header-cleared");
    Conversion conversion =
        new Conversion(
            medium, grant.titleId(), headerLba, dataBlocks, request.masterNonce(), header, ka, ku);
    session.conversion = conversion;
    log.info(
        "drive {}: conversion of {} onto medium {} at LBA {} ({} bytes), license version {}",
        keys.deviceId(),
        grant.titleId(),
        medium.id(),
        headerLba,
        request.plaintextLength(),
        version);
    if (dataBlocks == 0) {
      complete(session, conversion);
    }
  }

  /**
   * Records that the firmware wrote {@code blocks} converted blocks at {@code lba}; the write that
   * completes the title syncs the data, writes the title header and ends the conversion
   * (PROTOCOL.md "Scheme 2").
   */
  public void converted(Session session, long lba, int blocks) throws SenseException {
    Conversion conversion = session.conversion;
    if (conversion == null || blocks == 0) {
      return;
    }
    int from = (int) (lba - conversion.first);
    conversion.written.set(from, from + blocks);
    if (conversion.written.cardinality() == conversion.dataBlocks) {
      complete(session, conversion);
    }
  }

  private void complete(Session session, Conversion conversion) throws SenseException {
    Medium medium = conversion.medium;
    try {
      medium.force();
    } catch (IOException e) {
      log.error("drive {}: syncing a converted title failed", keys.deviceId(), e);
      throw new SenseException(SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR));
    }
    faults.reached("conversion:data-synced");
    writeHeaderBlock(medium, conversion.headerLba, conversion.header.encode(medium.blockSize()));
    faults.reached("conversion:header-written");
    endConversion(session);
    log.info(
        "drive {}: conversion of {} onto medium {} complete",
        keys.deviceId(),
        conversion.titleId,
        medium.id());
  }

  /** The title header block, written as a WRITE is: injected write faults apply to it too. */
  private void writeHeaderBlock(Medium medium, long lba, byte[] block) throws SenseException {
    userArea.check(medium, lba, 1);
    userArea.write(medium, lba, ByteBuffer.wrap(block));
  }

  /**
   * CONVERT WRITE (PROTOCOL.md "Scheme 2", FIG. 9 S16-S17): converts the master ciphertext blocks
   * of the data-out in place, from Ka to Ku, and says where the firmware is to write them; the
   * plaintext never leaves the drive. Refusals in this order: a list shorter than the offset, an
   * offset that is not a multiple of the block size (field pointer 0) or data that is not whole
   * blocks (field pointer on the first byte of the partial block), all 05/26/00; write protection
   * (07/27/00); no conversion open on this nexus, or one for a medium since removed (0Ah); blocks
   * beyond the title's data blocks (05/21/00, as a WRITE past the end of the medium).
   *
   * <p>The data-out buffer is consumed: it holds target ciphertext afterwards.
   */
  public BlockWrite convertWrite(Session session, Medium medium, ByteBuffer dataOut)
      throws SenseException {
    long offset = decode(() -> ConvertWrite.offset(dataOut));
    int blockSize = medium.blockSize();
    if (offset % blockSize != 0) {
      throw invalidParameter(0);
    }
    int length = dataOut.remaining() - ConvertWrite.HEADER_LENGTH;
    if (length % blockSize != 0) {
      throw invalidParameter(ConvertWrite.HEADER_LENGTH + length - length % blockSize);
    }
    requireWritable(medium);
    Conversion conversion = session.conversion;
    if (conversion != null && conversion.medium != medium) {
      endConversion(session); // a medium change ends the conversion
      conversion = null;
    }
    if (conversion == null) {
      throw refuse(
          new Refusal(Reason.NOTHING_PENDING, "CONVERT WRITE without a conversion on this nexus"));
    }
    long block = offset / blockSize;
    long blocks = length / blockSize;
    if (block > conversion.dataBlocks || blocks > conversion.dataBlocks - block) {
      throw lbaOutOfRange();
    }
    ByteBuffer data = dataOut.duplicate();
    data.position(dataOut.position() + ConvertWrite.HEADER_LENGTH);
    if (data.isReadOnly()) {
      ByteBuffer copy = ByteBuffer.allocate(length);
      copy.put(data).flip();
      data = copy;
    }
    if (blocks > 0) {
      conversion.convert(data.duplicate(), offset);
    }
    return new BlockWrite(conversion.first + block, (int) blocks, data.slice());
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
    // The blob is built with the counter value the advance below makes durable, and leaves the
    // drive only after it is: no two exports share a counter. Every check that can refuse comes
    // before the advance, so a refused BACKUP burns no counter value.
    long counter = nv.counter() + 1;
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
    int blockSize = medium.blockSize();
    long blocks = (bytes.length + blockSize - 1) / blockSize;
    if (toUserArea) {
      if (blocks > medium.blockCount() - request.lba()) {
        throw lbaOutOfRange();
      }
      userArea.check(medium, request.lba(), blocks);
    }
    long advanced;
    try {
      advanced = nv.advance(null, 0, WriteSteps.NONE);
    } catch (IOException e) {
      log.error("drive {}: writing the drive state failed", keys.deviceId(), e);
      throw new SenseException(
          SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE));
    }
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
