package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.security.TitleHeader;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A title open for playback on one I_T nexus (PROTOCOL.md "Titles"): its data extent, the CTR
 * nonce, and the content key in a Cipher kept for the session. READs of the extent are decrypted
 * inside the drive; the key never leaves it.
 */
final class OpenTitle {

  final Medium medium;
  final long first;
  final long end;
  private final byte[] nonce;
  private final SecretKeySpec key;
  private final Cipher cipher;

  OpenTitle(Medium medium, long first, long end, byte[] nonce, byte[] contentKey) {
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

  /**
   * Decrypts in place the blocks of a READ that fall inside the data extent. {@code buffer}'s bytes
   * {@code [offset, offset + blocks * blockSize)} hold blocks {@code lba..}.
   */
  void decrypt(long lba, long blocks, ByteBuffer buffer, int offset) {
    long from = Math.max(lba, first);
    long to = Math.min(lba + blocks, end);
    if (from >= to) {
      return;
    }
    int blockSize = medium.blockSize();
    ByteBuffer in = buffer.duplicate();
    in.limit(offset + (int) ((to - lba) * blockSize));
    in.position(offset + (int) ((from - lba) * blockSize));
    ByteBuffer out = in.duplicate();
    long byteOffset = (from - first) * blockSize;
    try {
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new IvParameterSpec(TitleHeader.counterBlock(nonce, byteOffset)));
      cipher.update(in, out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed", e);
    }
  }
}
