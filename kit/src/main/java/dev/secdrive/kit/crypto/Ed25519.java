package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Ed25519 signatures (RFC 8032) on raw 32-byte keys: JCA signs and verifies, Bouncy Castle derives
 * a public key from a seed, which the JCA cannot.
 */
public final class Ed25519 {

  public static final int KEY_LENGTH = RawKeys.KEY_LENGTH;
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  public static RawKeyPair generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed =
          ((EdECPrivateKey) pair.getPrivate())
              .getBytes()
              .orElseThrow(() -> new IllegalStateException("Ed25519 key without its seed"));
      return new RawKeyPair(seed, RawKeys.ED25519.rawPublic(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of Java 17", e);
    }
  }

  /** The public key of the 32-byte seed {@code privateKey} (RFC 8032 5.1.5). */
  public static byte[] publicKey(byte[] privateKey) {
    RawKeys.requireLength(privateKey, "Ed25519 private key");
    return new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
  }

  public static byte[] sign(byte[] privateKey, byte[] message) {
    RawKeys.requireLength(privateKey, "Ed25519 private key");
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(RawKeys.ED25519.privateKey(privateKey));
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code signature} is {@code publicKey}'s over {@code message}. A malformed key or
   * signature verifies nothing, so this answers false rather than throw: the caller's only question
   * is whether to trust the message.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(RawKeys.ED25519.publicKey(publicKey));
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
