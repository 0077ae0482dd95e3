package dev.secdrive.center;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.security.Certificate;

/** A licensing authority for tests: an Ed25519 key that certifies the center and drives. */
public final class TestAuthority {

  private final RawKeyPair key = Ed25519.generate();

  public byte[] publicKey() {
    return key.publicKey();
  }

  public Certificate certify(Certificate unsigned) {
    return unsigned.withSignature(Ed25519.sign(key.privateKey(), unsigned.signedBytes()));
  }

  /** A drive with its X25519 and Ed25519 private keys and a certificate of this authority. */
  public record Drive(byte[] x25519Private, byte[] ed25519Private, Certificate certificate) {

    /**
     * The encoded registration proof (SDRP) this drive's PROVE REGISTRATION would make: signed with
     * its device key for {@code userId} at {@code distributor} and {@code challenge}.
     */
    public byte[] proof(Certificate distributor, String userId, byte[] challenge) {
      return RegistrationProof.sign(
              certificate.subject(),
              new ProofRequest(distributor, userId, challenge),
              ed25519Private)
          .encode();
    }
  }

  public Drive drive(String deviceId) {
    RawKeyPair x = X25519.generate();
    RawKeyPair ed = Ed25519.generate();
    return new Drive(
        x.privateKey(),
        ed.privateKey(),
        certify(
            Certificate.unsigned(Certificate.Role.DRIVE, deviceId, x.publicKey(), ed.publicKey())));
  }
}
