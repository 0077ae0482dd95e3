package dev.secdrive.kit.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Raw 32-byte X25519 and Ed25519 keys to and from the JCA's encoded keys. The DER of these keys is
 * a fixed prefix followed by the raw key (RFC 8410 4, 7), so wrapping and unwrapping is
 * concatenation; that avoids the JCA's big-integer key specs and their byte-order pitfalls.
 */
final class RawKeys {

  static final int KEY_LENGTH = 32;

  private final String algorithm;
  private final byte[] publicPrefix;
  private final byte[] privatePrefix;

  static final RawKeys X25519 =
      new RawKeys("X25519", "302a300506032b656e032100", "302e020100300506032b656e04220420");
  static final RawKeys ED25519 =
      new RawKeys("Ed25519", "302a300506032b6570032100", "302e020100300506032b657004220420");

  private RawKeys(String algorithm, String publicPrefix, String privatePrefix) {
    this.algorithm = algorithm;
    this.publicPrefix = HexFormat.of().parseHex(publicPrefix);
    this.privatePrefix = HexFormat.of().parseHex(privatePrefix);
  }

  PrivateKey privateKey(byte[] raw) throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(Bytes.concat(privatePrefix, raw)));
  }

  PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm)
        .generatePublic(new X509EncodedKeySpec(Bytes.concat(publicPrefix, raw)));
  }

  byte[] rawPublic(PublicKey key) {
    return strip(key.getEncoded(), publicPrefix);
  }

  private byte[] strip(byte[] encoded, byte[] prefix) {
    if (encoded.length != prefix.length + KEY_LENGTH
        || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalStateException("unexpected " + algorithm + " key encoding from the JDK");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }

  static byte[] requireLength(byte[] key, String what) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a raw " + what + " has " + KEY_LENGTH + " bytes, not " + key.length);
    }
    return key;
  }
}
