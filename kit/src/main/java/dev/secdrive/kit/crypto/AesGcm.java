package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag from the JCA. The ciphertext is
 * always followed by its tag. {@link #sealWithNonce} and {@link #openWithNonce} carry a fresh
 * random nonce in front of the ciphertext, for keys that seal more than once.
 */
public final class AesGcm {

  public static final int NONCE_LENGTH = 12;
  public static final int TAG_LENGTH = 16;

  /** What {@link #sealWithNonce} adds to the plaintext: nonce ‖ ciphertext ‖ tag. */
  public static final int NONCE_AND_TAG_LENGTH = NONCE_LENGTH + TAG_LENGTH;

  private AesGcm() {}

  /** The ciphertext of {@code plaintext} followed by the tag over it and {@code aad}. */
  public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      return cipher(Cipher.ENCRYPT_MODE, key, nonce, aad).doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM refused its input: " + e.getMessage(), e);
    }
  }

  /**
   * The plaintext of {@code ciphertext} (with its tag).
   *
   * @throws AuthenticationException if the key, nonce or AAD do not authenticate it
   */
  public static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws AuthenticationException {
    if (ciphertext.length < TAG_LENGTH) {
      throw new AuthenticationException("ciphertext shorter than its tag");
    }
    try {
      return cipher(Cipher.DECRYPT_MODE, key, nonce, aad).doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new AuthenticationException("AES-GCM tag does not verify");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM refused its input: " + e.getMessage(), e);
    }
  }

  /** A fresh random nonce ‖ ciphertext ‖ tag. */
  public static byte[] sealWithNonce(byte[] key, byte[] aad, byte[] plaintext) {
    byte[] nonce = Bytes.random(NONCE_LENGTH);
    return Bytes.concat(nonce, seal(key, nonce, aad, plaintext));
  }

  /** Opens what {@link #sealWithNonce} sealed. */
  public static byte[] openWithNonce(byte[] key, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    if (sealed.length < NONCE_AND_TAG_LENGTH) {
      throw new AuthenticationException("sealed bytes shorter than nonce and tag");
    }
    return open(
        key,
        Arrays.copyOf(sealed, NONCE_LENGTH),
        aad,
        Arrays.copyOfRange(sealed, NONCE_LENGTH, sealed.length));
  }

  private static Cipher cipher(int mode, byte[] key, byte[] nonce, byte[] aad)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
    cipher.updateAAD(aad);
    return cipher;
  }
}
