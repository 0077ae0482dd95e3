package dev.secdrive.protocol.center;

import java.util.Set;

/**
 * {@code POST /copies/conversion}: scheme 2, a conversion grant sealed to the target drive of
 * {@code driveCertificate}, signed by the user over {@code CopyRequests.conversion} (API.md "POST
 * /copies/conversion"). As in {@link CertificateRequest}, the signature may be absent in the body.
 */
public record ConversionRequest(
    String userId, String titleId, String mediumId, byte[] driveCertificate, byte[] signature) {

  /** The fields that may be absent. */
  public static final Set<String> OPTIONAL = Set.of("signature");
}
