package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;

/**
 * What a user signs to ask the central site for a copy (license-center/API.md "Signed copy
 * requests"): the bytes an Ed25519 signature of the user's signing key covers. Domain separated (a
 * label no other secdrive signature starts with, the kind of request, and the central site it is
 * for) and unambiguous (every variable field length-prefixed), so a signature for one request never
 * fits another, nor the same request at another site.
 *
 * <pre>
 * label  "secdrive-copy-request-v3" (24 bytes ASCII) ‖ 00h
 * kind   u8: 01h = POST /copies/certificate (scheme 1), 02h = POST /copies/conversion (scheme 2)
 * bytes16 the central site's certificate, as GET /center gives it
 * str8   user ID
 * str8   title ID
 * str8   medium ID
 * bytes16 the target drive's certificate, as sent in 'driveCertificate'
 * </pre>
 *
 * <p>Version 2 of the label signed no drive certificate for kind 01h, whose key then went to the
 * user; a v2 signature verifies over no v3 request.
 */
public final class CopyRequests {

  /** The domain-separation label; its version is the format's. */
  public static final String LABEL = "secdrive-copy-request-v3";

  /** Kind 01h: a copy certificate (scheme 1). */
  public static final int CERTIFICATE = 1;

  /** Kind 02h: a conversion grant (scheme 2). */
  public static final int CONVERSION = 2;

  /** An Ed25519 signature (RFC 8032). */
  public static final int SIGNATURE_LENGTH = 64;

  private CopyRequests() {}

  /**
   * The signed bytes of {@code POST /copies/certificate} at the site with {@code site}, for the
   * target drive with {@code driveCertificate}.
   */
  public static byte[] certificate(
      byte[] site, String userId, String titleId, String mediumId, byte[] driveCertificate) {
    return signed(CERTIFICATE, site, userId, titleId, mediumId, driveCertificate);
  }

  /** The signed bytes of {@code POST /copies/conversion} for the drive with that certificate. */
  public static byte[] conversion(
      byte[] site, String userId, String titleId, String mediumId, byte[] driveCertificate) {
    return signed(CONVERSION, site, userId, titleId, mediumId, driveCertificate);
  }

  private static byte[] signed(
      int kind,
      byte[] site,
      String userId,
      String titleId,
      String mediumId,
      byte[] driveCertificate) {
    return head(kind, site, userId, titleId, mediumId)
        .bytes16(Fields.checkMax("drive certificate", driveCertificate, 0xFFFF))
        .toByteArray();
  }

  private static Fields.Writer head(
      int kind, byte[] site, String userId, String titleId, String mediumId) {
    return new Fields.Writer()
        .raw(LABEL.getBytes(StandardCharsets.US_ASCII))
        .u8(0)
        .u8(kind)
        .bytes16(Fields.checkMax("central site certificate", site, 0xFFFF))
        .str8(Fields.checkId("user ID", userId, 255))
        .str8(Fields.checkId("title ID", titleId, 255))
        .str8(Fields.checkId("medium ID", mediumId, 255));
  }
}
