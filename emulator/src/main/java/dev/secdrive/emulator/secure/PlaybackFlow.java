package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Playback (PROTOCOL.md "Titles", FIG. 6 S21-S23): OPEN PLAYBACK unwraps a license's content key
 * inside the drive, checks it against the title header, spends a play of a limited license, and
 * opens the title on the nexus; READs of the title are then decrypted in the drive, and neither the
 * key nor the medium key ever reaches the host.
 */
final class PlaybackFlow {

  private final SecureStore store;
  private final UserArea userArea;

  PlaybackFlow(SecureStore store, UserArea userArea) {
    this.store = store;
    this.userArea = userArea;
  }

  /**
   * OPEN PLAYBACK. A new one closes the title open on the nexus first, whether or not it succeeds.
   * Refusals in this order: framing (05/26/00); no license (08h); no plays left (09h); a key that
   * does not unwrap (05h); a header LBA beyond the medium (05/21/00); no title header there (05h);
   * a title of another content or key (0Ch); a title beyond the medium (05/21/00); write
   * protection, for a limited license whose play must be recorded (07/27/00).
   */
  void open(SecureLayer.Session session, Medium medium, byte[] parameters) throws CheckCondition {
    OpenPlayback request = ParameterLists.decode(() -> OpenPlayback.decode(parameters));
    session.playback = null;
    SecureStore.Area current = store.read(medium);
    if (!current.readable()) {
      throw CheckCondition.refused(Reason.NO_LICENSE, "the secure area holds no license");
    }
    LicenseState.License license =
        current
            .state()
            .find(request.contentId())
            .orElseThrow(() -> CheckCondition.refused(Reason.NO_LICENSE, request.contentId()));
    if (!license.unlimited() && license.playsLeft() == 0) {
      throw CheckCondition.refused(Reason.EXHAUSTED, request.contentId());
    }
    byte[] contentKey;
    try {
      contentKey = store.unwrapContentKey(medium, license.wrappedKey());
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the wrapped content key does not unwrap");
    }
    long headerLba = request.headerLba();
    if (headerLba >= medium.blockCount()) {
      throw UserArea.lbaOutOfRange();
    }
    byte[] block = new byte[medium.blockSize()];
    userArea.read(medium, headerLba, ByteBuffer.wrap(block));
    TitleHeader header;
    try {
      header = TitleHeader.decode(block);
    } catch (ParameterException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "no title header at LBA " + headerLba);
    }
    if (!header.contentId().equals(request.contentId())
        || !MessageDigest.isEqual(titleCheck(contentKey, header), header.check())) {
      throw CheckCondition.refused(Reason.WRONG_KEY, "title at LBA " + headerLba);
    }
    long first = headerLba + 1;
    long blocks = header.dataBlocks(medium.blockSize());
    if (blocks > medium.blockCount() - first) {
      throw UserArea.lbaOutOfRange();
    }
    if (!license.unlimited()) {
      UserArea.requireWritable(medium);
      LicenseState state =
          current
              .state()
              .with(
                  license.withPlaysLeft(license.playsLeft() - 1),
                  store.nextVersion(medium, current.state()));
      store.commit("playback", medium, state);
    }
    session.playback = new OpenTitle(medium, first, first + blocks, header.nonce(), contentKey);
  }

  /**
   * Decrypts in place the blocks of a READ that fall inside the title open on {@code session}, if
   * any. {@code buffer}'s bytes {@code [offset, offset + blocks * blockSize)} hold blocks {@code
   * lba..}.
   */
  static void decryptRead(
      SecureLayer.Session session,
      Medium medium,
      long lba,
      long blocks,
      ByteBuffer buffer,
      int offset) {
    OpenTitle title = session.playback;
    if (title == null) {
      return;
    }
    if (title.medium != medium) {
      session.playback = null; // a medium change closes playback
      return;
    }
    title.decrypt(lba, blocks, buffer, offset);
  }

  /** PROTOCOL.md "Titles": HMAC-SHA256(KDF(Kc, "title-check", ""), header bytes), 16 bytes. */
  static byte[] titleCheck(byte[] contentKey, TitleHeader header) {
    byte[] checkKey = Crypto.kdf(contentKey, KeyLabels.TITLE_CHECK, new byte[0]);
    return Arrays.copyOf(Hmac.sha256(checkKey, header.checkedBytes()), TitleHeader.CHECK_LENGTH);
  }
}
