package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.distributor.ClientRegistration;
import dev.secdrive.protocol.distributor.CopyIssue;
import dev.secdrive.protocol.distributor.LicenseIssue;
import dev.secdrive.protocol.distributor.RegistrationChallenge;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The client of the content move (seed 002): a host with its drive, the patent's "legal client",
 * and the distributor it deals with. Each flow names the patent's steps; the drive keeps the
 * service data, licenses, held certificates and used serials, the host only the content package
 * file (ciphertext) and what it writes on the medium.
 *
 * <ul>
 *   <li>{@link #register} (S1-S4): the drive's certificate, preregistration (S11-S14), REGISTER
 *       CLIENT.
 *   <li>{@link #download} (S21-S25): the content package into a host file (S33-S38 at the server).
 *   <li>{@link #license} (S61-S66) and {@link #update} (S91-S97): the license, INSTALL LICENSE.
 *   <li>{@link #play} (S41-S50): the package onto the medium if it is not there, OPEN CONTENT,
 *       READs the drive decrypts, CLOSE PLAYBACK.
 *   <li>{@link #certificate} (S111-S115): a contents copy certificate, STORE CERTIFICATE.
 *   <li>{@link #moveOut} (S151-S153) and {@link #moveIn} (S161-S173): the move on removable media.
 * </ul>
 *
 * <p>Every failure is a {@link MoveException} naming the flow, its steps and the cause: the
 * distributor's refusal with its HTTP status, or the drive's with its reason.
 */
public final class ContentMove {

  /** Bytes per WRITE of a package onto the medium. */
  public static final int CHUNK = 1 << 20;

  private static final HexFormat HEX = HexFormat.of();

  private ContentMove() {}

  /** A flow failed at a step: the distributor refused, the drive refused, or a check failed. */
  public static final class MoveException extends FlowException {
    private final String step;
    private final int httpStatus;
    private final Reason reason;

    MoveException(String step, String message, Throwable cause, int httpStatus, Reason reason) {
      super(step + ": " + message, cause);
      this.step = step;
      this.httpStatus = httpStatus;
      this.reason = reason;
    }

    /** The flow and its steps, e.g. "license (S61-S66)". */
    public String step() {
      return step;
    }

    /** The distributor's HTTP status, or 0 if it did not refuse. */
    public int httpStatus() {
      return httpStatus;
    }

    /** The drive's refusal reason, if the drive refused. */
    public Optional<Reason> reason() {
      return Optional.ofNullable(reason);
    }
  }

  // ---------------------------------------------------------------- results

  public record Registered(
      String distributor, String clientId, long leafId, String deviceId, int treeDepth) {}

  public record Downloaded(
      String contentId, String licenseId, String distributor, Path file, long bytes, int ekbSize) {}

  public record Licensed(
      String contentId,
      String licenseId,
      byte[] serial,
      ClientStatus.LicenseEntry installed,
      long billedCents) {}

  public record Played(String contentId, long lba, boolean written, long bytes, byte[] sha256) {}

  public record Certified(
      String contentId,
      byte[] serial,
      String destinationClientId,
      long destinationLeafId,
      long billedCents) {}

  public record MovedOut(String contentId, byte[] serial, long lba, long moveRecordLba) {}

  public record MovedIn(String contentId, String licenseId, String issuer, long lba) {}

  // ---------------------------------------------------------------- S1-S4

  /**
   * Registers the drive as a client of the user at {@code distributor} (S1-S4), first asking who
   * the distributor is (refused if {@code distributor} is pinned to an authority that did not
   * certify it): S1 the drive's certificate (SECURITY PROTOCOL IN 00h/0001h), the drive's proof of
   * possession (a challenge of POST /clients/challenges, which the drive signs for the user and
   * this distributor with PROVE REGISTRATION and REGISTRATION PROOF), S2-S3 the preregistration
   * (POST /clients with the certificate, challenge and proof, S11-S14 at the server), S4 REGISTER
   * CLIENT with the service data sealed to the drive.
   */
  public static Registered register(Drive drive, DistributorClient distributor) {
    String flow = "register (S1-S4)";
    // Who the distributor is, checked against the pinned authority (if any) before the drive's
    // certificate goes to it.
    DistributorClient.Info info = step(flow, "S2 GET /distributor", distributor::info);
    Certificate certificate =
        step(flow, "S1 the drive's certificate", () -> drive.secure().certificate());
    if (certificate.role() != Certificate.Role.DRIVE) {
      throw new MoveException(
          flow, "the drive presents a " + certificate.role() + " certificate", null, 0, null);
    }
    ClientStatus before = step(flow, "S1 CLIENT STATUS", () -> drive.secure().clientStatus());
    before
        .client()
        .ifPresent(
            c -> {
              throw new MoveException(
                  flow,
                  "the drive is already client "
                      + c.clientId()
                      + " of "
                      + c.distributor()
                      + " (leaf "
                      + c.leafId()
                      + ")",
                  null,
                  0,
                  Reason.ALREADY_REGISTERED);
            });
    // The drive's certificate is public: the distributor asks the drive itself (S11).
    RegistrationChallenge challenge =
        step(flow, "S2 POST /clients/challenges", distributor::registrationChallenge);
    ProofRequest request;
    try {
      request =
          new ProofRequest(
              info.certificate(),
              java.util.Objects.requireNonNull(challenge.userId(), "no userId"),
              challenge.challenge());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MoveException(
          flow,
          "the distributor at "
              + distributor.url()
              + " sent an unusable challenge: "
              + e.getMessage(),
          e,
          0,
          null);
    }
    RegistrationProof proof =
        step(
            flow,
            "S1 PROVE REGISTRATION",
            () -> {
              drive.secure().proveRegistration(request);
              return drive.secure().registrationProof();
            });
    ClientRegistration registration =
        step(
            flow,
            "S2-S3 preregistration at " + distributor.url(),
            () -> distributor.registerClient(certificate, challenge.challenge(), proof.encode()));
    step(
        flow,
        "S4 REGISTER CLIENT",
        () -> {
          drive.secure().registerClient(registration.serviceData());
          return null;
        });
    ClientStatus.Client client =
        step(flow, "S4 CLIENT STATUS", () -> drive.secure().clientStatus())
            .client()
            .orElseThrow(
                () ->
                    new MoveException(
                        flow,
                        "the drive took the service data but reports no client",
                        null,
                        0,
                        null));
    return new Registered(
        client.distributor(),
        client.clientId(),
        client.leafId(),
        certificate.subject(),
        client.depth());
  }

  /** CLIENT STATUS: the drive's client, licenses, held certificates and used serials. */
  public static ClientStatus status(Drive drive) {
    return step("status", "CLIENT STATUS", () -> drive.secure().clientStatus());
  }

  // ---------------------------------------------------------------- S21-S25

  /**
   * Downloads the content package of {@code contentId} for client {@code clientId} into {@code
   * file} (S21-S25; the server's S33-S38), replacing it only when the whole package arrived and its
   * header parses.
   */
  public static Downloaded download(
      DistributorClient distributor,
      String contentId,
      String clientId,
      Path file,
      Progress progress) {
    String flow = "download (S21-S25)";
    record Received(long bytes, ContentPackage.Header header) {}
    Received received;
    try {
      received =
          AtomicFiles.replace(
              file,
              out -> {
                // The header is checked before the file is replaced: a body that is not the
                // package asked for leaves the old file as it was.
                HeadKeeper head = new HeadKeeper(out, ContentPackage.HEADER_MAX);
                long bytes =
                    step(
                        flow,
                        "S22-S24 GET the package of " + contentId,
                        () -> distributor.downloadPackage(contentId, clientId, head, progress));
                ContentPackage.Header header =
                    checkedHeader(flow, "the distributor's package", head.head(), bytes);
                if (!header.contentId().equals(contentId)) {
                  throw new MoveException(
                      flow,
                      "the distributor sent a package of " + header.contentId(),
                      null,
                      0,
                      null);
                }
                return new Received(bytes, header);
              });
    } catch (IOException e) {
      throw new MoveException(flow, "S25 cannot write " + file + ": " + e, e, 0, null);
    }
    ContentPackage.Header header = received.header();
    return new Downloaded(
        contentId,
        header.licenseId(),
        header.distributor(),
        file,
        received.bytes(),
        header.ekb().length);
  }

  /** Passes every byte on and keeps the first {@code max}. */
  private static final class HeadKeeper extends java.io.FilterOutputStream {
    private final java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    private final int max;

    HeadKeeper(OutputStream out, int max) {
      super(out);
      this.max = max;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      head.write(b, off, Math.min(len, Math.max(0, max - head.size())));
      out.write(b, off, len);
    }

    byte[] head() {
      return head.toByteArray();
    }
  }

  // ---------------------------------------------------------------- S61-S66, S91-S97

  /**
   * Buys a license of {@code contentId} for the drive's client (S61-S66): S61 the client from
   * CLIENT STATUS, S62-S64 POST /licenses (S71-S85 at the server), S65 INSTALL LICENSE, S66 the
   * installed license read back.
   */
  public static Licensed license(Drive drive, DistributorClient distributor, String contentId) {
    String flow = "license (S61-S66)";
    ClientStatus.Client client = client(flow, drive);
    LicenseIssue issue =
        step(
            flow,
            "S62-S64 POST /licenses for " + contentId,
            () -> distributor.license(contentId, client.clientId()));
    return install(flow, "S65 INSTALL LICENSE", "S66", drive, contentId, issue);
  }

  /**
   * Updates the drive's license of {@code contentId} on offer {@code offerId} (S91-S97): S91 the
   * license's serial from CLIENT STATUS, S92-S96 POST /licenses/{serial}/update (S101-S104 at the
   * server), S97 INSTALL LICENSE, which replaces the license of the same license ID.
   */
  public static Licensed update(
      Drive drive, DistributorClient distributor, String contentId, String offerId) {
    String flow = "update (S91-S97)";
    client(flow, drive);
    ClientStatus.LicenseEntry held = heldLicense(flow, drive, contentId);
    LicenseIssue issue =
        step(
            flow,
            "S92-S96 POST /licenses/" + HEX.formatHex(held.serial()) + "/update",
            () -> distributor.update(held.serial(), offerId));
    return install(flow, "S97 INSTALL LICENSE", "S97", drive, contentId, issue);
  }

  private static Licensed install(
      String flow,
      String installStep,
      String checkStep,
      Drive drive,
      String contentId,
      LicenseIssue issue) {
    byte[] license = issue.license();
    step(
        flow,
        installStep,
        () -> {
          drive.secure().installLicense(license);
          return null;
        });
    ClientStatus.LicenseEntry installed =
        status(drive).licenses().stream()
            .filter(e -> Arrays.equals(e.serial(), issue.serial()))
            .findFirst()
            .orElseThrow(
                () ->
                    new MoveException(
                        flow,
                        checkStep + " the drive took the license but does not list its serial",
                        null,
                        0,
                        null));
    return new Licensed(
        contentId,
        issue.licenseId(),
        issue.serial(),
        installed,
        issue.bill() == null ? 0 : issue.bill().amountCents());
  }

  // ---------------------------------------------------------------- S41-S50

  /**
   * Plays the content package at {@code lba} of the loaded medium into {@code out} (S41-S50): when
   * {@code packageFile} is given and the medium does not hold that package at {@code lba} yet, it
   * is written there first; then OPEN CONTENT (the drive checks its license, period, plays and the
   * EKB, S42-S49), READs of the data blocks, which the drive decrypts, and CLOSE PLAYBACK (S50).
   *
   * @param packageFile the downloaded package, or null if it is on the medium already
   */
  public static Played play(
      Drive drive, Path packageFile, long lba, OutputStream out, Progress progress) {
    String flow = "play (S41-S50)";
    boolean written = packageFile != null && placePackage(flow, drive, packageFile, lba, false);
    Player.Played played =
        step(
            flow,
            "S41-S50 OPEN CONTENT at LBA " + lba + ", READ, CLOSE PLAYBACK",
            () -> Player.playContent(drive, lba, out, progress));
    return new Played(played.contentId(), lba, written, played.bytes(), played.sha256());
  }

  // ---------------------------------------------------------------- S111-S115

  /**
   * Asks for a contents copy certificate of the drive's license of {@code contentId} for the user's
   * client {@code destinationClientId} (S111-S115): S111 the license's serial from CLIENT STATUS,
   * S112-S114 POST /copies (S121-S141 at the server), S115 STORE CERTIFICATE.
   */
  public static Certified certificate(
      Drive drive, DistributorClient distributor, String contentId, String destinationClientId) {
    String flow = "certificate (S111-S115)";
    client(flow, drive);
    ClientStatus.LicenseEntry held = heldLicense(flow, drive, contentId);
    CopyIssue issue =
        step(
            flow,
            "S112-S114 POST /copies for " + destinationClientId,
            () -> distributor.copy(held.serial(), destinationClientId));
    step(
        flow,
        "S115 STORE CERTIFICATE",
        () -> {
          drive.secure().storeCertificate(issue.certificate());
          return null;
        });
    ClientStatus.HeldCertificate stored =
        status(drive).certificates().stream()
            .filter(c -> Arrays.equals(c.serial(), issue.serial()))
            .findFirst()
            .orElseThrow(
                () ->
                    new MoveException(
                        flow,
                        "S115 the drive does not list the stored certificate",
                        null,
                        0,
                        null));
    return new Certified(
        contentId,
        issue.serial(),
        destinationClientId,
        stored.destinationLeafId(),
        issue.bill() == null ? 0 : issue.bill().amountCents());
  }

  // ---------------------------------------------------------------- S151-S153, S161-S173

  /**
   * Moves the content out onto the loaded medium (S151-S153): the package from {@code packageFile}
   * at {@code lba} if the medium does not hold it there yet, then MOVE OUT of the held certificate
   * of {@code contentId}: the drive writes the move record after the package and gives the
   * certificate up.
   */
  public static MovedOut moveOut(Drive drive, Path packageFile, long lba, String contentId) {
    String flow = "move-out (S151-S153)";
    client(flow, drive);
    List<ClientStatus.HeldCertificate> held =
        status(drive).certificates().stream().filter(c -> c.contentId().equals(contentId)).toList();
    if (held.isEmpty()) {
      throw new MoveException(
          flow,
          "S151 the drive holds no contents copy certificate of "
              + contentId
              + " (ask for one: 'secdrive client certificate')",
          null,
          0,
          Reason.NO_CERTIFICATE);
    }
    byte[] serial = held.get(0).serial();
    if (packageFile != null) {
      placePackage(flow, drive, packageFile, lba, true);
    }
    step(
        flow,
        "S152-S153 MOVE OUT at LBA " + lba,
        () -> {
          drive.secure().moveOut(serial, lba);
          return null;
        });
    ContentPackage.Header header = step(flow, "S153", () -> Player.packageHeader(drive, lba));
    return new MovedOut(
        contentId, serial, lba, header.moveRecordLba(lba, drive.capacity().blockSize()));
  }

  /**
   * Moves the content in from the package and move record at {@code lba} of the loaded medium
   * (S161-S173): MOVE IN, in which the drive checks the certificate (S162-S170) and installs the
   * license it carries (S171-S173).
   */
  public static MovedIn moveIn(Drive drive, long lba) {
    String flow = "move-in (S161-S173)";
    client(flow, drive);
    ContentPackage.Header header =
        step(flow, "S161 the package at LBA " + lba, () -> Player.packageHeader(drive, lba));
    step(
        flow,
        "S162-S173 MOVE IN at LBA " + lba,
        () -> {
          drive.secure().moveIn(lba);
          return null;
        });
    ClientStatus.LicenseEntry installed =
        status(drive).licenses().stream()
            .filter(e -> e.licenseId().equals(header.licenseId()))
            .filter(e -> e.issuer().equals(header.distributor()))
            .findFirst()
            .orElseThrow(
                () ->
                    new MoveException(
                        flow, "S172 the drive does not list the moved license", null, 0, null));
    return new MovedIn(header.contentId(), installed.licenseId(), installed.issuer(), lba);
  }

  // ---------------------------------------------------------------- the package

  /** The header of a host package file. */
  public static ContentPackage.Header packageFile(Path file) {
    return packageFile("package", file);
  }

  private static ContentPackage.Header packageFile(String flow, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return checkedHeader(
          flow, file.toString(), in.readNBytes(ContentPackage.HEADER_MAX), Files.size(file));
    } catch (IOException e) {
      throw new MoveException(flow, "cannot read " + file + ": " + e, e, 0, null);
    }
  }

  /**
   * The header of a package of {@code size} bytes that begins with {@code head} (at least the whole
   * header), checked to be followed by exactly the content's length.
   */
  private static ContentPackage.Header checkedHeader(
      String flow, String what, byte[] head, long size) {
    try {
      byte[] prefix =
          Arrays.copyOf(head, Math.min(head.length, ContentPackage.HEADER_LENGTH_OFFSET + 4));
      long length = ContentPackage.Header.declaredLength(prefix);
      ContentPackage.Header header =
          ContentPackage.Header.decode(Arrays.copyOf(head, (int) Math.min(length, head.length)));
      if (size != header.length() + header.plaintextLength()) {
        throw new MoveException(
            flow,
            what
                + " has "
                + size
                + " bytes, not the header's "
                + header.length()
                + " and the content's "
                + header.plaintextLength(),
            null,
            0,
            null);
      }
      return header;
    } catch (ParameterException e) {
      throw new MoveException(
          flow,
          what + " is not a content package: " + e.getMessage() + " (at byte " + e.offset() + ")",
          e,
          0,
          null);
    }
  }

  /**
   * Writes the package of {@code file} at {@code lba} unless the medium holds it there already (the
   * same header).
   *
   * @param moveRecord whether room for a move record must follow it
   * @return whether it was written
   */
  private static boolean placePackage(
      String flow, Drive drive, Path file, long lba, boolean moveRecord) {
    ContentPackage.Header header = packageFile(flow, file);
    Capacity capacity = step(flow, "READ CAPACITY", drive::capacity);
    int blockSize = capacity.blockSize();
    long h = header.headerBlocks(blockSize);
    long d = header.dataBlocks(blockSize);
    // A move record takes at least one block after the package (its length is the drive's).
    long end = lba + h + d + (moveRecord ? 1 : 0);
    if (lba < 0 || end > capacity.blocks()) {
      throw new MoveException(
          flow,
          "the package needs LBA "
              + lba
              + "-"
              + (end - 1)
              + " but the medium has "
              + capacity.blocks()
              + " blocks",
          null,
          0,
          null);
    }
    if (holds(drive, lba, header)) {
      return false;
    }
    step(
        flow,
        "WRITE the package at LBA " + lba,
        () -> {
          writePackage(drive, file, header, lba, blockSize);
          return null;
        });
    return true;
  }

  private static boolean holds(Drive drive, long lba, ContentPackage.Header header) {
    try {
      return Player.packageHeader(drive, lba).equals(header);
    } catch (FlowException e) {
      return false;
    }
  }

  private static void writePackage(
      Drive drive, Path file, ContentPackage.Header header, long lba, int blockSize) {
    byte[] head = header.encode();
    long h = header.headerBlocks(blockSize);
    drive.write(lba, Arrays.copyOf(head, Math.toIntExact(h * blockSize)));
    int chunk = Math.max(blockSize, CHUNK / blockSize * blockSize);
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(head.length);
      long left = header.plaintextLength();
      long at = lba + h;
      while (left > 0) {
        int n = (int) Math.min(chunk, left);
        byte[] data = in.readNBytes(n);
        if (data.length != n) {
          throw new FlowException(file + " ended before its content did");
        }
        int padded = (n + blockSize - 1) / blockSize * blockSize;
        drive.write(at, Arrays.copyOf(data, padded));
        at += padded / blockSize;
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private static ClientStatus.Client client(String flow, Drive drive) {
    return status(drive)
        .client()
        .orElseThrow(
            () ->
                new MoveException(
                    flow,
                    "the drive is not a registered client (register it first: 'secdrive client"
                        + " register')",
                    null,
                    0,
                    Reason.NOT_REGISTERED));
  }

  private static ClientStatus.LicenseEntry heldLicense(String flow, Drive drive, String contentId) {
    return status(drive).licenses().stream()
        .filter(e -> e.contentId().equals(contentId))
        .findFirst()
        .orElseThrow(
            () ->
                new MoveException(
                    flow,
                    "the drive holds no license of " + contentId,
                    null,
                    0,
                    Reason.NO_LICENSE));
  }

  /** Runs one step, turning a refusal of the distributor or the drive into a MoveException. */
  private static <T> T step(String flow, String step, Supplier<T> body) {
    try {
      return body.get();
    } catch (MoveException e) {
      throw e;
    } catch (DistributorException e) {
      throw new MoveException(flow, step + ": " + e.getMessage(), e, e.status(), null);
    } catch (ScsiException e) {
      throw new MoveException(
          flow, step + ": the drive refused: " + e.getMessage(), e, 0, e.reason().orElse(null));
    } catch (DriveException | UncheckedIOException e) {
      throw new MoveException(flow, step + ": " + e.getMessage(), e, 0, null);
    }
  }
}
