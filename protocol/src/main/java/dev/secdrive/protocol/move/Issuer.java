package dev.secdrive.protocol.move;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import java.util.Arrays;

/**
 * The issuer of a signed record of the content move: a distributor's license server, known by its
 * authority-issued certificate of role DISTRIBUTOR, carried in the record as bytes16.
 */
public final class Issuer {

  private Issuer() {}

  /**
   * Whether {@code issuer} is a DISTRIBUTOR certificate signed by the licensing authority whose
   * Ed25519 public key is {@code authorityPublicKey}: refusal 01h if not.
   */
  public static boolean certifiedBy(Certificate issuer, byte[] authorityPublicKey) {
    return issuer.role() == Certificate.Role.DISTRIBUTOR
        && Ed25519.verify(authorityPublicKey, issuer.signedBytes(), issuer.signature());
  }

  /** Whether {@code signature} is the issuer's over {@code signed}: refusal 02h if not. */
  static boolean verifies(Certificate issuer, byte[] signed, byte[] signature) {
    return Ed25519.verify(issuer.ed25519PublicKey(), signed, signature);
  }

  /** Signs as {@code issuer}, whose key pair {@code key} must be. */
  static byte[] sign(Certificate issuer, RawKeyPair key, byte[] signed) {
    if (!Arrays.equals(issuer.ed25519PublicKey(), key.publicKey())) {
      throw new IllegalArgumentException("the key pair is not the issuer certificate's");
    }
    return Ed25519.sign(key.privateKey(), signed);
  }

  /** Signs as {@code issuer}, whose private key {@code signer} must have. */
  static byte[] sign(Certificate issuer, Ed25519.Signer signer, byte[] signed) {
    if (!Arrays.equals(issuer.ed25519PublicKey(), signer.publicKey())) {
      throw new IllegalArgumentException("the signer's key is not the issuer certificate's");
    }
    return signer.sign(signed);
  }

  /** Reads a bytes16 certificate, reporting an error inside it at its offset in {@code r}. */
  static Certificate read(Fields.Reader r, String field) throws ParameterException {
    return nested(r, field, Certificate::decode);
  }

  /** A decoder of a record carried inside another. */
  interface Decoder<T> {
    T decode(byte[] in) throws ParameterException;
  }

  /** Reads a bytes16 record, reporting an error inside it at its offset in {@code r}. */
  static <T> T nested(Fields.Reader r, String field, Decoder<T> decoder) throws ParameterException {
    int at = r.position() + 2;
    byte[] bytes = r.bytes16(field);
    try {
      return decoder.decode(bytes);
    } catch (ParameterException e) {
      throw e.within(at);
    }
  }
}
