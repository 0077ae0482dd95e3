package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Reason;

/**
 * The check INSTALL COPY (a copy certificate) and INSTALL CONVERSION (a conversion grant) make of a
 * central site's signed document for one medium in one drive, in the order PROTOCOL.md gives.
 */
final class SiteDocuments {

  private SiteDocuments() {}

  /**
   * The central site that signed {@code what}, after checking its certificate (role central site,
   * signed by the licensing authority: 01h, or 05/26/00 at {@code certificateOffset}), its
   * signature over {@code signed} (02h), the medium it names against the loaded one (04h) and the
   * drive it names against this one (06h).
   */
  static Certificate verify(
      DriveKeys keys,
      Medium medium,
      String what,
      byte[] siteCertificate,
      int certificateOffset,
      byte[] signed,
      byte[] signature,
      String mediumId,
      String deviceId)
      throws CheckCondition {
    Certificate site =
        ParameterLists.certified(
            keys,
            siteCertificate,
            certificateOffset,
            Certificate.Role.CENTRAL_SITE,
            "central site");
    if (!Ed25519.verify(site.ed25519PublicKey(), signed, signature)) {
      throw CheckCondition.refused(Reason.SIGNATURE, what + " of " + site.subject());
    }
    if (!mediumId.equals(medium.id())) {
      throw CheckCondition.refused(Reason.OTHER_MEDIUM, what + " for medium " + mediumId);
    }
    if (!deviceId.equals(keys.deviceId())) {
      throw CheckCondition.refused(Reason.OTHER_DRIVE, what + " for drive " + deviceId);
    }
    return site;
  }
}
