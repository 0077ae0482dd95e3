package dev.secdrive.host.api;

import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.MoveOut;
import dev.secdrive.protocol.move.PackageLocation;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.rip.RegisterTrack;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.rip.TrackRecordData;
import dev.secdrive.protocol.rip.VerifyTrack;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.BlobSource;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.CheckInstall;
import dev.secdrive.protocol.security.ConvertWrite;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A drive's secure layer (PROTOCOL.md "Secure layer"): every operation of SECURITY PROTOCOL IN /
 * OUT as a typed, blocking method. Obtained with {@link Drive#secure()}.
 *
 * <p>The drive keeps the keys; nothing here holds or derives one. Refusals arrive as {@link
 * ScsiException} whose {@link ScsiException#reason()} says why (a replayed challenge, a stale
 * backup, ...).
 *
 * <p>BACKUP DATA and playback are per I_T nexus: read a BACKUP's blob and READ a title's plaintext
 * through the same {@link Drive} that sent the BACKUP or OPEN PLAYBACK.
 */
public final class Secure {

  /** Enough for the supported-protocols list and a certificate; the drive says if not. */
  private static final int SMALL_ALLOCATION = 1024;

  /** Enough for a license status of a few hundred titles; a larger one is asked for again. */
  private static final int STATUS_ALLOCATION = 16 * 1024;

  /** A blob never exceeds {@link BackupBlob#MAXIMUM_LENGTH}; asking for all of it reads it once. */
  private static final int BACKUP_DATA_ALLOCATION = BackupBlob.MAXIMUM_LENGTH + 4;

  private final Drive drive;

  Secure(Drive drive) {
    this.drive = drive;
  }

  // ---------------------------------------------------------------- protocol 00h

  /** The security protocols the drive implements (00h/0000h): 00h and F0h on a secure drive. */
  public List<Integer> supportedProtocols() {
    return in(
            SecurityProtocols.INFORMATION,
            SecurityProtocols.SUPPORTED_PROTOCOLS,
            SMALL_ALLOCATION,
            SupportedSecurityProtocols::decode,
            "supported security protocols")
        .protocols();
  }

  /**
   * The drive's certificate (00h/0001h), as the drive presents it. Whether the licensing authority
   * signed it is for the caller to check with the authority's public key.
   */
  public Certificate certificate() {
    return in(
            SecurityProtocols.INFORMATION,
            SecurityProtocols.CERTIFICATE_DATA,
            SMALL_ALLOCATION,
            CertificateData::decode,
            "certificate data")
        .certificate();
  }

  // ---------------------------------------------------------------- protocol F0h, IN

  /** CHALLENGE: a fresh single-use 32-byte nonce for a PROVISION. */
  public byte[] challenge() {
    return secdriveIn(Operation.CHALLENGE, SMALL_ALLOCATION, Challenge::decode, "challenge")
        .nonce();
  }

  /** LICENSE STATUS: the license version and the records of the loaded medium. */
  public LicenseStatus status() {
    return secdriveIn(
        Operation.LICENSE_STATUS, STATUS_ALLOCATION, LicenseStatus::decode, "license status");
  }

  /**
   * BACKUP DATA: the encoded blob the last BACKUP to the host or RESEAL on this connection made.
   *
   * @throws ScsiException 05/6F/02 (reason NOTHING_PENDING) if there is none
   */
  public byte[] backupData() {
    return secdriveIn(
            Operation.BACKUP_DATA, BACKUP_DATA_ALLOCATION, BackupData::decode, "backup data")
        .blob();
  }

  /**
   * CLIENT STATUS (seed 002): whether the drive is a registered client, and the licenses with their
   * conditions as they stand, the certificates it holds and how many serials it has used. No medium
   * is needed.
   */
  public ClientStatus clientStatus() {
    return secdriveIn(
        Operation.CLIENT_STATUS, STATUS_ALLOCATION, ClientStatus::decode, "client status");
  }

  /**
   * REGISTRATION PROOF (seed 002): the registration proof the last {@link #proveRegistration} on
   * this connection made, signed by the drive's certified device key.
   *
   * @throws ScsiException 05/6F/02 (reason NOTHING_PENDING) if there is none
   */
  public RegistrationProof registrationProof() {
    return secdriveIn(
        Operation.REGISTRATION_PROOF,
        SMALL_ALLOCATION,
        RegistrationProof::fromDataIn,
        "registration proof");
  }

  /**
   * TRACK RECORD (seed 004): the encoded track record the last {@link #registerTrack} on this
   * connection made, for the host's table file.
   *
   * @throws ScsiException 05/6F/02 (reason NO_TRACK_RECORD) if there is none
   */
  public byte[] trackRecord() {
    return secdriveIn(
            Operation.TRACK_RECORD,
            TrackRecord.MAXIMUM_LENGTH + 4,
            TrackRecordData::decode,
            "track record")
        .record();
  }

  // ---------------------------------------------------------------- protocol F0h, OUT

  /**
   * REGISTER TRACK (seed 004, FIG. 2 S7-S9): the drive draws a random value, reads the sectors it
   * designates and the track's ISRC from the disc, and MACs a track record; read it with {@link
   * #trackRecord} on the same connection.
   */
  public void registerTrack(RegisterTrack request) {
    out(Operation.REGISTER_TRACK, request.encode());
  }

  /**
   * VERIFY TRACK (seed 004, FIG. 2 S10-S12): the drive checks a record of the table against the
   * loaded disc and {@code track}, the track about to be ripped, and re-reads the sectors it
   * designates.
   *
   * @throws ScsiException with reason RECORD_ALTERED, OTHER_DRIVE, OTHER_TRACK, CONTENT_DIFFERS or
   *     NOT_AUDIO when it does not hold
   */
  public void verifyTrack(int track, TrackRecord record) {
    out(Operation.VERIFY_TRACK, new VerifyTrack(track, record).encode());
  }

  /** PROVISION: installs a license the licensor signed (FIG. 5 S9-S10). */
  public void provision(ProvisionRequest request) {
    out(Operation.PROVISION, request.encode());
  }

  /**
   * OPEN PLAYBACK: the drive checks the title header at {@code headerLba}, consumes a play, and
   * from then on returns the title's data blocks as plaintext on this connection (FIG. 6).
   */
  public void openPlayback(String contentId, long headerLba) {
    out(Operation.OPEN_PLAYBACK, new OpenPlayback(contentId, headerLba).encode());
  }

  /** CLOSE PLAYBACK: READs of the title return what the medium holds again. */
  public void closePlayback() {
    out(Operation.CLOSE_PLAYBACK, new byte[0]);
  }

  // ---------------------------------------------------------------- the content move (seed 002)

  /**
   * PROVE REGISTRATION (before S11): the drive signs a registration proof for the user and
   * distributor of {@code request} and its challenge, to be read with {@link #registrationProof()}
   * on this connection. No medium is needed; nothing is written.
   *
   * @throws ScsiException with reason CERTIFICATE (not a distributor of the drive's authority) or
   *     ALREADY_REGISTERED
   */
  public void proveRegistration(ProofRequest request) {
    out(Operation.PROVE_REGISTRATION, request.encode());
  }

  /**
   * REGISTER CLIENT (S4): hands the drive its service data (an encoded SDSV sealed to it). No
   * medium is needed.
   *
   * @throws ScsiException with reason CERTIFICATE, SIGNATURE, OTHER_DRIVE, ALREADY_REGISTERED or
   *     INTEGRITY
   */
  public void registerClient(byte[] serviceData) {
    out(Operation.REGISTER_CLIENT, serviceData);
  }

  /**
   * INSTALL LICENSE (S65, S97): installs an encoded SDLI, or updates the license of its license ID.
   * No medium is needed.
   */
  public void installLicense(byte[] license) {
    out(Operation.INSTALL_LICENSE, license);
  }

  /** STORE CERTIFICATE (S115): the drive holds an encoded SDCC for a later MOVE OUT. */
  public void storeCertificate(byte[] certificate) {
    out(Operation.STORE_CERTIFICATE, certificate);
  }

  /**
   * MOVE OUT (S151-S153): the drive writes the move record of the held certificate {@code serial}
   * after the package at {@code packageLba} of the loaded medium and gives the certificate up. It
   * spends the removable copy first and marks the certificate moving out (CLIENT STATUS, {@code
   * HeldCertificate.movingOut()}); if the move stops after that, call this again with the same LBA:
   * it finishes without spending again.
   */
  public void moveOut(byte[] serial, long packageLba) {
    out(Operation.MOVE_OUT, new MoveOut(serial, packageLba).encode());
  }

  /**
   * MOVE IN (S161-S173): the drive checks the move record after the package at {@code packageLba}
   * and installs the license it carries.
   */
  public void moveIn(long packageLba) {
    out(Operation.MOVE_IN, new PackageLocation(packageLba).encode());
  }

  /**
   * OPEN CONTENT (S41-S49): the drive opens the package at {@code packageLba} under a license it
   * holds, spends a play of a limited one, and from then on returns the package's data blocks as
   * plaintext on this connection until {@link #closePlayback()}.
   */
  public void openContent(long packageLba) {
    out(Operation.OPEN_CONTENT, new PackageLocation(packageLba).encode());
  }

  /** BACKUP with any parameter list; see the typed forms below. */
  public void backup(BackupRequest request) {
    out(Operation.BACKUP, request.encode());
  }

  /**
   * BACKUP to the host, then BACKUP DATA: the blob bound as {@code binding} (FIG. 7, 11; [0091]).
   */
  public byte[] backupToHost(Binding binding) {
    backup(BackupRequest.toHost(binding));
    return backupData();
  }

  /** BACKUP to the user area: the drive writes the blob itself from {@code lba} (FIG. 7 S33). */
  public void backupToUserArea(Binding binding, long lba) {
    backup(BackupRequest.toUserArea(binding, lba));
  }

  /**
   * BACKUP sealed to a second drive's certificate, then BACKUP DATA (FIG. 14 S71-S73): only the
   * drive holding {@code recipient}'s private key can take the outer layer off.
   */
  public byte[] backupSealed(Certificate recipient) {
    backup(BackupRequest.sealedToHost(recipient));
    return backupData();
  }

  /** RESTORE from a blob sent in the parameter list (FIG. 9, 12, 15 S83-S85). */
  public void restore(byte[] blob) {
    out(Operation.RESTORE, RestoreRequest.inline(blob).encode());
  }

  /** RESTORE from a blob the drive reads from its user area at {@code lba}. */
  public void restoreFromUserArea(long lba) {
    out(Operation.RESTORE, RestoreRequest.fromUserArea(lba).encode());
  }

  /**
   * RESEAL then BACKUP DATA: this drive, which {@code blob} is sealed to, seals it again to {@code
   * recipient} (FIG. 15 S81-S82).
   */
  public byte[] reseal(byte[] blob, Certificate recipient) {
    out(
        Operation.RESEAL,
        new ResealRequest(BlobSource.INLINE, 0, blob, recipient.encode()).encode());
    return backupData();
  }

  /** As {@link #reseal(byte[], Certificate)}, with the blob read from this drive's user area. */
  public byte[] resealFromUserArea(long lba, Certificate recipient) {
    out(
        Operation.RESEAL,
        new ResealRequest(BlobSource.USER_AREA, lba, new byte[0], recipient.encode()).encode());
    return backupData();
  }

  /**
   * INSTALL CONVERSION (PROTOCOL.md "Scheme 2", FIG. 9): the drive checks the central site's grant,
   * records the title's license under Ku, writes its header at the header LBA and opens a
   * conversion on this connection.
   */
  public void installConversion(InstallConversion request) {
    out(Operation.INSTALL_CONVERSION, request.encode());
  }

  /**
   * INSTALL COPY (PROTOCOL.md "Scheme 1", FIG. 4-6): the drive checks the copy certificate, opens
   * the title key sealed to it, checks the ciphertext already copied after the header LBA against
   * the master's digest, records the title's license and writes its header.
   */
  public void installCopy(InstallCopy request) {
    out(Operation.INSTALL_COPY, request.encode());
  }

  /**
   * CHECK INSTALL (PROTOCOL.md "Checking a target before the site bills"): returns if an install of
   * {@code titleId} from the central site of {@code centerCertificate} would pass the drive's
   * checks of the loaded medium; writes nothing.
   *
   * @throws ScsiException with the refusal the install would meet
   */
  public void checkInstall(String titleId, Certificate centerCertificate) {
    out(Operation.CHECK_INSTALL, new CheckInstall(titleId, centerCertificate.encode()).encode());
  }

  /**
   * CONVERT WRITE of master ciphertext at {@code byteOffset} in the title: the drive re-encrypts it
   * from Ka to Ku and writes it after the header. {@code data} (whole blocks) is sent behind the
   * 8-byte header without being copied; the transport takes ownership of it.
   */
  public CompletableFuture<Void> convertWriteAsync(long byteOffset, ByteBuf data) {
    ByteBuf parameters =
        Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(ConvertWrite.header(byteOffset)), data);
    return drive.send(
        new SecurityProtocolOut(
            SecurityProtocols.SECDRIVE, Operation.CONVERT_WRITE.code(), parameters.readableBytes()),
        parameters);
  }

  // ---------------------------------------------------------------- plumbing

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] bytes) throws ParameterException;
  }

  private <T> T secdriveIn(Operation op, int allocation, Decoder<T> decoder, String what) {
    return in(SecurityProtocols.SECDRIVE, op.code(), allocation, decoder, what);
  }

  /**
   * SECURITY PROTOCOL IN; if the answer announces more than {@code allocation} bytes, asks once
   * more for all of them.
   */
  private <T> T in(int protocol, int specific, int allocation, Decoder<T> decoder, String what) {
    byte[] data = drive.await(inRaw(protocol, specific, allocation));
    long required = requiredLength(protocol, specific, data);
    if (required > data.length && data.length >= allocation) {
      if (required > Drive.MAXIMUM_TRANSFER_BYTES) {
        throw new DriveException(
            "the drive announces " + required + " bytes of " + what + ", more than a transfer");
      }
      data = drive.await(inRaw(protocol, specific, (int) required));
    }
    try {
      return decoder.decode(data);
    } catch (ParameterException e) {
      SecurityProtocolIn cdb = new SecurityProtocolIn(protocol, specific, allocation);
      throw new DriveException(
          "the drive sent unreadable "
              + what
              + " for "
              + cdb.describe()
              + ": "
              + e.getMessage()
              + " (at byte "
              + e.offset()
              + ")",
          e);
    }
  }

  private CompletableFuture<byte[]> inRaw(int protocol, int specific, int allocation) {
    return drive.execute(
        new SecurityProtocolIn(protocol, specific, allocation), allocation, bytes -> bytes);
  }

  /** The length the data-in says it has: F0h's AVAILABLE LENGTH, or 00h's list lengths. */
  private static long requiredLength(int protocol, int specific, byte[] data) {
    if (protocol == SecurityProtocols.SECDRIVE) {
      return BackupData.requiredLength(data);
    }
    if (specific == SecurityProtocols.SUPPORTED_PROTOCOLS) {
      // SPC-4 7.7.1.3: bytes 6-7 hold the list length after the 8-byte header
      return data.length >= 8 ? 8 + u16(data, 6) : -1;
    }
    // SPC-4 7.7.1.4: bytes 2-3 hold the certificate length after the 4-byte header
    return data.length >= 4 ? 4 + u16(data, 2) : -1;
  }

  private static int u16(byte[] data, int offset) {
    return (data[offset] & 0xFF) << 8 | (data[offset + 1] & 0xFF);
  }

  private void out(Operation op, byte[] parameterList) {
    drive.await(
        drive.send(
            new SecurityProtocolOut(SecurityProtocols.SECDRIVE, op.code(), parameterList.length),
            parameterList));
  }
}
