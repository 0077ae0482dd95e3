package dev.secdrive.protocol.security;

import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import java.util.Arrays;

/**
 * The KDF and the seal to an X25519 key of PROTOCOL.md "Keys", once for every record that carries a
 * sealed secret (ProvisionRequest, CopyCertificate, ConversionGrant, ServiceData): an ephemeral
 * X25519 key, key = KDF(X25519(ephemeral, recipient), label, ephemeral public ‖ recipient public),
 * AES-256-GCM with the all-zero nonce, which is safe because each ephemeral key seals one message.
 */
public final class Sealing {

  /** Every KDF output is 32 bytes. */
  public static final int KEY_LENGTH = 32;

  private static final byte[] NO_SALT = new byte[0];

  private Sealing() {}

  /** A secret sealed to an X25519 public key: the sender's ephemeral public key and ciphertext. */
  public record Sealed(byte[] ephemeralPublicKey, byte[] ciphertext) {
    public Sealed {
      ephemeralPublicKey = ephemeralPublicKey.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ephemeralPublicKey() {
      return ephemeralPublicKey.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  /**
   * KDF(ikm, label, context): HKDF-SHA256, empty salt, info of {@link KeyLabels#info}, 32 bytes.
   */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return Hkdf.sha256(NO_SALT, ikm, KeyLabels.info(label, context), KEY_LENGTH);
  }

  /**
   * The key a sender with {@code ephemeral} and the holder of {@code recipientPublic} share.
   *
   * @throws AuthenticationException if {@code recipientPublic} is of small order or not 32 bytes
   */
  public static byte[] sealKey(RawKeyPair ephemeral, byte[] recipientPublic, String label)
      throws AuthenticationException {
    byte[] shared = X25519.agree(ephemeral.privateKey(), recipientPublic);
    try {
      return kdf(shared, label, Bytes.concat(ephemeral.publicKey(), recipientPublic));
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  /**
   * The key of {@link #sealKey} as its recipient derives it, from its private key and the sender's
   * ephemeral public key.
   *
   * @throws AuthenticationException if {@code ephemeralPublic} is of small order or not 32 bytes
   */
  public static byte[] openKey(byte[] recipientPrivate, byte[] ephemeralPublic, String label)
      throws AuthenticationException {
    byte[] shared = X25519.agree(recipientPrivate, ephemeralPublic);
    try {
      return kdf(shared, label, Bytes.concat(ephemeralPublic, X25519.publicKey(recipientPrivate)));
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  /** Seals {@code plaintext} with a fresh ephemeral key. */
  public static Sealed seal(byte[] recipientPublic, String label, byte[] aad, byte[] plaintext)
      throws AuthenticationException {
    return seal(X25519.generate(), recipientPublic, label, aad, plaintext);
  }

  /** Seals {@code plaintext} with {@code ephemeral}, which must never seal anything else. */
  public static Sealed seal(
      RawKeyPair ephemeral, byte[] recipientPublic, String label, byte[] aad, byte[] plaintext)
      throws AuthenticationException {
    byte[] key = sealKey(ephemeral, recipientPublic, label);
    try {
      return new Sealed(
          ephemeral.publicKey(), AesGcm.seal(key, new byte[AesGcm.NONCE_LENGTH], aad, plaintext));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Opens what {@link #seal} sealed, with the recipient's private key.
   *
   * @throws AuthenticationException if it was not sealed to this key, or was altered
   */
  public static byte[] open(
      byte[] recipientPrivate, byte[] ephemeralPublic, String label, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    byte[] key = openKey(recipientPrivate, ephemeralPublic, label);
    try {
      return AesGcm.open(key, new byte[AesGcm.NONCE_LENGTH], aad, sealed);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }
}
