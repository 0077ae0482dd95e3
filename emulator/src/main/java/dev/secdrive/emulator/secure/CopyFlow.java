package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AesCtr;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CheckInstall;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target drive's side of the certificate copy (PROTOCOL.md "Scheme 1", FIG. 4-6) and the check
 * a terminal makes of a target before the central site bills a copy of either scheme.
 *
 * <p>INSTALL COPY: the central site seals the title key Kd to this drive's certified X25519 key
 * inside the copy certificate CS, for one title, one medium and this drive. The terminal has copied
 * the master's ciphertext verbatim after the header LBA; the drive opens Kd, checks the copied data
 * against the master's keyed digest, licenses the title under Kd on the medium and writes the title
 * header, so the copy plays through OPEN PLAYBACK like any licensed title. Kd never leaves the
 * drive, and the license it records opens only the copy on this medium.
 *
 * <p>CHECK INSTALL: answers the refusal the install of a title from a given central site would meet
 * on the loaded medium, writing nothing.
 */
final class CopyFlow {

  /** Named steps of INSTALL COPY: the license commit, then the title header on the medium. */
  static final List<String> STEPS = steps();

  /** Blocks the digest check reads at once. */
  private static final int CHECK_BLOCKS = 256;

  private static final Logger log = LoggerFactory.getLogger(CopyFlow.class);

  private final SecureStore store;
  private final UserArea userArea;
  private final WriteSteps faults;

  CopyFlow(SecureStore store, UserArea userArea, WriteSteps faults) {
    this.store = store;
    this.userArea = userArea;
    this.faults = faults;
  }

  private static List<String> steps() {
    List<String> out = new ArrayList<>(SecureStore.commitSteps("copy"));
    out.add("copy:header-written");
    return List.copyOf(out);
  }

  /**
   * INSTALL COPY (PROTOCOL.md "Scheme 1"). Refusals in this order: framing of the list and of CS
   * (05/26/00 with the field pointer; a CS or centre certificate of another format version 0Bh);
   * write protection (07/27/00); the centre certificate (01h); the signature of CS (02h); another
   * medium (04h); another drive (06h); the sealed Kd (05h); a title that does not fit the medium
   * (05/21/00); a license for the title from another licensor (0Dh); a secure area with no room for
   * it (05/26/00); copied data that does not match the master's digest (05h). Nothing is written
   * before all of them pass.
   */
  void install(Medium medium, byte[] parameters) throws CheckCondition {
    InstallCopy request = ParameterLists.decode(() -> InstallCopy.decode(parameters));
    CopyCertificate cs =
        ParameterLists.decodeAt(
            InstallCopy.CERTIFICATE_OFFSET,
            () -> CopyCertificate.decode(request.copyCertificate()));
    UserArea.requireWritable(medium);
    DriveKeys keys = store.keys();
    Certificate center =
        SiteDocuments.verify(
            keys,
            medium,
            "copy certificate",
            cs.centerCertificate(),
            InstallCopy.CERTIFICATE_OFFSET + cs.centerCertificateOffset(),
            cs.signedBytes(),
            cs.signature(),
            cs.mediumId(),
            cs.deviceId());
    byte[] kd = openKey(keys, cs);
    long headerLba = request.headerLba();
    int blockSize = medium.blockSize();
    long dataBlocks = (request.plaintextLength() + blockSize - 1) / blockSize;
    if (headerLba >= medium.blockCount() || dataBlocks > medium.blockCount() - headerLba - 1) {
      throw UserArea.lbaOutOfRange();
    }
    // The header block is written after the license is committed: a block that cannot be written
    // refuses the INSTALL before anything is.
    userArea.check(medium, headerLba, 1);
    SecureStore.Area current = store.read(medium);
    ProvisionFlow.requireSameLicensor(current.state(), cs.titleId(), center);
    LicenseState state =
        store.withLicense(medium, current, cs.titleId(), center, kd, ProvisionRequest.UNLIMITED);
    // A copy that broke off (the terminal died during S7) or was damaged is never licensed: the
    // header that makes it playable is written only over data the master's digest vouches for.
    requireDigest(medium, headerLba + 1, dataBlocks, request, kd);
    store.commit("copy", medium, state);
    TitleHeader unchecked =
        TitleHeader.unchecked(cs.titleId(), request.nonce(), request.plaintextLength());
    TitleHeader header = unchecked.withCheck(PlaybackFlow.titleCheck(kd, unchecked));
    Arrays.fill(kd, (byte) 0);
    userArea.write(medium, headerLba, ByteBuffer.wrap(header.encode(blockSize)));
    faults.reached("copy:header-written");
    log.info(
        "drive {}: installed copy {} of {} onto medium {} at LBA {} ({} bytes), license version {}",
        keys.deviceId(),
        cs.serial(),
        cs.titleId(),
        medium.id(),
        headerLba,
        request.plaintextLength(),
        state.version());
  }

  /** Kd, sealed to this drive's certified X25519 key: only the named drive opens it. */
  private static byte[] openKey(DriveKeys keys, CopyCertificate cs) throws CheckCondition {
    byte[] kd;
    try {
      kd =
          keys.openSealed(
              KeyLabels.COPY,
              cs.ephemeralPublicKey(),
              CopyCertificate.aad(cs.titleId(), cs.mediumId(), cs.deviceId()),
              cs.sealedKey());
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "sealed title key: " + e.getMessage());
    }
    if (kd.length != Crypto.KEY_LENGTH) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the sealed title key is not 32 bytes");
    }
    return kd;
  }

  /**
   * The master's digest of the plaintext (PROTOCOL.md "Master catalog"): HMAC-SHA256 under KDF(Kd,
   * "title-digest", "") of the data blocks at {@code first}, decrypted under Kd with the nonce.
   */
  private void requireDigest(Medium medium, long first, long blocks, InstallCopy request, byte[] kd)
      throws CheckCondition {
    Mac digest = Hmac.sha256(Crypto.kdf(kd, KeyLabels.TITLE_DIGEST, new byte[0]));
    Cipher cipher = AesCtr.cipher(kd, TitleHeader.counterBlock(request.nonce(), 0));
    int blockSize = medium.blockSize();
    ByteBuffer buffer = ByteBuffer.allocate(CHECK_BLOCKS * blockSize);
    long left = request.plaintextLength();
    for (long done = 0; done < blocks; ) {
      int count = (int) Math.min(CHECK_BLOCKS, blocks - done);
      buffer.clear().limit(count * blockSize);
      userArea.read(medium, first + done, buffer);
      buffer.flip();
      try {
        cipher.update(buffer.duplicate(), buffer.duplicate());
      } catch (ShortBufferException e) {
        throw new IllegalStateException(e);
      }
      int keep = (int) Math.min(buffer.remaining(), left);
      digest.update(buffer.array(), 0, keep);
      left -= keep;
      done += count;
    }
    if (!MessageDigest.isEqual(digest.doFinal(), request.digest())) {
      throw CheckCondition.refused(
          Reason.INTEGRITY,
          "the data after LBA "
              + (first - 1)
              + " does not match the master's digest of "
              + request.plaintextLength()
              + " bytes (incomplete or damaged copy)");
    }
  }

  /**
   * CHECK INSTALL (PROTOCOL.md "Checking a target before the site bills"): the refusal an INSTALL
   * COPY or INSTALL CONVERSION of the title from that central site would meet on this medium, in
   * the same order, without writing anything: framing (05/26/00); write protection (07/27/00); the
   * centre certificate (01h); a secure area that cannot be read (03/11/00); a license for the title
   * from another licensor (0Dh); no room for one more license (05/26/00).
   */
  void check(Medium medium, byte[] parameters) throws CheckCondition {
    CheckInstall request = ParameterLists.decode(() -> CheckInstall.decode(parameters));
    UserArea.requireWritable(medium);
    Certificate center =
        ParameterLists.certified(
            store.keys(),
            request.centerCertificate(),
            request.centerCertificateOffset(),
            Certificate.Role.CENTRAL_SITE,
            "central site");
    SecureStore.Area current = store.read(medium);
    ProvisionFlow.requireSameLicensor(current.state(), request.titleId(), center);
    // A placeholder key of the length of every content key: the wrapped key's size is the same.
    store.withLicense(
        medium,
        current,
        request.titleId(),
        center,
        new byte[Crypto.KEY_LENGTH],
        ProvisionRequest.UNLIMITED);
  }
}
