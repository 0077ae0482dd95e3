package dev.secdrive.center;

import dev.secdrive.center.crypto.Crypto;
import dev.secdrive.protocol.security.Certificate;

/** A licensing authority for tests: an Ed25519 key that certifies the center and drives. */
final class TestAuthority {

  private final Crypto.RawKeyPair key = Crypto.ed25519KeyPair();

  byte[] publicKey() {
    return key.publicKey();
  }

  Certificate certify(Certificate unsigned) {
    return unsigned.withSignature(Crypto.sign(key.privateKey(), unsigned.signedBytes()));
  }

  /** A drive with its X25519 private key and a certificate of this authority. */
  record Drive(byte[] x25519Private, Certificate certificate) {}

  Drive drive(String deviceId) {
    Crypto.RawKeyPair x = Crypto.x25519KeyPair();
    Crypto.RawKeyPair ed = Crypto.ed25519KeyPair();
    return new Drive(
        x.privateKey(),
        certify(
            Certificate.unsigned(Certificate.Role.DRIVE, deviceId, x.publicKey(), ed.publicKey())));
  }
}
