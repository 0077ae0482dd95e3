package dev.secdrive.host.flow;

import dev.secdrive.protocol.security.Certificate;

/** A licensing authority and certificates made in the test, independent of any emulator. */
final class TestKeys {

  final Crypto.RawKeyPair authority = Crypto.ed25519KeyPair();

  Certificate certify(Certificate unsigned) {
    return unsigned.withSignature(Crypto.sign(authority.privateKey(), unsigned.signedBytes()));
  }

  LicensorCredential licensor(String name) {
    return LicensorCredential.create(name, this::certify, authority.publicKey());
  }
}
