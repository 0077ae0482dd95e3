package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.keytree.DeviceNodeKeys;
import dev.secdrive.protocol.keytree.Ekb;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.MoveOut;
import dev.secdrive.protocol.move.MoveRecord;
import dev.secdrive.protocol.move.PackageLocation;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drive as the patent's legal client (seed 002, PROTOCOL.md "Content move"): registration with
 * a distributor (S4), licenses and their updates (S65, S97), contents copy certificates (S115), the
 * move of a content to removable media (MOVE OUT, S151-S153) and into another client (MOVE IN,
 * S161-S173), and playback of a content package (OPEN CONTENT, S41-S49), whose READs decrypt in the
 * drive as a title's do ({@link OpenTitle}).
 *
 * <p>Everything the client holds lives in the drive's sealed, anchored state ({@link DriveNv},
 * {@link ClientState}); each operation that changes it does so in one state write, so a power loss
 * leaves the old client state or the new one. MOVE OUT is two state writes around the move record:
 * the first spends the copy and marks the certificate moving out, the last gives it up; a MOVE OUT
 * repeated after a loss in between finishes the move without spending again. Usage periods are
 * judged by the later of the wall clock and the client state's time floor.
 */
final class MoveFlow {

  static final List<String> REGISTER_STEPS = stateSteps("register-client");
  static final List<String> LICENSE_STEPS = stateSteps("install-license");
  static final List<String> CERTIFICATE_STEPS = stateSteps("store-certificate");
  static final List<String> MOVE_OUT_STEPS = moveOutSteps();
  static final List<String> MOVE_IN_STEPS = stateSteps("move-in");
  static final List<String> OPEN_STEPS = stateSteps("open-content");

  private static final Logger log = LoggerFactory.getLogger(MoveFlow.class);

  private final DriveKeys keys;
  private final DriveNv nv;
  private final UserArea userArea;
  private final WriteSteps faults;
  private final Supplier<InstantSource> wallClock;

  MoveFlow(
      DriveKeys keys,
      DriveNv nv,
      UserArea userArea,
      WriteSteps faults,
      Supplier<InstantSource> wallClock) {
    this.keys = keys;
    this.nv = nv;
    this.userArea = userArea;
    this.faults = faults;
    this.wallClock = wallClock;
  }

  private static List<String> stateSteps(String operation) {
    List<String> out = new ArrayList<>();
    out.add(operation + ":verified");
    for (String s : WriteSteps.REPLACE_STEPS) {
      out.add(operation + ":nv-" + s);
    }
    return List.copyOf(out);
  }

  /**
   * MOVE OUT's steps: verified; the state write that marks the certificate moving out and spends
   * the copy ({@code move-out:mark:nv-*}); the move record on the medium; the state write that
   * gives the certificate up ({@code move-out:drop:nv-*}).
   */
  private static List<String> moveOutSteps() {
    List<String> out = new ArrayList<>();
    out.add("move-out:verified");
    for (String s : WriteSteps.REPLACE_STEPS) {
      out.add("move-out:mark:nv-" + s);
    }
    out.add("move-out:record-written");
    for (String s : WriteSteps.REPLACE_STEPS) {
      out.add("move-out:drop:nv-" + s);
    }
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- IN

  /** CLIENT STATUS (0004h): who the drive is as a client and what it holds; never a key. */
  byte[] status() {
    return nv.client()
        .map(ClientState::status)
        .orElse(dev.secdrive.protocol.move.ClientStatus.unregistered())
        .encode();
  }

  /**
   * REGISTRATION PROOF (0005h): the proof the last PROVE REGISTRATION of this I_T nexus made; 0Ah
   * if none.
   */
  byte[] proof(SecureLayer.Session session) throws CheckCondition {
    if (session.pendingProof == null) {
      throw CheckCondition.refused(Reason.NOTHING_PENDING, "no PROVE REGISTRATION on this nexus");
    }
    return session.pendingProof.clone();
  }

  // ---------------------------------------------------------------- OUT

  /**
   * PROVE REGISTRATION (0207h, before S11): the drive signs, with its certified Ed25519 device key,
   * a registration proof it builds itself from the list's typed fields and its own device ID, for
   * REGISTRATION PROOF on this nexus to read. The key signs nothing else: the host chooses only a
   * distributor the authority certified, a user ID and a challenge, each checked for its length,
   * and the signature covers the label {@value RegistrationProof#LABEL} first. Refusals in this
   * order: framing (05/26/00, field pointer; a certificate of another format version 0Bh); the
   * distributor's certificate (01h); already registered (10h). Writes nothing.
   */
  void prove(SecureLayer.Session session, byte[] parameters) throws CheckCondition {
    ProofRequest request = ParameterLists.decodeAt(0, () -> ProofRequest.decode(parameters));
    requireIssuer(request.distributor(), "registration proof");
    if (nv.client().isPresent()) {
      throw CheckCondition.refused(
          Reason.ALREADY_REGISTERED,
          "already client " + nv.client().get().serviceData().clientId());
    }
    session.pendingProof =
        RegistrationProof.sign(keys.deviceId(), request, keys.ed25519PrivateKey()).dataIn();
    log.info(
        "drive {}: registration proof for user {} at {}",
        keys.deviceId(),
        request.userId(),
        request.distributor().subject());
  }

  /**
   * REGISTER CLIENT (0201h, S4). Refusals in this order: framing (05/26/00; another format version
   * 0Bh); the issuer certificate (01h); the signature (02h); another drive (06h); already
   * registered (10h); sealed secrets that do not open, or device node keys that are not the service
   * data's leaf (05h).
   */
  void register(byte[] parameters) throws CheckCondition {
    ServiceData service = ParameterLists.decodeAt(0, () -> ServiceData.decode(parameters));
    requireIssuer(service.issuer(), "service data");
    if (!service.verifies()) {
      throw CheckCondition.refused(Reason.SIGNATURE, "service data of " + service.clientId());
    }
    if (!service.deviceId().equals(keys.deviceId())) {
      throw CheckCondition.refused(
          Reason.OTHER_DRIVE, "service data for drive " + service.deviceId());
    }
    if (nv.client().isPresent()) {
      throw CheckCondition.refused(
          Reason.ALREADY_REGISTERED,
          "already client " + nv.client().get().serviceData().clientId());
    }
    ServiceData.Secrets secrets;
    DeviceNodeKeys nodeKeys;
    try {
      secrets = service.open(keys.x25519PrivateKey());
      nodeKeys = DeviceNodeKeys.decode(secrets.deviceNodeKeys());
    } catch (AuthenticationException | ParameterException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "sealed service data: " + e.getMessage());
    }
    if (nodeKeys.leafId() != service.leafId() || nodeKeys.depth() != service.depth()) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "the sealed device node keys are not those of the leaf");
    }
    faults.reached("register-client:verified");
    write(
        "register-client",
        ClientState.registered(service, secrets.clientPrivateKey(), secrets.deviceNodeKeys()));
    log.info(
        "drive {}: registered as client {} of {} (leaf {})",
        keys.deviceId(),
        service.clientId(),
        service.distributor(),
        service.leafId());
  }

  /**
   * INSTALL LICENSE (0202h, S65, S97). Refusals in this order: framing; not registered (0Fh); the
   * issuer (01h); the signature (02h); another client (11h); a serial already used (12h). Installs
   * it, replacing a license of the same license ID (an update), and records its serial.
   */
  void installLicense(byte[] parameters) throws CheckCondition {
    License license = ParameterLists.decodeAt(0, () -> License.decode(parameters));
    ClientState client = registered();
    requireLicense(client, license, "license " + license.licenseId());
    if (license.boundToCertificate()) {
      throw CheckCondition.refused(
          Reason.NO_CERTIFICATE,
          "license " + license.licenseId() + " travels in a contents copy certificate: MOVE IN");
    }
    faults.reached("install-license:verified");
    write("install-license", client.withLicense(license));
    log.info(
        "drive {}: installed license {} for {} ({})",
        keys.deviceId(),
        license.licenseId(),
        license.contentId(),
        license.conditions());
  }

  /**
   * STORE CERTIFICATE (0203h, S115). Refusals in this order: framing; not registered (0Fh); the
   * issuer (01h); the signature (02h); another source client (11h); no license for its content
   * (08h); a serial held or used already (12h).
   */
  void storeCertificate(byte[] parameters) throws CheckCondition {
    ContentsCopyCertificate certificate =
        ParameterLists.decodeAt(0, () -> ContentsCopyCertificate.decode(parameters));
    ClientState client = registered();
    requireIssuer(certificate.issuer(), "contents copy certificate");
    if (!certificate.verifies()) {
      throw CheckCondition.refused(Reason.SIGNATURE, "contents copy certificate");
    }
    if (certificate.sourceLeafId() != client.leafId()) {
      throw CheckCondition.refused(
          Reason.OTHER_CLIENT, "certificate from leaf " + certificate.sourceLeafId());
    }
    if (client.licenseFor(certificate.issuer().subject(), certificate.contentId()).isEmpty()) {
      throw CheckCondition.refused(Reason.NO_LICENSE, certificate.contentId());
    }
    if (client.certificate(certificate.serial()).isPresent() || client.used(certificate.serial())) {
      throw CheckCondition.refused(Reason.ALREADY_USED, "certificate serial held or used");
    }
    faults.reached("store-certificate:verified");
    write("store-certificate", client.withCertificate(certificate));
  }

  /**
   * MOVE OUT (0204h, S151-S153), in two phases of the client state so that a power loss spends the
   * copy once: a state write marks the certificate as moving out to the package's LBA, records its
   * serial as used (so it is never stored again) and counts the copy; then the move record is
   * written after the package; then a state write gives the certificate up. A MOVE OUT of a
   * certificate marked moving (a crash or a write fault stopped it) writes the same record again
   * and gives it up, spending nothing.
   *
   * <p>Refusals in this order: framing; not registered (0Fh); no such certificate held (17h); a
   * certificate moving out to another LBA (05/26/00 at the LBA); a package LBA beyond the medium
   * (05/21/00); no package header there (05h); a package of another content (13h); unless moving
   * already: no license for it (08h), the license outside its usage period (15h, INFORMATION =
   * not-after), no copies to removable media left (14h); write protection (07/27/00); a move record
   * beyond the medium (05/21/00).
   */
  void moveOut(Medium medium, byte[] parameters) throws CheckCondition {
    MoveOut request = ParameterLists.decode(() -> MoveOut.decode(parameters));
    ClientState client = registered();
    ContentsCopyCertificate certificate =
        client
            .certificate(request.serial())
            .orElseThrow(
                () ->
                    CheckCondition.refused(
                        Reason.NO_CERTIFICATE, "no certificate held with this serial"));
    Optional<Long> moving = client.movingOutLba(request.serial());
    if (moving.isPresent() && moving.get() != request.packageLba()) {
      log.info(
          "drive {}: certificate moving out to LBA {}, not {}",
          keys.deviceId(),
          moving.get(),
          request.packageLba());
      throw ParameterLists.invalidParameter(ContentsCopyCertificate.SERIAL_LENGTH);
    }
    ContentPackage.Header header = readHeader(medium, request.packageLba());
    if (!header.contentId().equals(certificate.contentId())) {
      throw CheckCondition.refused(
          Reason.CONTENT_MISMATCH,
          "package of " + header.contentId() + ", certificate for " + certificate.contentId());
    }
    ClientState.Held held = null;
    if (moving.isEmpty()) {
      held =
          client
              .licenseFor(certificate.issuer().subject(), certificate.contentId())
              .orElseThrow(
                  () -> CheckCondition.refused(Reason.NO_LICENSE, certificate.contentId()));
      client = requirePeriod(client, held);
      if (held.now().removableCopies() == 0) {
        throw CheckCondition.refused(Reason.NO_COPIES_LEFT, held.license().licenseId());
      }
    }
    UserArea.requireWritable(medium);
    int blockSize = medium.blockSize();
    long at = header.moveRecordLba(request.packageLba(), blockSize);
    byte[] record = new MoveRecord(certificate).blocks(blockSize);
    long blocks = record.length / blockSize;
    if (at > medium.blockCount() || blocks > medium.blockCount() - at) {
      throw UserArea.lbaOutOfRange();
    }
    userArea.check(medium, at, blocks);
    faults.reached("move-out:verified");
    if (held != null) {
      client =
          write(
              "move-out:mark",
              client
                  .withMovingOut(certificate.serial(), request.packageLba())
                  .withUsed(certificate.serial())
                  .withConditions(held.license(), held.now().afterRemovableCopy()));
    }
    userArea.write(medium, at, ByteBuffer.wrap(record));
    faults.reached("move-out:record-written");
    write("move-out:drop", client.withoutCertificate(certificate.serial()));
    log.info(
        "drive {}: moved {} out to medium {} at LBA {} for leaf {}{}",
        keys.deviceId(),
        certificate.contentId(),
        medium.id(),
        at,
        certificate.destinationLeafId(),
        held == null ? " (finishing a move out begun before)" : "");
  }

  /**
   * MOVE IN (0205h, S161-S173). Refusals in this order: framing; not registered (0Fh); a package
   * LBA beyond the medium (05/21/00); no package header (05h); no move record after the package
   * (17h) or one that does not parse (05h); the certificate's issuer (01h) and signature (02h,
   * S162-S164); another destination (11h); a certificate or license serial used before (12h,
   * S165-S167); a package of another content (13h, S168-S170); the embedded license of another
   * issuer (01h), not verifying (02h), for another client (11h) or another content (13h). Then one
   * state write installs the license (S171-S172) and records both serials as used (S173).
   */
  void moveIn(Medium medium, byte[] parameters) throws CheckCondition {
    PackageLocation request = ParameterLists.decode(() -> PackageLocation.decode(parameters));
    ClientState client = registered();
    ContentPackage.Header header = readHeader(medium, request.packageLba());
    ContentsCopyCertificate certificate =
        readMoveRecord(medium, header.moveRecordLba(request.packageLba(), medium.blockSize()))
            .certificate();
    requireIssuer(certificate.issuer(), "contents copy certificate");
    if (!certificate.verifies()) {
      throw CheckCondition.refused(Reason.SIGNATURE, "contents copy certificate");
    }
    if (certificate.destinationLeafId() != client.leafId()) {
      throw CheckCondition.refused(
          Reason.OTHER_CLIENT, "certificate for leaf " + certificate.destinationLeafId());
    }
    License license = certificate.license();
    if (client.used(certificate.serial()) || client.used(license.serial())) {
      throw CheckCondition.refused(Reason.ALREADY_USED, "certificate or license already used");
    }
    if (!header.contentId().equals(certificate.contentId())) {
      throw CheckCondition.refused(
          Reason.CONTENT_MISMATCH,
          "package of " + header.contentId() + ", certificate for " + certificate.contentId());
    }
    if (!license.issuer().equals(certificate.issuer())) {
      throw CheckCondition.refused(Reason.CERTIFICATE, "license of another issuer");
    }
    if (!license.verifies()) {
      throw CheckCondition.refused(Reason.SIGNATURE, "license in the certificate");
    }
    if (license.leafId() != client.leafId()) {
      throw CheckCondition.refused(Reason.OTHER_CLIENT, "license for leaf " + license.leafId());
    }
    if (!license.contentId().equals(certificate.contentId())) {
      throw CheckCondition.refused(Reason.CONTENT_MISMATCH, "license for " + license.contentId());
    }
    if (!license.boundTo(certificate.serial())) {
      throw CheckCondition.refused(
          Reason.NO_CERTIFICATE, "the license in the certificate names another certificate");
    }
    requireUpdate(client, license, "license in the certificate");
    faults.reached("move-in:verified");
    write("move-in", client.withLicense(license).withUsed(certificate.serial()));
    log.info(
        "drive {}: moved {} in from leaf {} (license {})",
        keys.deviceId(),
        certificate.contentId(),
        certificate.sourceLeafId(),
        license.licenseId());
  }

  /**
   * OPEN CONTENT (0206h, S41-S49). A new one closes what the nexus plays first. Refusals in this
   * order: framing; not registered (0Fh); a package LBA beyond the medium (05/21/00); no package
   * header (05h); no license of its license ID (08h); a license of another content (13h); the
   * license outside its usage period by the drive's wall clock (15h, INFORMATION = not-after); no
   * plays left (09h); an EKB that does not parse (05h) or gives this client no root key (16h); a
   * content key that does not unwrap (05h); a check that does not match it (0Ch); data beyond the
   * medium (05/21/00). A limited license spends one play in one state write.
   */
  void openContent(SecureLayer.Session session, Medium medium, byte[] parameters)
      throws CheckCondition {
    PackageLocation request = ParameterLists.decode(() -> PackageLocation.decode(parameters));
    session.playback = null;
    ClientState client = registered();
    ContentPackage.Header header = readHeader(medium, request.packageLba());
    ClientState.Held held =
        client
            .license(header.distributor(), header.licenseId())
            .orElseThrow(
                () ->
                    CheckCondition.refused(
                        Reason.NO_LICENSE,
                        "no license " + header.licenseId() + " of " + header.distributor()));
    if (!held.license().contentId().equals(header.contentId())) {
      throw CheckCondition.refused(
          Reason.CONTENT_MISMATCH,
          "license " + header.licenseId() + " is for " + held.license().contentId());
    }
    client = requirePeriod(client, held);
    if (!held.now().unlimitedPlays() && held.now().plays() == 0) {
      throw CheckCondition.refused(Reason.EXHAUSTED, header.licenseId());
    }
    byte[] kc = contentKey(client, header);
    int blockSize = medium.blockSize();
    long first = header.dataLba(request.packageLba(), blockSize);
    long blocks = header.dataBlocks(blockSize);
    if (first > medium.blockCount() || blocks > medium.blockCount() - first) {
      throw UserArea.lbaOutOfRange();
    }
    if (!held.now().unlimitedPlays()) {
      faults.reached("open-content:verified");
      write("open-content", client.withConditions(held.license(), held.now().afterPlay()));
    }
    session.playback = new OpenTitle(medium, first, first + blocks, header.nonce(), kc);
  }

  // ---------------------------------------------------------------- checks

  private ClientState registered() throws CheckCondition {
    return nv.client()
        .orElseThrow(
            () -> CheckCondition.refused(Reason.NOT_REGISTERED, "this drive is no client"));
  }

  private void requireIssuer(Certificate issuer, String what) throws CheckCondition {
    if (!Authority.verify(keys.authorityPublicKey(), issuer, Certificate.Role.DISTRIBUTOR)) {
      throw CheckCondition.refused(
          Reason.CERTIFICATE, what + " issued by " + issuer.subject() + ", not a distributor");
    }
  }

  private void requireLicense(ClientState client, License license, String what)
      throws CheckCondition {
    requireIssuer(license.issuer(), what);
    if (!license.verifies()) {
      throw CheckCondition.refused(Reason.SIGNATURE, what);
    }
    if (license.leafId() != client.leafId()) {
      throw CheckCondition.refused(Reason.OTHER_CLIENT, what + " for leaf " + license.leafId());
    }
    requireUpdate(client, license, what);
    if (client.used(license.serial())) {
      throw CheckCondition.refused(Reason.ALREADY_USED, what + ": serial already used");
    }
  }

  /**
   * A license replaces the held one of its issuer and license ID (an update, S97) only for the same
   * content (13h): an update never turns a license into another content's.
   */
  private static void requireUpdate(ClientState client, License license, String what)
      throws CheckCondition {
    Optional<ClientState.Held> held =
        client.license(license.issuer().subject(), license.licenseId());
    if (held.isPresent() && !held.get().license().contentId().equals(license.contentId())) {
      throw CheckCondition.refused(
          Reason.CONTENT_MISMATCH,
          what
              + " is for "
              + license.contentId()
              + ", the held one for "
              + held.get().license().contentId());
    }
  }

  /**
   * Refuses 15h unless the time the drive judges by, the later of its wall clock and its time
   * floor, is in the license's period. A refusal by a wall clock later than the floor first raises
   * the floor to it in a state write, so setting the clock back after the refusal revives nothing.
   *
   * @return {@code client} as it stands after that
   */
  private ClientState requirePeriod(ClientState client, ClientState.Held held)
      throws CheckCondition {
    UseConditions now = held.now();
    Instant wall = wallClock.get().instant();
    if (!now.inPeriod(client.judgedTime(wall))) {
      ClientState seen = client.withTimeSeen(wall.getEpochSecond());
      if (seen != client) {
        write("time-floor", seen);
      }
      throw CheckCondition.refused(
          Reason.EXPIRED,
          now.notAfter(),
          "license "
              + held.license().licenseId()
              + " outside "
              + now.notBefore()
              + ".."
              + Long.toUnsignedString(now.notAfter())
              + " at "
              + client.judgedTime(wall).getEpochSecond());
    }
    return client;
  }

  /** KR from the package's EKB with this client's device node keys (S44-S46), then Kc. */
  private static byte[] contentKey(ClientState client, ContentPackage.Header header)
      throws CheckCondition {
    Optional<byte[]> kr;
    try {
      Ekb ekb = Ekb.decode(header.ekb());
      kr = DeviceNodeKeys.decode(client.deviceNodeKeys()).rootKey(ekb);
    } catch (ParameterException | AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the package's EKB: " + e.getMessage());
    }
    if (kr.isEmpty()) {
      throw CheckCondition.refused(
          Reason.REVOKED, "the EKB covers no leaf " + client.leafId() + ": revoked");
    }
    byte[] kc;
    try {
      kc = header.unwrapContentKey(kr.get());
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the content key does not unwrap");
    } finally {
      Arrays.fill(kr.get(), (byte) 0);
    }
    if (!header.checks(kc)) {
      throw CheckCondition.refused(Reason.WRONG_KEY, "the header's check");
    }
    return kc;
  }

  // ---------------------------------------------------------------- the medium

  /** The package header at {@code lba}: 05/21/00 beyond the medium, 05h if none parses there. */
  private ContentPackage.Header readHeader(Medium medium, long lba) throws CheckCondition {
    int blockSize = medium.blockSize();
    if (lba >= medium.blockCount()) {
      throw UserArea.lbaOutOfRange();
    }
    byte[] first = read(medium, lba, 1);
    long length;
    try {
      length = ContentPackage.Header.declaredLength(first);
    } catch (ParameterException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "no package header at LBA " + lba);
    }
    long blocks = (length + blockSize - 1) / blockSize;
    if (blocks > medium.blockCount() - lba) {
      throw UserArea.lbaOutOfRange();
    }
    byte[] all = blocks == 1 ? first : read(medium, lba, blocks);
    try {
      return ContentPackage.Header.decode(all);
    } catch (ParameterException e) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "package header at LBA " + lba + ": " + e.getMessage());
    }
  }

  /** The move record at {@code lba}: 17h if there is none, 05h if it does not parse. */
  private MoveRecord readMoveRecord(Medium medium, long lba) throws CheckCondition {
    int blockSize = medium.blockSize();
    if (lba >= medium.blockCount()) {
      throw CheckCondition.refused(Reason.NO_CERTIFICATE, "no room for a move record");
    }
    byte[] first = read(medium, lba, 1);
    long length;
    try {
      length = MoveRecord.length(first);
    } catch (ParameterException e) {
      if (e.kind() == ParameterException.Kind.MAGIC) {
        throw CheckCondition.refused(
            Reason.NO_CERTIFICATE, "no move record at LBA " + lba + ": not moved out");
      }
      throw CheckCondition.refused(Reason.INTEGRITY, "move record: " + e.getMessage());
    }
    long blocks = (length + blockSize - 1) / blockSize;
    if (blocks > medium.blockCount() - lba) {
      throw CheckCondition.refused(Reason.INTEGRITY, "move record beyond the medium");
    }
    byte[] all = blocks == 1 ? first : read(medium, lba, blocks);
    try {
      return MoveRecord.decode(all);
    } catch (ParameterException | IllegalArgumentException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "move record: " + e.getMessage());
    }
  }

  private byte[] read(Medium medium, long lba, long blocks) throws CheckCondition {
    byte[] out = new byte[Math.toIntExact(blocks * medium.blockSize())];
    userArea.read(medium, lba, ByteBuffer.wrap(out));
    return out;
  }

  /**
   * Makes {@code next} durable in one state write, its time floor raised to the wall clock's time
   * (the drive has seen it); steps {@code operation:nv-*}.
   *
   * @return the state written
   */
  private ClientState write(String operation, ClientState next) throws CheckCondition {
    ClientState stamped = next.withTimeSeen(wallClock.get().instant().getEpochSecond());
    try {
      nv.writeClient(stamped, faults.prefixed(operation + ":nv-"));
    } catch (IOException e) {
      log.error("drive {}: writing the drive state failed", keys.deviceId(), e);
      throw CheckCondition.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE);
    }
    return stamped;
  }
}
