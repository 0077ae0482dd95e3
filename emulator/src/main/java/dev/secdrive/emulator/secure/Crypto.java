package dev.secdrive.emulator.secure;

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
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESWrapPadEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The primitives of PROTOCOL.md "Keys": HKDF-SHA256 with the secdrive labels, AES-256-GCM, AES-KWP
 * (RFC 5649), HMAC-SHA256, X25519 and Ed25519 on raw 32-byte keys (RFC 7748 / RFC 8032). JCA where
 * Java 17 has the primitive, Bouncy Castle for HKDF and KWP.
 */
public final class Crypto {

  public static final int KEY_LENGTH = 32;
  public static final int GCM_NONCE_LENGTH = 12;
  public static final int GCM_TAG_LENGTH = 16;

  /** A layer: nonce ‖ ciphertext ‖ tag. */
  public static final int LAYER_OVERHEAD = GCM_NONCE_LENGTH + GCM_TAG_LENGTH;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] X25519_PUBLIC_PREFIX = HEX.parseHex("302a300506032b656e032100");
  private static final byte[] ED25519_PUBLIC_PREFIX = HEX.parseHex("302a300506032b6570032100");
  private static final byte[] X25519_PRIVATE_PREFIX =
      HEX.parseHex("302e020100300506032b656e04220420");
  private static final byte[] ED25519_PRIVATE_PREFIX =
      HEX.parseHex("302e020100300506032b657004220420");

  private Crypto() {}

  /** A refused cryptographic check: a tag, a signature or a key that does not verify. */
  public static final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    AuthenticationException(String message) {
      super(message, null, false, false);
    }
  }

  public static byte[] random(int length) {
    byte[] out = new byte[length];
    RANDOM.nextBytes(out);
    return out;
  }

  // ------------------------------------------------------------------ KDF

  /** RFC 5869 HKDF-SHA256. */
  public static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, salt, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info, 32 bytes. */
  public static byte[] kdf(byte[] ikm, String label, byte[] context) {
    return hkdf(new byte[0], ikm, KeyLabels.info(label, context), KEY_LENGTH);
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

  /** A backup layer: a fresh random nonce ‖ AES-256-GCM ciphertext ‖ tag. */
  public static byte[] layerSeal(byte[] key, byte[] aad, byte[] plaintext) {
    byte[] nonce = random(GCM_NONCE_LENGTH);
    return concat(nonce, gcmSeal(key, nonce, aad, plaintext));
  }

  public static byte[] layerOpen(byte[] key, byte[] aad, byte[] layer)
      throws AuthenticationException {
    if (layer.length < LAYER_OVERHEAD) {
      throw new AuthenticationException("layer shorter than nonce and tag");
    }
    return gcmOpen(
        key,
        Arrays.copyOf(layer, GCM_NONCE_LENGTH),
        aad,
        Arrays.copyOfRange(layer, GCM_NONCE_LENGTH, layer.length));
  }

  // ------------------------------------------------------------------ AES-KWP, HMAC

  /** RFC 5649 key wrap with padding. */
  public static byte[] wrap(byte[] kek, byte[] key) {
    AESWrapPadEngine engine = new AESWrapPadEngine();
    engine.init(true, new KeyParameter(kek));
    return engine.wrap(key, 0, key.length);
  }

  public static byte[] unwrap(byte[] kek, byte[] wrapped) throws AuthenticationException {
    AESWrapPadEngine engine = new AESWrapPadEngine();
    engine.init(false, new KeyParameter(kek));
    try {
      return engine.unwrap(wrapped, 0, wrapped.length);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new AuthenticationException("wrapped key does not unwrap");
    }
  }

  public static byte[] hmacSha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  // ------------------------------------------------------------------ X25519, Ed25519

  /** A raw key pair: 32-byte private and public keys. */
  public record RawKeyPair(byte[] privateKey, byte[] publicKey) {}

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

  /** The public key of a raw private key. */
  public static byte[] x25519Public(byte[] privateKey) {
    try {
      // X25519(k, 9): the base point's u-coordinate, little-endian.
      byte[] base = new byte[KEY_LENGTH];
      base[0] = 9;
      return x25519(privateKey, base);
    } catch (AuthenticationException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] ed25519Public(byte[] privateKey) {
    // JCA cannot derive the public key from a raw private key; sign-and-recover is not possible
    // either, so callers store both halves. Bouncy Castle's lightweight API can.
    org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters p =
        new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(privateKey, 0);
    return p.generatePublicKey().getEncoded();
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
