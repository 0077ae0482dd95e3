package dev.secdrive.host.flow;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;

/** A licensing authority and certificates made in the test, independent of any emulator. */
final class TestKeys {

  final RawKeyPair authority = Ed25519.generate();

  Certificate certify(Certificate unsigned) {
    return unsigned.withSignature(Ed25519.sign(authority.privateKey(), unsigned.signedBytes()));
  }

  LicensorCredential licensor(String name) {
    return LicensorCredential.create(name, this::certify, authority.publicKey());
  }
}
