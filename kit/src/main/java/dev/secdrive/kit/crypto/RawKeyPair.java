package dev.secdrive.kit.crypto;

/**
 * An X25519 or Ed25519 key pair as it travels and is stored: the 32-byte private key (an X25519
 * scalar or an Ed25519 seed) and the 32-byte public key (RFC 7748 5, RFC 8032 5.1.5). The arrays
 * are shared, not copied; the record only checks their lengths.
 */
public record RawKeyPair(byte[] privateKey, byte[] publicKey) {

  public RawKeyPair {
    RawKeys.requireLength(privateKey, "private key");
    RawKeys.requireLength(publicKey, "public key");
  }
}
