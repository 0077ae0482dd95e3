package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/** X25519 key agreement (RFC 7748) on raw 32-byte keys, from the JCA. */
public final class X25519 {

  public static final int KEY_LENGTH = RawKeys.KEY_LENGTH;

  /** The u-coordinate of the base point, little-endian (RFC 7748 4.1). */
  private static final byte[] BASE_POINT = basePoint();

  private X25519() {}

  public static RawKeyPair generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] scalar =
          ((XECPrivateKey) pair.getPrivate())
              .getScalar()
              .orElseThrow(() -> new IllegalStateException("X25519 key without its scalar"));
      return new RawKeyPair(scalar, RawKeys.X25519.rawPublic(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is part of Java 17", e);
    }
  }

  /** The public key of {@code privateKey}: X25519(k, 9). */
  public static byte[] publicKey(byte[] privateKey) {
    try {
      return agree(privateKey, BASE_POINT);
    } catch (AuthenticationException e) {
      throw new IllegalStateException("the base point has prime order", e);
    }
  }

  /**
   * X25519(privateKey, publicKey): the shared secret.
   *
   * @throws AuthenticationException if {@code publicKey} is not a 32-byte key, or is of small order
   *     (the all-zero result RFC 7748 6.1 tells the receiver to refuse)
   * @throws IllegalArgumentException if {@code privateKey} is not 32 bytes
   */
  public static byte[] agree(byte[] privateKey, byte[] publicKey) throws AuthenticationException {
    RawKeys.requireLength(privateKey, "X25519 private key");
    if (publicKey.length != KEY_LENGTH) {
      throw new AuthenticationException(
          "an X25519 public key has " + KEY_LENGTH + " bytes, not " + publicKey.length);
    }
    byte[] shared;
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(RawKeys.X25519.privateKey(privateKey));
      agreement.doPhase(RawKeys.X25519.publicKey(publicKey), true);
      shared = agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new AuthenticationException("X25519 key agreement refused: " + e.getMessage());
    }
    if (Arrays.equals(shared, new byte[shared.length])) {
      throw new AuthenticationException("X25519 public key of small order");
    }
    return shared;
  }

  private static byte[] basePoint() {
    byte[] u = new byte[KEY_LENGTH];
    u[0] = 9;
    return u;
  }
}
