package dev.secdrive.host.flow;

import dev.secdrive.kit.crypto.AesCtr;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.TitleHeader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * Titles as PROTOCOL.md "Titles" lays them out: a header whose check binds it to the content key,
 * and data encrypted with AES-256-CTR, counter block nonce ‖ u64 (byte offset / 16).
 */
final class Titles {

  private Titles() {}

  /** The header for {@code contentId}, its check computed under {@code contentKey}. */
  static TitleHeader header(byte[] contentKey, String contentId, byte[] nonce, long length) {
    TitleHeader unchecked = TitleHeader.unchecked(contentId, nonce, length);
    byte[] checkKey = Crypto.kdf(contentKey, KeyLabels.TITLE_CHECK, new byte[0]);
    byte[] mac = Hmac.sha256(checkKey, unchecked.checkedBytes());
    return unchecked.withCheck(Arrays.copyOf(mac, TitleHeader.CHECK_LENGTH));
  }

  /**
   * A CTR cipher for the data from {@code byteOffset} (a multiple of 16) on; feeding it the rest of
   * the data in any pieces gives the same bytes as one encryption of the whole.
   */
  static Cipher cipher(byte[] contentKey, byte[] nonce, long byteOffset) {
    return AesCtr.cipher(contentKey, TitleHeader.counterBlock(nonce, byteOffset));
  }

  /**
   * The keyed digest of a title's plaintext that the master's catalog carries (PROTOCOL.md "Master
   * catalog"): HMAC-SHA256 under KDF(title key, "title-digest", ""), fed the plaintext in any
   * pieces.
   */
  static Mac digest(byte[] titleKey) {
    return Hmac.sha256(Crypto.kdf(titleKey, KeyLabels.TITLE_DIGEST, new byte[0]));
  }

  /** A SHA-256 digest, which every JDK has. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
