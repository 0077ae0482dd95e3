package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;

/**
 * The second scheme's delivery of the conversion keys (PROTOCOL.md "Scheme 2"): Ku ‖ Ka sealed to
 * the target drive's certified X25519 key, for one title, one medium and one drive, signed by the
 * central site. The seed document encrypts them under the medium ID, which anyone can read; here
 * only the named drive can open them.
 */
public record ConversionGrant(
    String titleId,
    String mediumId,
    String deviceId,
    long serial,
    byte[] ephemeralPublicKey,
    byte[] sealedKeys,
    byte[] centerCertificate,
    byte[] signature) {

  public static final int VERSION = 1;
  private static final String MAGIC = "SDCG";

  public ConversionGrant {
    Fields.checkId("title ID", titleId, 64);
    Fields.checkId("medium ID", mediumId, 255);
    Fields.checkId("device ID", deviceId, 255);
    ephemeralPublicKey =
        Fields.checkLength("ephemeral public key", ephemeralPublicKey, Certificate.KEY_LENGTH)
            .clone();
    sealedKeys = Fields.checkMax("sealed keys", sealedKeys, 0xFFFF).clone();
    centerCertificate = Fields.checkMax("center certificate", centerCertificate, 0xFFFF).clone();
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] sealedKeys() {
    return sealedKeys.clone();
  }

  @Override
  public byte[] centerCertificate() {
    return centerCertificate.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public ConversionGrant withSignature(byte[] signature) {
    return new ConversionGrant(
        titleId,
        mediumId,
        deviceId,
        serial,
        ephemeralPublicKey,
        sealedKeys,
        centerCertificate,
        signature);
  }

  /**
   * Where the central site's certificate starts in the encoded grant, so that a drive can point the
   * field pointer of an error inside the certificate at the byte the host sent.
   */
  public int centerCertificateOffset() {
    return MAGIC.length()
        + 1 // format version
        + 1
        + titleId.length()
        + 1
        + mediumId.length()
        + 1
        + deviceId.length()
        + 8 // serial
        + Certificate.KEY_LENGTH
        + 2
        + sealedKeys.length
        + 2; // the certificate's bytes16 length
  }

  /** The AAD of the sealed keys: str8 title ID ‖ str8 medium ID ‖ str8 device ID. */
  public static byte[] aad(String titleId, String mediumId, String deviceId) {
    return new Fields.Writer().str8(titleId).str8(mediumId).str8(deviceId).toByteArray();
  }

  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(titleId)
        .str8(mediumId)
        .str8(deviceId)
        .u64(serial)
        .raw(ephemeralPublicKey)
        .bytes16(sealedKeys)
        .bytes16(centerCertificate)
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static ConversionGrant decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "conversion grant");
    r.magic(MAGIC);
    r.version(VERSION);
    String title = r.id("title ID");
    String medium = r.id("medium ID");
    String device = r.id("device ID");
    long serial = r.u64("serial");
    byte[] ephemeral = r.raw("ephemeral public key", Certificate.KEY_LENGTH);
    byte[] sealed = r.bytes16("sealed keys");
    byte[] center = r.bytes16("center certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new ConversionGrant(title, medium, device, serial, ephemeral, sealed, center, signature);
  }
}
