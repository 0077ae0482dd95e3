package dev.secdrive.host.flow;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.Certificate;

/** Checks of certificates against the licensing authority's public key (PROTOCOL.md). */
public final class Certificates {

  private Certificates() {}

  /** Whether the authority with {@code authorityPublicKey} signed {@code certificate}. */
  public static boolean signedBy(Certificate certificate, byte[] authorityPublicKey) {
    return Ed25519.verify(authorityPublicKey, certificate.signedBytes(), certificate.signature());
  }

  /**
   * Refuses a drive certificate the authority did not sign, of the wrong role, or for another
   * device: a licensor seals content keys only to certified drives (FIG. 5 S8).
   *
   * @throws FlowException saying which check failed
   */
  public static void checkDrive(
      Certificate certificate, String deviceId, byte[] authorityPublicKey) {
    if (certificate.role() != Certificate.Role.DRIVE) {
      throw new FlowException(
          "the drive presents a "
              + certificate.role()
              + " certificate, not a drive certificate; refusing to send it a content key");
    }
    if (!signedBy(certificate, authorityPublicKey)) {
      throw new FlowException(
          "the drive's certificate (device "
              + certificate.subject()
              + ") is not signed by the licensing authority; refusing to send it a content key");
    }
    if (!certificate.subject().equals(deviceId)) {
      throw new FlowException(
          "the drive's certificate is for device "
              + certificate.subject()
              + " but the drive reports device ID "
              + deviceId
              + "; refusing to send it a content key");
    }
  }
}
