package dev.secdrive.center.crypto;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.KeyLabels;

/**
 * The central site's use of the kit's primitives for secdrive's key hierarchy (PROTOCOL.md "Keys"):
 * the labelled KDF and the sealing of a key to a drive's or a user's X25519 key. The primitives
 * themselves are in {@code dev.secdrive.kit.crypto}.
 */
public final class Crypto {

  /** Every key of the hierarchy, and every KDF output, is 32 bytes. */
  public static final int KEY_LENGTH = 32;

  private static final byte[] NO_SALT = new byte[0];

  private Crypto() {}

  /** A key sealed to an X25519 public key: the sender's ephemeral public key and the ciphertext. */
  public record Sealed(byte[] ephemeralPublicKey, byte[] ciphertext) {}

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info, 32 bytes. */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return Hkdf.sha256(NO_SALT, ikm, KeyLabels.info(label, context), KEY_LENGTH);
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
    RawKeyPair ephemeral = X25519.generate();
    byte[] shared = X25519.agree(ephemeral.privateKey(), recipient);
    byte[] key = kdf(shared, label, Bytes.concat(ephemeral.publicKey(), recipient));
    return new Sealed(
        ephemeral.publicKey(), AesGcm.seal(key, new byte[AesGcm.NONCE_LENGTH], aad, plaintext));
  }

  /** Opens what {@link #seal} sealed, with the recipient's private key. */
  public static byte[] open(
      byte[] recipientPrivate, byte[] ephemeralPublic, String label, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    byte[] recipient = X25519.publicKey(recipientPrivate);
    byte[] shared = X25519.agree(recipientPrivate, ephemeralPublic);
    byte[] key = kdf(shared, label, Bytes.concat(ephemeralPublic, recipient));
    return AesGcm.open(key, new byte[AesGcm.NONCE_LENGTH], aad, sealed);
  }
}
