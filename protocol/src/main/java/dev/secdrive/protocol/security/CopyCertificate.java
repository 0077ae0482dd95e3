package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;

/**
 * The certificate code CS of the software copy's first scheme (PROTOCOL.md "Scheme 1"): the central
 * site's Ed25519 signature over the title, the target medium and the user. Where the seed document
 * computes a CBC-MAC under a key the terminal also holds, the terminal here verifies with the
 * site's public key and cannot make a certificate of its own.
 */
public record CopyCertificate(
    String titleId,
    String mediumId,
    String userId,
    long serial,
    long issuedEpochSeconds,
    byte[] centerCertificate,
    byte[] signature) {

  public static final int VERSION = 1;
  private static final String MAGIC = "SDCC";

  public CopyCertificate {
    Fields.checkId("title ID", titleId, 64);
    Fields.checkId("medium ID", mediumId, 255);
    Fields.checkId("user ID", userId, 255);
    centerCertificate = Fields.checkMax("center certificate", centerCertificate, 0xFFFF).clone();
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
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
        titleId, mediumId, userId, serial, issuedEpochSeconds, centerCertificate, signature);
  }

  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .str8(titleId)
        .str8(mediumId)
        .str8(userId)
        .u64(serial)
        .u64(issuedEpochSeconds)
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
    long serial = r.u64("serial");
    long issued = r.u64("issue time");
    byte[] center = r.bytes16("center certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new CopyCertificate(title, medium, user, serial, issued, center, signature);
  }
}
