package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-CTR (NIST SP 800-38A) from the JCA, for streams that must be read at any offset. */
public final class AesCtr {

  private AesCtr() {}

  /**
   * An AES-CTR cipher positioned at the 16-byte {@code counterBlock}; encryption and decryption are
   * the same operation.
   */
  public static Cipher cipher(byte[] key, byte[] counterBlock) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counterBlock));
      return cipher;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR refused its key or counter: " + e.getMessage(), e);
    }
  }
}
