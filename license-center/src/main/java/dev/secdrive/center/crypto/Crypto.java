package dev.secdrive.center.crypto;

import dev.secdrive.protocol.security.KeyLabels;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The primitives of PROTOCOL.md "Keys" the central site needs: HKDF-SHA256 with the secdrive
 * labels, AES-256-GCM, X25519 and Ed25519 on raw 32-byte keys (RFC 7748 / RFC 8032). JCA where Java
 * 17 has the primitive, Bouncy Castle for HKDF. The center keeps its own copy rather than link the
 * emulator: a licensing back end must not carry drive firmware.
 */
public final class Crypto {

  public static final int KEY_LENGTH = 32;
  public static final int GCM_NONCE_LENGTH = 12;
  public static final int GCM_TAG_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] X25519_PUBLIC_PREFIX = HEX.parseHex("302a300506032b656e032100");
  private static final byte[] ED25519_PUBLIC_PREFIX = HEX.parseHex("302a300506032b6570032100");
  private static final byte[] X25519_PRIVATE_PREFIX =
      HEX.parseHex("302e020100300506032b656e04220420");
  private static final byte[] ED25519_PRIVATE_PREFIX =
      HEX.parseHex("302e020100300506032b657004220420");

  private Crypto() {}

  /** A refused cryptographic check: a tag, or a key agreement with a key of small order. */
  public static final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    AuthenticationException(String message) {
      super(message, null, false, false);
    }
  }

  /** A raw key pair: 32-byte private and public keys. */
  public record RawKeyPair(byte[] privateKey, byte[] publicKey) {}

  /** A key sealed to an X25519 public key: the sender's ephemeral public key and the ciphertext. */
  public record Sealed(byte[] ephemeralPublicKey, byte[] ciphertext) {}

  public static byte[] random(int length) {
    byte[] out = new byte[length];
    RANDOM.nextBytes(out);
    return out;
  }

  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  // ------------------------------------------------------------------ KDF

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info, 32 bytes. */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, new byte[0], KeyLabels.info(label, context)));
    byte[] out = new byte[KEY_LENGTH];
    generator.generateBytes(out, 0, KEY_LENGTH);
    return out;
  }

  // ------------------------------------------------------------------ sealing

  /**
   * Seals {@code plaintext} to {@code recipient} (PROTOCOL.md "Scheme 1" SealedKey and "Scheme 2"
   * ConversionGrant): a fresh ephemeral X25519 key, key = KDF(X25519(ephemeral, recipient), label,
   * ephemeral public ‖ recipient public), AES-256-GCM with a zero nonce. The zero nonce is safe
   * because every sealing has a key of its own.
   *
   * @throws AuthenticationException if {@code recipient} is a key of small order
   */
  public static Sealed seal(byte[] recipient, String label, byte[] aad, byte[] plaintext)
      throws AuthenticationException {
    RawKeyPair ephemeral = x25519KeyPair();
    byte[] shared = x25519(ephemeral.privateKey(), recipient);
    byte[] key = kdf(shared, label, concat(ephemeral.publicKey(), recipient));
    return new Sealed(
        ephemeral.publicKey(), gcmSeal(key, new byte[GCM_NONCE_LENGTH], aad, plaintext));
  }

  /** Opens what {@link #seal} sealed, with the recipient's private key. */
  public static byte[] open(
      byte[] recipientPrivate, byte[] ephemeralPublic, String label, byte[] aad, byte[] sealed)
      throws AuthenticationException {
    byte[] recipient = x25519Public(recipientPrivate);
    byte[] shared = x25519(recipientPrivate, ephemeralPublic);
    byte[] key = kdf(shared, label, concat(ephemeralPublic, recipient));
    return gcmOpen(key, new byte[GCM_NONCE_LENGTH], aad, sealed);
  }

  // ------------------------------------------------------------------ AES-GCM

  public static byte[] gcmSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(GCM_TAG_LENGTH * 8, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws AuthenticationException {
    if (ciphertext.length < GCM_TAG_LENGTH) {
      throw new AuthenticationException("ciphertext shorter than its tag");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(GCM_TAG_LENGTH * 8, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new AuthenticationException("AES-GCM tag does not verify");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  // ------------------------------------------------------------------ X25519, Ed25519

  public static RawKeyPair x25519KeyPair() {
    return generate("X25519");
  }

  public static RawKeyPair ed25519KeyPair() {
    return generate("Ed25519");
  }

  private static RawKeyPair generate(String algorithm) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
      return new RawKeyPair(
          last32(pair.getPrivate().getEncoded()), last32(pair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }

  public static byte[] x25519Public(byte[] privateKey) {
    try {
      byte[] base = new byte[KEY_LENGTH];
      base[0] = 9; // the base point's u-coordinate, little-endian
      return x25519(privateKey, base);
    } catch (AuthenticationException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] ed25519Public(byte[] privateKey) {
    return new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
  }

  /**
   * X25519(privateKey, publicKey).
   *
   * @throws AuthenticationException for a public key of small order (all-zero shared secret)
   */
  public static byte[] x25519(byte[] privateKey, byte[] publicKey) throws AuthenticationException {
    try {
      KeyFactory factory = KeyFactory.getInstance("X25519");
      PrivateKey priv =
          factory.generatePrivate(
              new PKCS8EncodedKeySpec(concat(X25519_PRIVATE_PREFIX, privateKey)));
      PublicKey pub =
          factory.generatePublic(new X509EncodedKeySpec(concat(X25519_PUBLIC_PREFIX, publicKey)));
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(priv);
      agreement.doPhase(pub, true);
      byte[] shared = agreement.generateSecret();
      if (Arrays.equals(shared, new byte[shared.length])) {
        throw new AuthenticationException("X25519 public key of small order");
      }
      return shared;
    } catch (GeneralSecurityException e) {
      throw new AuthenticationException("X25519 key agreement refused: " + e.getMessage());
    }
  }

  public static byte[] sign(byte[] ed25519Private, byte[] data) {
    try {
      PrivateKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(concat(ED25519_PRIVATE_PREFIX, ed25519Private)));
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    }
  }

  public static boolean verify(byte[] ed25519Public, byte[] data, byte[] signature) {
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(concat(ED25519_PUBLIC_PREFIX, ed25519Public)));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // a malformed key or signature verifies nothing
    }
  }

  private static byte[] last32(byte[] encoded) {
    return Arrays.copyOfRange(encoded, encoded.length - KEY_LENGTH, encoded.length);
  }
}
