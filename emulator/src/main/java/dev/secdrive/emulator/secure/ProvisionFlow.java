package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Licensing a medium (PROTOCOL.md "Protocol F0h: secdrive licensing", FIG. 5): CHALLENGE, PROVISION
 * and LICENSE STATUS. A certified licensor seals a content key to this drive's certified X25519 key
 * for one medium, answering a challenge, and signs the request; the drive stores the key wrapped
 * under the medium key in the secure area, where only a compliant drive holding that medium can use
 * it.
 */
final class ProvisionFlow {

  private static final Logger log = LoggerFactory.getLogger(ProvisionFlow.class);

  private final SecureStore store;

  ProvisionFlow(SecureStore store) {
    this.store = store;
  }

  /** CHALLENGE data-in (FIG. 5 S7): a nonce that a PROVISION on the same I_T nexus answers. */
  byte[] challenge(SecureLayer.Session session) {
    return new Challenge(session.challenges.issue()).encode();
  }

  /** LICENSE STATUS data-in: version and licenses of the secure area, never a key. */
  byte[] licenseStatus(Medium medium) throws CheckCondition {
    SecureStore.Area contents = store.read(medium);
    List<LicenseStatus.Entry> entries = new ArrayList<>();
    for (LicenseState.License l : contents.state().licenses()) {
      entries.add(new LicenseStatus.Entry(l.contentId(), l.licensor(), l.playsLeft()));
    }
    return new LicenseStatus(contents.state().version(), entries).encode();
  }

  /**
   * PROVISION (FIG. 5 S8-S10). Refusals in this order: framing of the list (05/26/00 with the field
   * pointer); write protection (07/27/00); framing of the licensor certificate (05/26/00, or 0Bh
   * for another format version); its signer and role (01h); the signature (02h); another medium
   * (04h); a content of another licensor (0Dh); the sealed key (05h); a state that does not fit the
   * secure area (05/26/00); the challenge (03h: unknown, used, or issued on another I_T nexus).
   * Nothing is written before all of them pass.
   */
  void provision(SecureLayer.Session session, Medium medium, byte[] parameters)
      throws CheckCondition {
    ProvisionRequest request = ParameterLists.decode(() -> ProvisionRequest.decode(parameters));
    UserArea.requireWritable(medium);
    DriveKeys keys = store.keys();
    Certificate licensor =
        ParameterLists.certified(
            keys,
            request.licensorCertificate(),
            request.licensorCertificateOffset(),
            Certificate.Role.LICENSOR,
            "licensor");
    if (!Ed25519.verify(licensor.ed25519PublicKey(), request.signedBytes(), request.signature())) {
      throw CheckCondition.refused(Reason.SIGNATURE, "PROVISION request of " + licensor.subject());
    }
    if (!request.mediumId().equals(medium.id())) {
      throw CheckCondition.refused(Reason.OTHER_MEDIUM, "license for medium " + request.mediumId());
    }
    SecureStore.Area current = store.read(medium);
    requireSameLicensor(current.state(), request.contentId(), licensor);
    byte[] contentKey;
    try {
      contentKey =
          keys.openSealed(
              KeyLabels.PROVISION,
              request.ephemeralPublicKey(),
              request.sealedKeyAad(),
              request.sealedContentKey());
    } catch (AuthenticationException e) {
      throw CheckCondition.refused(Reason.INTEGRITY, "sealed content key: " + e.getMessage());
    }
    if (contentKey.length != Crypto.KEY_LENGTH) {
      throw CheckCondition.refused(Reason.INTEGRITY, "the sealed content key is not 32 bytes");
    }
    LicenseState state =
        store.withLicense(
            medium, current, request.contentId(), licensor, contentKey, request.plays());
    // The challenge is spent last, once nothing else can refuse: a request refused for another
    // reason (the wrong medium loaded, say) can be sent again when that is put right.
    if (!session.challenges.consume(request.challenge())) {
      throw CheckCondition.refused(Reason.REPLAY, "PROVISION challenge");
    }
    store.commit("provision", medium, state);
    log.info(
        "drive {}: provisioned {} on medium {} ({} plays), license version {}",
        keys.deviceId(),
        request.contentId(),
        medium.id(),
        request.plays() == ProvisionRequest.UNLIMITED ? "unlimited" : request.plays(),
        state.version());
  }

  /**
   * A certified licensor may renew its own license, but not take over another licensor's: without
   * this, any licensor the authority certified could replace (and so revoke, or re-key) a content
   * licensed by a competitor. A licensor is its certificate's role and Ed25519 key, not its
   * subject: a licensor that took the name of another licensor, or of a central site, is still
   * another licensor. A license whose licensor is not recorded (read from license state format 1)
   * may be replaced, as before format 2, and then records its new licensor.
   */
  static void requireSameLicensor(LicenseState state, String contentId, Certificate certificate)
      throws CheckCondition {
    LicenseState.Licensor licensor = LicenseState.Licensor.of(certificate);
    Optional<LicenseState.Licensor> existing =
        state.find(contentId).flatMap(LicenseState.License::issuer);
    if (existing.isPresent() && !existing.get().sameAs(licensor)) {
      throw CheckCondition.refused(
          Reason.OTHER_LICENSOR,
          contentId + " is licensed by " + existing.get() + ", not " + licensor);
    }
  }
}
