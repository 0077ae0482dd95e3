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
 * A contents copy certificate (SDCC, S135-S140): the source client's distributor allows one move of
 * a content from the source client to the destination, and carries the destination's license.
 * "SDCC" | u8 1 | 16-byte serial | str8 content ID | u32 source leaf ID | u32 destination leaf ID |
 * bytes16 license for the destination (SDLI) | bytes16 issuer certificate (role 4) | 64-byte
 * signature over every byte before it.
 */
public record ContentsCopyCertificate(
    byte[] serial,
    String contentId,
    long sourceLeafId,
    long destinationLeafId,
    License license,
    Certificate issuer,
    byte[] signature) {

  public static final int VERSION = 1;
  public static final int SERIAL_LENGTH = 16;
  static final String MAGIC = "SDCC";

  public ContentsCopyCertificate {
    serial = Fields.checkLength("serial", serial, SERIAL_LENGTH).clone();
    Fields.checkId("content ID", contentId, License.ID_MAX);
    License.checkLeaf(sourceLeafId);
    License.checkLeaf(destinationLeafId);
    if (license == null || issuer == null) {
      throw new NullPointerException("license and issuer");
    }
    signature = Fields.checkLength("signature", signature, Certificate.SIGNATURE_LENGTH).clone();
  }

  public static ContentsCopyCertificate sign(
      byte[] serial,
      String contentId,
      long sourceLeafId,
      long destinationLeafId,
      License license,
      Certificate issuer,
      RawKeyPair issuerKey) {
    return sign(
        serial,
        contentId,
        sourceLeafId,
        destinationLeafId,
        license,
        issuer,
        Ed25519.signer(issuerKey.privateKey()));
  }

  /** As the other {@code sign} with {@code issuer}'s signer, for a key that signs many. */
  public static ContentsCopyCertificate sign(
      byte[] serial,
      String contentId,
      long sourceLeafId,
      long destinationLeafId,
      License license,
      Certificate issuer,
      Ed25519.Signer issuerKey) {
    ContentsCopyCertificate unsigned =
        new ContentsCopyCertificate(
            serial,
            contentId,
            sourceLeafId,
            destinationLeafId,
            license,
            issuer,
            new byte[Certificate.SIGNATURE_LENGTH]);
    return unsigned.withSignature(Issuer.sign(issuer, issuerKey, unsigned.signedBytes()));
  }

  public ContentsCopyCertificate withSignature(byte[] signature) {
    return new ContentsCopyCertificate(
        serial, contentId, sourceLeafId, destinationLeafId, license, issuer, signature);
  }

  @Override
  public byte[] serial() {
    return serial.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Whether the issuer's signature verifies (S162-S164; refusal 02h if not). */
  public boolean verifies() {
    return Issuer.verifies(issuer, signedBytes(), signature);
  }

  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
        .u8(VERSION)
        .raw(serial)
        .str8(contentId)
        .u32(sourceLeafId)
        .u32(destinationLeafId)
        .bytes16(license.encode())
        .bytes16(issuer.encode())
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static ContentsCopyCertificate decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "contents copy certificate");
    r.magic(MAGIC);
    r.version(VERSION);
    byte[] serial = r.raw("serial", SERIAL_LENGTH);
    String contentId = r.id("content ID", License.ID_MAX);
    long source = r.u32("source leaf ID");
    long destination = r.u32("destination leaf ID");
    License license = Issuer.nested(r, "license", License::decode);
    Certificate issuer = Issuer.read(r, "issuer certificate");
    byte[] signature = r.raw("signature", Certificate.SIGNATURE_LENGTH);
    r.end();
    return new ContentsCopyCertificate(
        serial, contentId, source, destination, license, issuer, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentsCopyCertificate c && Arrays.equals(encode(), c.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ContentsCopyCertificate["
        + HexFormat.of().formatHex(serial)
        + " "
        + contentId
        + " leaf "
        + sourceLeafId
        + " -> "
        + destinationLeafId
        + ", by "
        + issuer.subject()
        + "]";
  }
}
