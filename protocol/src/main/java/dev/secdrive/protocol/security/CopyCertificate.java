package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;

/**
 * The certificate code CS of the software copy's first scheme (PROTOCOL.md "Scheme 1"): the central
 * site's Ed25519 signature over the title, the target medium, the user and the target drive, and
 * the title key Kd sealed to that drive's certified X25519 key. Where the seed document computes a
 * CBC-MAC under a key the terminal also holds, and hands the terminal the title key, here the
 * terminal verifies CS with the site's public key, cannot make one, and never holds Kd: only the
 * named drive opens it (INSTALL COPY), and only for the named medium.
 */
public record CopyCertificate(
    String titleId,
    String mediumId,
    String userId,
    String deviceId,
    long serial,
    long issuedEpochSeconds,
    byte[] ephemeralPublicKey,
    byte[] sealedKey,
    byte[] centerCertificate,
    byte[] signature) {

  /** Version 1 carried no drive and no key: Kd went to the user, sealed beside it. */
  public static final int VERSION = 2;

  private static final String MAGIC = "SDCC";

  public CopyCertificate {
    Fields.checkId("title ID", titleId, 64);
    Fields.checkId("medium ID", mediumId, 255);
    Fields.checkId("user ID", userId, 255);
    Fields.checkId("device ID", deviceId, 255);
    ephemeralPublicKey =
        Fields.checkLength("ephemeral public key", ephemeralPublicKey, Certificate.KEY_LENGTH)
            .clone();
    sealedKey = Fields.checkMax("sealed key", sealedKey, 0xFFFF).clone();
    centerCertificate = Fields.checkMax("center certificate", centerCertificate, 0xFFFF).clone();
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] sealedKey() {
    return sealedKey.clone();
  }

  @Override
  public byte[] centerCertificate() {
    return centerCertificate.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public CopyCertificate withSignature(byte[] signature) {
    return new CopyCertificate(
        titleId,
        mediumId,
        userId,
        deviceId,
        serial,
        issuedEpochSeconds,
        ephemeralPublicKey,
        sealedKey,
        centerCertificate,
        signature);
  }

  /** Kd sealed: 32 bytes of key and the AES-256-GCM tag. */
  public static final int SEALED_KEY_LENGTH = 32 + 16;

  /**
   * The encoded length of a CS for these IDs, signed with a site certificate of {@code
   * centerCertificateLength} bytes: what a terminal reserves on the target before asking the site.
   */
  public static int encodedLength(
      String titleId,
      String mediumId,
      String userId,
      String deviceId,
      int centerCertificateLength) {
    return MAGIC.length()
        + 1
        + 1
        + titleId.length()
        + 1
        + mediumId.length()
        + 1
        + userId.length()
        + 1
        + deviceId.length()
        + 8
        + 8
        + Certificate.KEY_LENGTH
        + 2
        + SEALED_KEY_LENGTH
        + 2
        + centerCertificateLength
        + Certificate.SIGNATURE_LENGTH;
  }

  /** The AAD of the sealed Kd: str8 title ID ‖ str8 medium ID ‖ str8 device ID. */
  public static byte[] aad(String titleId, String mediumId, String deviceId) {
    return new Fields.Writer().str8(titleId).str8(mediumId).str8(deviceId).toByteArray();
  }

  /**
   * Where the central site's certificate starts in the encoded CS, so that a drive can point the
   * field pointer of an error inside it at the byte the host sent.
   */
  public int centerCertificateOffset() {
    return MAGIC.length()
        + 1 // format version
        + 1
        + titleId.length()
        + 1
        + mediumId.length()
        + 1
        + userId.length()
        + 1
        + deviceId.length()
        + 8 // serial
        + 8 // issue time
        + Certificate.KEY_LENGTH
        + 2
        + sealedKey.length
        + 2; // the certificate's bytes16 length
  }

  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(titleId)
        .str8(mediumId)
        .str8(userId)
        .str8(deviceId)
        .u64(serial)
        .u64(issuedEpochSeconds)
        .raw(ephemeralPublicKey)
        .bytes16(sealedKey)
        .bytes16(centerCertificate)
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static CopyCertificate decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "copy certificate");
    r.magic(MAGIC);
    r.version(VERSION);
    String title = r.id("title ID");
    String medium = r.id("medium ID");
    String user = r.id("user ID");
    String device = r.id("device ID");
    long serial = r.u64("serial");
    long issued = r.u64("issue time");
    byte[] ephemeral = r.raw("ephemeral public key", Certificate.KEY_LENGTH);
    byte[] sealed = r.bytes16("sealed key");
    byte[] center = r.bytes16("center certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new CopyCertificate(
        title, medium, user, device, serial, issued, ephemeral, sealed, center, signature);
  }
}
