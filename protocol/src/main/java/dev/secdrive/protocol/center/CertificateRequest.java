package dev.secdrive.protocol.center;

import java.util.Set;

/**
 * {@code POST /copies/certificate}: scheme 1, a copy certificate for a title onto a target medium
 * in the target drive of {@code driveCertificate}, to which the site seals Kd, signed by the user
 * over {@code CopyRequests.certificate} (API.md "Signed copy requests"). The signature may be
 * absent in the body so that the center can say why it is needed (401).
 */
public record CertificateRequest(
    String userId, String titleId, String mediumId, byte[] driveCertificate, byte[] signature) {

  /** The fields that may be absent. */
  public static final Set<String> OPTIONAL = Set.of("signature");
}
