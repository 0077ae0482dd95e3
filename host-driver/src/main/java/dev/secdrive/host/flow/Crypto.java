package dev.secdrive.host.flow;

import dev.secdrive.protocol.security.KeyLabels;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The primitives the licensor side needs (PROTOCOL.md "Keys", "Titles", PROVISION): raw 32-byte
 * X25519 (RFC 7748) and Ed25519 (RFC 8032) keys as they travel on the wire, wrapped into JCA keys
 * with the fixed DER prefixes; HKDF-SHA256 from Bouncy Castle; AES-GCM, AES-CTR, HMAC from JCA.
 */
final class Crypto {

  static final int KEY_LENGTH = 32;
  static final int GCM_TAG_BITS = 128;

  private static final byte[] X25519_PUBLIC_PREFIX = hex("302a300506032b656e032100");
  private static final byte[] ED25519_PUBLIC_PREFIX = hex("302a300506032b6570032100");
  private static final byte[] X25519_PRIVATE_PREFIX = hex("302e020100300506032b656e04220420");
  private static final byte[] ED25519_PRIVATE_PREFIX = hex("302e020100300506032b657004220420");

  private static final SecureRandom RANDOM = new SecureRandom();

  private Crypto() {}

  /** A raw key pair: 32-byte private key (X25519 scalar or Ed25519 seed) and public key. */
  record RawKeyPair(byte[] privateKey, byte[] publicKey) {}

  static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** KDF(ikm, label, context) of PROTOCOL.md: HKDF-SHA256, empty salt, versioned info. */
  static byte[] kdf(byte[] ikm, String label, byte[] context) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, new byte[0], KeyLabels.info(label, context)));
    byte[] out = new byte[KEY_LENGTH];
    generator.generateBytes(out, 0, out.length);
    return out;
  }

  static byte[] concat(byte[]... parts) {
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

  // ---------------------------------------------------------------- X25519

  static RawKeyPair x25519KeyPair() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] scalar =
          ((XECPrivateKey) pair.getPrivate())
              .getScalar()
              .orElseThrow(() -> new IllegalStateException("X25519 key without its scalar"));
      return new RawKeyPair(scalar, rawPublic(pair.getPublic(), X25519_PUBLIC_PREFIX));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is part of Java 17", e);
    }
  }

  /**
   * X25519(privateKey, publicKey): the shared secret; refuses an all-zero result (RFC 7748 6.1).
   */
  static byte[] x25519(byte[] privateKey, byte[] publicKey) throws GeneralSecurityException {
    KeyFactory factory = KeyFactory.getInstance("X25519");
    PrivateKey priv =
        factory.generatePrivate(
            new PKCS8EncodedKeySpec(concat(X25519_PRIVATE_PREFIX, check(privateKey))));
    PublicKey pub =
        factory.generatePublic(
            new X509EncodedKeySpec(concat(X25519_PUBLIC_PREFIX, check(publicKey))));
    KeyAgreement agreement = KeyAgreement.getInstance("X25519");
    agreement.init(priv);
    agreement.doPhase(pub, true);
    byte[] shared = agreement.generateSecret();
    if (Arrays.equals(shared, new byte[shared.length])) {
      throw new GeneralSecurityException("X25519 gave the all-zero secret (a low-order key)");
    }
    return shared;
  }

  // ---------------------------------------------------------------- Ed25519

  static RawKeyPair ed25519KeyPair() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed =
          ((EdECPrivateKey) pair.getPrivate())
              .getBytes()
              .orElseThrow(() -> new IllegalStateException("Ed25519 key without its bytes"));
      return new RawKeyPair(seed, rawPublic(pair.getPublic(), ED25519_PUBLIC_PREFIX));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of Java 17", e);
    }
  }

  /** The Ed25519 public key of the 32-byte seed {@code privateKey} (RFC 8032 5.1.5). */
  static byte[] ed25519Public(byte[] privateKey) {
    return new Ed25519PrivateKeyParameters(check(privateKey), 0).generatePublicKey().getEncoded();
  }

  static byte[] sign(byte[] privateKey, byte[] message) {
    try {
      PrivateKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(concat(ED25519_PRIVATE_PREFIX, check(privateKey))));
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(message);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signature} is {@code publicKey}'s over {@code message}; false if malformed. */
  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(
                  new X509EncodedKeySpec(concat(ED25519_PUBLIC_PREFIX, check(publicKey))));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- AES, HMAC

  /** AES-256-GCM; ciphertext followed by the 16-byte tag. */
  static byte[] gcmSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(GCM_TAG_BITS, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  /**
   * Opens AES-256-GCM ciphertext (with its tag).
   *
   * @throws GeneralSecurityException if the key, nonce or AAD do not authenticate it
   */
  static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(GCM_TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(ciphertext);
  }

  /** An AES-256-CTR cipher positioned at {@code counterBlock}; encryption and decryption alike. */
  static Cipher ctr(byte[] key, byte[] counterBlock) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counterBlock));
      return cipher;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed: " + e.getMessage(), e);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- helpers

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  private static byte[] check(byte[] key) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a raw key has " + KEY_LENGTH + " bytes, not " + key.length);
    }
    return key;
  }

  private static byte[] rawPublic(PublicKey key, byte[] prefix) {
    byte[] encoded = key.getEncoded();
    if (encoded.length != prefix.length + KEY_LENGTH
        || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalStateException("unexpected public key encoding from the JDK");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }
}
