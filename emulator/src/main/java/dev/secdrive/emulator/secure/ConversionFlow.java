package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.ConvertWrite;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target drive's side of the converted software copy (PROTOCOL.md "Scheme 2", FIG. 9): the
 * central site issues a grant that seals the conversion keys Ku and Ka to this drive for one title
 * and one medium; INSTALL CONVERSION opens it and licenses the title under Ku, and CONVERT WRITE
 * re-encrypts the master's ciphertext from Ka to Ku inside the drive, so that the plaintext never
 * reaches the host.
 */
final class ConversionFlow {

  /**
   * Named steps of INSTALL CONVERSION and of the CONVERT WRITE that completes the title: the
   * license commit, the header block cleared, the converted data synced, the header written.
   */
  static final List<String> STEPS = steps();

  private static final Logger log = LoggerFactory.getLogger(ConversionFlow.class);

  private final SecureStore store;
  private final UserArea userArea;
  private final WriteSteps faults;

  ConversionFlow(SecureStore store, UserArea userArea, WriteSteps faults) {
    this.store = store;
    this.userArea = userArea;
    this.faults = faults;
  }

  private static List<String> steps() {
    List<String> out = new ArrayList<>(SecureStore.commitSteps("conversion"));
    // INSTALL CONVERSION ends by clearing the header block; the CONVERT WRITE that completes the
    // title syncs its data, then writes the header.
    out.add("conversion:header-cleared");
    out.add("conversion:data-synced");
    out.add("conversion:header-written");
    return List.copyOf(out);
  }

  /**
   * INSTALL CONVERSION (PROTOCOL.md "Scheme 2", FIG. 9). Refusals in this order: framing of the
   * list and of the grant (05/26/00 with the field pointer; a grant or centre certificate of
   * another format version 0Bh); write protection (07/27/00); the centre certificate (01h); the
   * grant's signature (02h); another medium (04h); another drive (06h); the sealed keys (05h); a
   * title that does not fit the medium (05/21/00); a license for the title from another licensor
   * (0Dh). Nothing is written before all of them pass.
   */
  void install(SecureLayer.Session session, Medium medium, byte[] parameters)
      throws CheckCondition {
    // A new INSTALL CONVERSION ends the previous one, whether or not it succeeds.
    session.conversion = null;
    InstallConversion request = ParameterLists.decode(() -> InstallConversion.decode(parameters));
    ConversionGrant grant =
        ParameterLists.decodeAt(
            InstallConversion.GRANT_OFFSET, () -> ConversionGrant.decode(request.grant()));
    UserArea.requireWritable(medium);
    DriveKeys keys = store.keys();
    Certificate center =
        SiteDocuments.verify(
            keys,
            medium,
            "conversion grant",
            grant.centerCertificate(),
            InstallConversion.GRANT_OFFSET + grant.centerCertificateOffset(),
            grant.signedBytes(),
            grant.signature(),
            grant.mediumId(),
            grant.deviceId());
    byte[] keyPair = openKeys(keys, grant);
    byte[] ku = Arrays.copyOfRange(keyPair, 0, Crypto.KEY_LENGTH);
    byte[] ka = Arrays.copyOfRange(keyPair, Crypto.KEY_LENGTH, 2 * Crypto.KEY_LENGTH);
    Arrays.fill(keyPair, (byte) 0);
    long headerLba = request.headerLba();
    int blockSize = medium.blockSize();
    long dataBlocks = (request.plaintextLength() + blockSize - 1) / blockSize;
    if (dataBlocks > Integer.MAX_VALUE) {
      // The conversion keeps one bit per data block: a title of 2^31 blocks and more is refused,
      // on the plaintext length (after the grant and the header LBA).
      throw ParameterLists.invalidParameter(request.plaintextLengthOffset());
    }
    if (headerLba >= medium.blockCount() || dataBlocks > medium.blockCount() - headerLba - 1) {
      throw UserArea.lbaOutOfRange();
    }
    // The header block is cleared after the license is committed: a block that cannot be written
    // refuses the INSTALL before anything is.
    userArea.check(medium, headerLba, 1);
    SecureStore.Area current = store.read(medium);
    ProvisionFlow.requireSameLicensor(current.state(), grant.titleId(), center);
    LicenseState state =
        store.withLicense(medium, current, grant.titleId(), center, ku, ProvisionRequest.UNLIMITED);
    store.commit("conversion", medium, state);
    byte[] nonce = Bytes.random(TitleHeader.NONCE_LENGTH);
    TitleHeader unchecked =
        TitleHeader.unchecked(grant.titleId(), nonce, request.plaintextLength());
    TitleHeader header = unchecked.withCheck(PlaybackFlow.titleCheck(ku, unchecked));
    // The header goes on the medium only when every data block has been converted: a copy cut
    // short (a broken stream, a host that died, a pulled plug) leaves no header, so nothing plays
    // half a title. Clearing the block also removes the header of an earlier copy at this LBA.
    writeHeaderBlock(medium, headerLba, new byte[blockSize]);
    faults.reached("conversion:header-cleared");
    OpenConversion conversion =
        new OpenConversion(
            medium, grant.titleId(), headerLba, dataBlocks, request.masterNonce(), header, ka, ku);
    session.conversion = conversion;
    log.info(
        "drive {}: conversion of {} onto medium {} at LBA {} ({} bytes), license version {}",
        keys.deviceId(),
        grant.titleId(),
        medium.id(),
        headerLba,
        request.plaintextLength(),
        state.version());
    if (dataBlocks == 0) {
      complete(session, conversion);
    }
  }

  /** Ku ‖ Ka, sealed to this drive's certified X25519 key: only the named drive opens them. */
  private static byte[] openKeys(DriveKeys keys, ConversionGrant grant) throws CheckCondition {
    byte[] keyPair;
    try {
      keyPair =
          keys.openSealed(
              KeyLabels.CONVERSION,
              grant.ephemeralPublicKey(),
              ConversionGrant.aad(grant.titleId(), grant.mediumId(), grant.deviceId()),
              grant.sealedKeys());
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "sealed conversion keys: " + e.getMessage());
    }
    if (keyPair.length != 2 * Crypto.KEY_LENGTH) {
      throw CheckCondition.refused(
          Reason.INTEGRITY, "the sealed conversion keys are not Ku and Ka");
    }
    return keyPair;
  }

  /**
   * CONVERT WRITE (PROTOCOL.md "Scheme 2", FIG. 9 S16-S17): converts the master ciphertext blocks
   * of the data-out in place, from Ka to Ku, and says where the firmware is to write them; the
   * plaintext never leaves the drive. Refusals in this order: a list shorter than the offset, an
   * offset that is not a multiple of the block size (field pointer 0) or data that is not whole
   * blocks (field pointer on the first byte of the partial block), all 05/26/00; write protection
   * (07/27/00); no conversion open on this nexus, or one for a medium since removed (0Ah); blocks a
   * secure area the drive must not use (07h, 0Eh: {@link SecureStore#read}); blocks beyond the
   * title's data blocks (05/21/00, as a WRITE past the end of the medium).
   *
   * <p>The data-out buffer is consumed: it holds target ciphertext afterwards.
   */
  SecureLayer.BlockWrite convertWrite(
      SecureLayer.Session session, Medium medium, ByteBuffer dataOut) throws CheckCondition {
    long offset = ParameterLists.decode(() -> ConvertWrite.offset(dataOut));
    int blockSize = medium.blockSize();
    if (offset % blockSize != 0) {
      throw ParameterLists.invalidParameter(0);
    }
    int length = dataOut.remaining() - ConvertWrite.HEADER_LENGTH;
    if (length % blockSize != 0) {
      throw ParameterLists.invalidParameter(
          ConvertWrite.HEADER_LENGTH + length - length % blockSize);
    }
    UserArea.requireWritable(medium);
    OpenConversion conversion = session.conversion;
    if (conversion != null && conversion.medium != medium) {
      session.conversion = null; // a medium change ends the conversion
      conversion = null;
    }
    if (conversion == null) {
      throw CheckCondition.refused(
          Reason.NOTHING_PENDING, "CONVERT WRITE without a conversion on this nexus");
    }
    // Each CONVERT WRITE uses the license INSTALL CONVERSION committed: not under a secure area
    // the drive must not trust (SecureStore#read), such as an older one put back since.
    store.read(medium);
    long block = offset / blockSize;
    long blocks = length / blockSize;
    if (block > conversion.dataBlocks || blocks > conversion.dataBlocks - block) {
      throw UserArea.lbaOutOfRange();
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
    return new SecureLayer.BlockWrite(conversion.first + block, (int) blocks, data.slice());
  }

  /**
   * Records that the firmware wrote {@code blocks} converted blocks at {@code lba}; the write that
   * completes the title syncs the data, writes the title header and ends the conversion
   * (PROTOCOL.md "Scheme 2").
   */
  void converted(SecureLayer.Session session, long lba, int blocks) throws CheckCondition {
    OpenConversion conversion = session.conversion;
    if (conversion == null || blocks == 0) {
      return;
    }
    int from = (int) (lba - conversion.first);
    conversion.written.set(from, from + blocks);
    if (conversion.written.cardinality() == conversion.dataBlocks) {
      complete(session, conversion);
    }
  }

  private void complete(SecureLayer.Session session, OpenConversion conversion)
      throws CheckCondition {
    Medium medium = conversion.medium;
    try {
      medium.force();
    } catch (IOException e) {
      log.error("drive {}: syncing a converted title failed", store.keys().deviceId(), e);
      throw CheckCondition.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR);
    }
    faults.reached("conversion:data-synced");
    writeHeaderBlock(medium, conversion.headerLba, conversion.header.encode(medium.blockSize()));
    faults.reached("conversion:header-written");
    session.conversion = null;
    log.info(
        "drive {}: conversion of {} onto medium {} complete",
        store.keys().deviceId(),
        conversion.titleId,
        medium.id());
  }

  /** The title header block, written as a WRITE is: injected write faults apply to it too. */
  private void writeHeaderBlock(Medium medium, long lba, byte[] block) throws CheckCondition {
    userArea.check(medium, lba, 1);
    userArea.write(medium, lba, ByteBuffer.wrap(block));
  }
}
