package dev.secdrive.center.crypto;

import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.protocol.security.Sealing;

/**
 * The central site's use of the kit's primitives for secdrive's key hierarchy (PROTOCOL.md "Keys"):
 * the labelled KDF and the sealing of a key to a drive's or a user's X25519 key. The primitives
 * themselves are in {@code dev.secdrive.kit.crypto}.
 */
public final class Crypto {

  /** Every key of the hierarchy, and every KDF output, is 32 bytes. */
  public static final int KEY_LENGTH = 32;

  private Crypto() {}

  /** A key sealed to an X25519 public key: the sender's ephemeral public key and the ciphertext. */
  public record Sealed(byte[] ephemeralPublicKey, byte[] ciphertext) {}

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info, 32 bytes. */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return Sealing.kdf(ikm, label, context);
  }

  /**
   * Seals {@code plaintext} to {@code recipient} (PROTOCOL.md "Scheme 1" CopyCertificate and
   * "Scheme 2" ConversionGrant): a fresh ephemeral X25519 key, key = KDF(X25519(ephemeral,
   * recipient), label, ephemeral public ‖ recipient public), AES-256-GCM with a zero nonce. The
   * zero nonce is safe because every sealing has a key of its own.
   *
   * @throws AuthenticationException if {@code recipient} is a key of small order
   */
  public static Sealed seal(byte[] recipient, String label, byte[] aad, byte[] plaintext)
      throws AuthenticationException {
    Sealing.Sealed sealed = Sealing.seal(recipient, label, aad, plaintext);
    return new Sealed(sealed.ephemeralPublicKey(), sealed.ciphertext());
  }

  /** Opens what {@link #seal} sealed, with the recipient's private key. */
  public static byte[] open(
      byte[] recipientPrivate, byte[] ephemeralPublic, String label, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    return Sealing.open(recipientPrivate, ephemeralPublic, label, aad, sealed);
  }
}
