package dev.secdrive.protocol.security;

import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.Optional;

/**
 * Why the secure layer refused a command: carried in COMMAND-SPECIFIC INFORMATION of the sense, so
 * a host can tell a replayed challenge from a stale backup although both are AUTHENTICATION
 * FAILURE.
 */
public enum Reason {
  CERTIFICATE(
      0x01,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "certificate not signed by the licensing authority, or of the wrong role"),
  SIGNATURE(0x02, AdditionalSense.AUTHENTICATION_FAILURE, "signature does not verify"),
  REPLAY(0x03, AdditionalSense.AUTHENTICATION_FAILURE, "challenge unknown or already used"),
  OTHER_MEDIUM(0x04, AdditionalSense.AUTHENTICATION_FAILURE, "issued for another medium"),
  INTEGRITY(
      0x05,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "fails authentication (altered, or not made for this medium)"),
  OTHER_DRIVE(0x06, AdditionalSense.AUTHENTICATION_FAILURE, "bound to another drive"),
  STALE(
      0x07,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "stale: older than the medium's license state (its write counter or this drive's record)"),
  NO_LICENSE(0x08, AdditionalSense.KEY_NOT_PRESENT, "no license for this content on this medium"),
  EXHAUSTED(0x09, AdditionalSense.KEY_NOT_PRESENT, "license exhausted: no plays left"),
  NOTHING_PENDING(
      0x0A,
      AdditionalSense.KEY_NOT_ESTABLISHED,
      "nothing pending on this connection (no backup data or registration proof)"),
  FORMAT_VERSION(
      0x0B, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST, "unsupported format version"),
  WRONG_KEY(
      0x0C, AdditionalSense.AUTHENTICATION_FAILURE, "the content key does not open this title"),
  OTHER_LICENSOR(
      0x0D,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "the content is licensed on this medium by another licensor"),
  DRIVE_STATE_ROLLED_BACK(
      0x0E,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "this drive's own state is older than a secure area it committed (rolled back)"),
  NOT_REGISTERED(
      0x0F,
      AdditionalSense.KEY_NOT_PRESENT,
      "this drive holds no service data: register the client first"),
  ALREADY_REGISTERED(
      0x10, AdditionalSense.AUTHENTICATION_FAILURE, "this drive is already a registered client"),
  OTHER_CLIENT(0x11, AdditionalSense.AUTHENTICATION_FAILURE, "issued for another client (leaf ID)"),
  ALREADY_USED(
      0x12,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "this license or certificate serial was already used by this client"),
  CONTENT_MISMATCH(
      0x13,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "the content ID does not match the certificate's or license's"),
  NO_COPIES_LEFT(
      0x14,
      AdditionalSense.KEY_NOT_PRESENT,
      "the license allows no more copies to removable media"),
  EXPIRED(
      0x15, AdditionalSense.KEY_NOT_PRESENT, "the license is outside its usage period: update it"),
  REVOKED(
      0x16,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "this client is revoked: the content's EKB gives it no root key"),
  NO_CERTIFICATE(
      0x17,
      AdditionalSense.KEY_NOT_PRESENT,
      "no contents copy certificate: none held with this serial, none on the medium, or a"
          + " license bound to a certificate outside MOVE IN of exactly that certificate"),
  RECORD_ALTERED(
      0x18,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "the track record fails its MAC: altered, or not made by this drive"),
  OTHER_TRACK(
      0x19,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "the track record is for another medium or track (medium ID, track number, ISRC, start or"
          + " length)"),
  CONTENT_DIFFERS(
      0x1A,
      AdditionalSense.AUTHENTICATION_FAILURE,
      "the track's designated sectors differ from the recording registered (another recording)"),
  NOT_AUDIO(
      0x1B, AdditionalSense.INCOMPATIBLE_MEDIUM_INSTALLED, "not an audio track of a CD-DA medium"),
  COPY_NOT_PERMITTED(
      0x1C,
      AdditionalSense.KEY_NOT_PRESENT,
      "the watermark's copy control permits no copy (no more copies)"),
  NO_TRACK_RECORD(
      0x1D,
      AdditionalSense.KEY_NOT_ESTABLISHED,
      "no track record pending on this connection: REGISTER TRACK first");

  private final int code;
  private final AdditionalSense sense;
  private final String text;

  Reason(int code, AdditionalSense sense, String text) {
    this.code = code;
    this.sense = sense;
    this.text = text;
  }

  public int code() {
    return code;
  }

  public AdditionalSense sense() {
    return sense;
  }

  public String text() {
    return text;
  }

  /** ILLEGAL REQUEST with this reason's ASC/ASCQ and its code in COMMAND-SPECIFIC INFORMATION. */
  public SenseData senseData() {
    return SenseData.of(SenseKey.ILLEGAL_REQUEST, sense).withCommandSpecific(code);
  }

  /** As {@link #senseData()}, with VALID set and {@code information} in INFORMATION. */
  public SenseData senseData(long information) {
    return senseData().withInformation(information);
  }

  /** The reason a sense carries, if it is a secure-layer refusal. */
  public static Optional<Reason> fromSense(SenseData sense) {
    for (Reason r : values()) {
      if (r.code == sense.commandSpecific()
          && sense.key() == SenseKey.ILLEGAL_REQUEST
          && sense.asc() == r.sense.asc()
          && sense.ascq() == r.sense.ascq()) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
