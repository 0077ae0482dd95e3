package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.BitSet;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A conversion open on one I_T nexus (PROTOCOL.md "Scheme 2", FIG. 9): the master's key Ka and
 * nonce, the target medium's key Ku and the nonce of the title header to be written, the title's
 * data extent on the target, and one Cipher per key kept for the session, so that a CONVERT WRITE
 * costs two in-place AES-CTR passes and no Cipher lookups. Ka and Ku live only here and in the
 * secure area (Ku, wrapped); they never reach a response.
 */
final class OpenConversion {

  final Medium medium;
  final String titleId;
  final long headerLba;
  final TitleHeader header;
  final long first;
  final long dataBlocks;

  /** Data blocks written so far, by index in the title: the header waits for all of them. */
  final BitSet written;

  private final byte[] masterNonce;
  private final SecretKeySpec ka;
  private final SecretKeySpec ku;
  private final Cipher fromMaster;
  private final Cipher toTarget;

  OpenConversion(
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
