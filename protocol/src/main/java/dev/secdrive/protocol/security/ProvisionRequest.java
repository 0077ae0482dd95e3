package dev.secdrive.protocol.security;

import dev.secdrive.protocol.BigEndian;
import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h PROVISION parameter list (FIG. 5 S8-S10): a licensor installs a content key for one medium,
 * answering a drive challenge, with the key sealed to the drive's certified X25519 key and the
 * whole request signed with the licensor's certified Ed25519 key.
 *
 * @param challenge a CHALLENGE nonce of this drive; single use
 * @param mediumId the medium the license is for
 * @param contentId 1-64 printable ASCII characters
 * @param plays plays allowed, or {@link #UNLIMITED}
 * @param ephemeralPublicKey the licensor's ephemeral X25519 key for this request
 * @param sealedContentKey the 32-byte content key, AES-256-GCM sealed (48 bytes)
 * @param licensorCertificate the licensor's encoded {@link Certificate}
 * @param signature Ed25519 over {@link #signedBytes()}
 */
public record ProvisionRequest(
    byte[] challenge,
    String mediumId,
    String contentId,
    long plays,
    byte[] ephemeralPublicKey,
    byte[] sealedContentKey,
    byte[] licensorCertificate,
    byte[] signature) {

  public static final long UNLIMITED = 0xFFFF_FFFFL;

  public ProvisionRequest {
    challenge = Fields.checkLength("challenge", challenge, Challenge.NONCE_LENGTH).clone();
    Fields.checkId("medium ID", mediumId, 255);
    Fields.checkId("content ID", contentId, 64);
    BigEndian.checkUnsigned("plays", plays, 32);
    ephemeralPublicKey =
        Fields.checkLength("ephemeral public key", ephemeralPublicKey, Certificate.KEY_LENGTH)
            .clone();
    sealedContentKey = Fields.checkMax("sealed content key", sealedContentKey, 0xFFFF).clone();
    licensorCertificate =
        Fields.checkMax("licensor certificate", licensorCertificate, 0xFFFF).clone();
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  @Override
  public byte[] challenge() {
    return challenge.clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] sealedContentKey() {
    return sealedContentKey.clone();
  }

  @Override
  public byte[] licensorCertificate() {
    return licensorCertificate.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public ProvisionRequest withSignature(byte[] signature) {
    return new ProvisionRequest(
        challenge,
        mediumId,
        contentId,
        plays,
        ephemeralPublicKey,
        sealedContentKey,
        licensorCertificate,
        signature);
  }

  /**
   * Where the licensor certificate starts in the encoded list, so that a drive can point the field
   * pointer of an error inside the certificate at the byte the host sent.
   */
  public int licensorCertificateOffset() {
    return Challenge.NONCE_LENGTH
        + 1
        + mediumId.length()
        + 1
        + contentId.length()
        + 4 // plays
        + Certificate.KEY_LENGTH
        + 2
        + sealedContentKey.length
        + 2; // the certificate's bytes16 length
  }

  /** The AAD of the sealed content key: challenge ‖ str8 medium ID ‖ str8 content ID. */
  public byte[] sealedKeyAad() {
    return sealedKeyAad(challenge, mediumId, contentId);
  }

  /** The same AAD, for a licensor building a request. */
  public static byte[] sealedKeyAad(byte[] challenge, String mediumId, String contentId) {
    return new Fields.Writer().raw(challenge).str8(mediumId).str8(contentId).toByteArray();
  }

  /** Every byte before the signature. */
  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(challenge)
        .str8(mediumId)
        .str8(contentId)
        .u32(plays)
        .raw(ephemeralPublicKey)
        .bytes16(sealedContentKey)
        .bytes16(licensorCertificate)
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static ProvisionRequest decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "PROVISION parameter list");
    byte[] challenge = r.raw("challenge", Challenge.NONCE_LENGTH);
    String mediumId = r.id("medium ID");
    int at = r.position();
    String contentId = r.id("content ID");
    if (contentId.length() > 64) {
      throw new ParameterException(Kind.INVALID_VALUE, "content ID longer than 64 characters", at);
    }
    long plays = r.u32("plays");
    byte[] ephemeral = r.raw("ephemeral public key", Certificate.KEY_LENGTH);
    byte[] sealed = r.bytes16("sealed content key");
    byte[] certificate = r.bytes16("licensor certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new ProvisionRequest(
        challenge, mediumId, contentId, plays, ephemeral, sealed, certificate, signature);
  }
}
