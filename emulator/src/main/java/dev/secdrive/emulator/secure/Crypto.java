package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.Sealing;

/**
 * The drive's use of the kit's primitives for secdrive's key hierarchy (PROTOCOL.md "Keys", "Backup
 * blobs"): the labelled KDF and the backup layer. The primitives themselves, X25519, Ed25519,
 * AES-GCM, AES-KWP and HMAC, are in {@code dev.secdrive.kit.crypto}.
 */
public final class Crypto {

  /** Every key of the hierarchy, and every KDF output, is 32 bytes. */
  public static final int KEY_LENGTH = 32;

  /** A layer: nonce ‖ ciphertext ‖ tag. */
  public static final int LAYER_OVERHEAD = AesGcm.NONCE_AND_TAG_LENGTH;

  private Crypto() {}

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info, 32 bytes. */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return Sealing.kdf(ikm, label, context);
  }

  /** A backup layer: a fresh random nonce ‖ AES-256-GCM ciphertext ‖ tag. */
  public static byte[] layerSeal(byte[] key, byte[] aad, byte[] plaintext) {
    return AesGcm.sealWithNonce(key, aad, plaintext);
  }

  public static byte[] layerOpen(byte[] key, byte[] aad, byte[] layer)
      throws AuthenticationException {
    return AesGcm.openWithNonce(key, aad, layer);
  }
}
