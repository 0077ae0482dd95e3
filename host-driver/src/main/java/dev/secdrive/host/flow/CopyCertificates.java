package dev.secdrive.host.flow;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.ParameterException;

/**
 * The terminal's check of a copy certificate CS (PROTOCOL.md "Scheme 1", FIG. 4 S4-S6 and FIG. 6):
 * the central site's certificate is the licensing authority's (role 3, central site), the site
 * signed CS, and CS names this title and the medium it is read from. The terminal can verify CS
 * but, holding no signing key, cannot make one; a CS copied with the title onto another medium
 * names the original medium and is refused.
 */
public final class CopyCertificates {

  private CopyCertificates() {}

  /**
   * Decodes and checks {@code encoded}.
   *
   * @param authorityPublicKey the licensing authority's Ed25519 public key
   * @param titleId the title the certificate must be for
   * @param mediumId the medium ID (READ MEDIA SERIAL NUMBER) of the medium the copy is on
   * @return the verified certificate
   * @throws FlowException saying which check failed
   */
  public static CopyCertificate verify(
      byte[] encoded, byte[] authorityPublicKey, String titleId, String mediumId) {
    CopyCertificate cs;
    try {
      cs = CopyCertificate.decode(encoded);
    } catch (ParameterException e) {
      throw new FlowException(
          "the copy certificate is unreadable (tampered?): "
              + e.getMessage()
              + " at byte "
              + e.offset());
    }
    Certificate center;
    try {
      center = Certificate.decode(cs.centerCertificate());
    } catch (ParameterException e) {
      throw new FlowException(
          "the central site's certificate inside the copy certificate is unreadable: "
              + e.getMessage());
    }
    if (center.role() != Certificate.Role.CENTRAL_SITE) {
      throw new FlowException(
          "the copy certificate is signed with a "
              + center.role()
              + " certificate ('"
              + center.subject()
              + "'), not a central site's: only a central site issues copy certificates");
    }
    if (!Certificates.signedBy(center, authorityPublicKey)) {
      throw new FlowException(
          "the copy certificate's central site '"
              + center.subject()
              + "' is not certified by the licensing authority");
    }
    if (!Ed25519.verify(center.ed25519PublicKey(), cs.signedBytes(), cs.signature())) {
      throw new FlowException(
          "the copy certificate's signature does not verify with the central site's key"
              + " (tampered copy certificate)");
    }
    if (!cs.titleId().equals(titleId)) {
      throw new FlowException(
          "the copy certificate is for title " + cs.titleId() + ", not " + titleId);
    }
    if (!cs.mediumId().equals(mediumId)) {
      throw new FlowException(
          "the copy certificate is for medium "
              + cs.mediumId()
              + " but this medium is "
              + mediumId
              + " (a copy moved onto another medium is not licensed)");
    }
    return cs;
  }
}
