package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A license of the content move (SDLI, S79-S82; also an update, S96-S97, and the license for the
 * destination inside a contents copy certificate): "SDLI" | u8 1 | 16-byte serial | str8 license ID
 * | str8 content ID | u32 leaf ID | 16-byte certificate serial | 24 bytes use conditions | bytes16
 * issuer certificate (role 4) | 64-byte Ed25519 signature by the issuer over every byte before it.
 *
 * @param serial 16 random bytes, unique per issue: a drive installs each serial once
 * @param leafId the client it is for (S80)
 * @param certificateSerial the serial of the contents copy certificate this license travels in, all
 *     zero for a license installed by INSTALL LICENSE (a purchase or an update): a drive installs a
 *     bound license only by MOVE IN of exactly that certificate
 */
public record License(
    byte[] serial,
    String licenseId,
    String contentId,
    long leafId,
    byte[] certificateSerial,
    UseConditions conditions,
    Certificate issuer,
    byte[] signature) {

  public static final int VERSION = 1;
  public static final int SERIAL_LENGTH = 16;
  public static final int ID_MAX = 64;
  static final String MAGIC = "SDLI";

  public License {
    serial = Fields.checkLength("serial", serial, SERIAL_LENGTH).clone();
    Fields.checkId("license ID", licenseId, ID_MAX);
    Fields.checkId("content ID", contentId, ID_MAX);
    checkLeaf(leafId);
    certificateSerial =
        Fields.checkLength("certificate serial", certificateSerial, SERIAL_LENGTH).clone();
    if (conditions == null || issuer == null) {
      throw new NullPointerException("conditions and issuer");
    }
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  static void checkLeaf(long leafId) {
    if (leafId < 0 || leafId > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("leaf ID must be a u32");
    }
  }

  /** Signs a new license for INSTALL LICENSE (bound to no certificate) as {@code issuer}. */
  public static License sign(
      byte[] serial,
      String licenseId,
      String contentId,
      long leafId,
      UseConditions conditions,
      Certificate issuer,
      RawKeyPair issuerKey) {
    return sign(
        serial,
        licenseId,
        contentId,
        leafId,
        new byte[SERIAL_LENGTH],
        conditions,
        issuer,
        issuerKey);
  }

  /**
   * Signs a new license as {@code issuer}; {@code certificateSerial} names the contents copy
   * certificate it travels in (all zero for none).
   */
  public static License sign(
      byte[] serial,
      String licenseId,
      String contentId,
      long leafId,
      byte[] certificateSerial,
      UseConditions conditions,
      Certificate issuer,
      RawKeyPair issuerKey) {
    return sign(
        serial,
        licenseId,
        contentId,
        leafId,
        certificateSerial,
        conditions,
        issuer,
        Ed25519.signer(issuerKey.privateKey()));
  }

  /** A purchased license (bound to no certificate), signed with {@code issuer}'s signer. */
  public static License sign(
      byte[] serial,
      String licenseId,
      String contentId,
      long leafId,
      UseConditions conditions,
      Certificate issuer,
      Ed25519.Signer issuerKey) {
    return sign(
        serial,
        licenseId,
        contentId,
        leafId,
        new byte[SERIAL_LENGTH],
        conditions,
        issuer,
        issuerKey);
  }

  /**
   * As the other {@code sign} with {@code issuer}'s signer, for a key that signs many; {@code
   * certificateSerial} as there.
   */
  public static License sign(
      byte[] serial,
      String licenseId,
      String contentId,
      long leafId,
      byte[] certificateSerial,
      UseConditions conditions,
      Certificate issuer,
      Ed25519.Signer issuerKey) {
    License unsigned =
        new License(
            serial,
            licenseId,
            contentId,
            leafId,
            certificateSerial,
            conditions,
            issuer,
            new byte[Certificate.SIGNATURE_LENGTH]);
    return unsigned.withSignature(Issuer.sign(issuer, issuerKey, unsigned.signedBytes()));
  }

  public License withSignature(byte[] signature) {
    return new License(
        serial, licenseId, contentId, leafId, certificateSerial, conditions, issuer, signature);
  }

  /** The same license with other use conditions: what the drive keeps as they are consumed. */
  public License withConditions(UseConditions conditions) {
    return new License(
        serial, licenseId, contentId, leafId, certificateSerial, conditions, issuer, signature);
  }

  @Override
  public byte[] serial() {
    return serial.clone();
  }

  @Override
  public byte[] certificateSerial() {
    return certificateSerial.clone();
  }

  /**
   * Whether this license travels in a contents copy certificate (a non-zero certificate serial).
   */
  public boolean boundToCertificate() {
    for (byte b : certificateSerial) {
      if (b != 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether this license travels in the certificate of {@code serial}. */
  public boolean boundTo(byte[] certificate) {
    return boundToCertificate() && Arrays.equals(certificateSerial, certificate);
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Whether the issuer's signature verifies (refusal 02h if not). */
  public boolean verifies() {
    return Issuer.verifies(issuer, signedBytes(), signature);
  }

  public byte[] signedBytes() {
    Fields.Writer out =
        new Fields.Writer()
            .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
            .u8(VERSION)
            .raw(serial)
            .str8(licenseId)
            .str8(contentId)
            .u32(leafId)
            .raw(certificateSerial);
    conditions.encodeTo(out);
    return out.bytes16(issuer.encode()).toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static License decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "license");
    r.magic(MAGIC);
    r.version(VERSION);
    byte[] serial = r.raw("serial", SERIAL_LENGTH);
    String licenseId = r.id("license ID", ID_MAX);
    String contentId = r.id("content ID", ID_MAX);
    long leaf = r.u32("leaf ID");
    byte[] certificateSerial = r.raw("certificate serial", SERIAL_LENGTH);
    UseConditions conditions = UseConditions.decodeFrom(r);
    Certificate issuer = Issuer.read(r, "issuer certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new License(
        serial, licenseId, contentId, leaf, certificateSerial, conditions, issuer, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof License l && Arrays.equals(encode(), l.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "License["
        + licenseId
        + " for "
        + contentId
        + ", leaf "
        + leafId
        + ", serial "
        + HexFormat.of().formatHex(serial)
        + (boundToCertificate()
            ? ", in certificate " + HexFormat.of().formatHex(certificateSerial)
            : "")
        + ", "
        + conditions
        + ", by "
        + issuer.subject()
        + "]";
  }
}
