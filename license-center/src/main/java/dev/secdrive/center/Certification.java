package dev.secdrive.center;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.protocol.security.Certificate;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A server's Ed25519 key certified by the licensing authority: the central site's (role
 * CENTRAL_SITE) and each distributor's (role DISTRIBUTOR). The server never holds the authority's
 * private key: whoever holds the authority signs the certificate asked for, and the server checks
 * that it got exactly that, signed by the authority's public key.
 */
public final class Certification {

  private Certification() {}

  /**
   * {@code unsigned} signed by {@code authority}.
   *
   * @throws IllegalArgumentException if {@code authority} certified something else than asked
   */
  public static Certificate certify(Certificate unsigned, UnaryOperator<Certificate> authority) {
    Certificate signed = authority.apply(unsigned);
    if (!Arrays.equals(signed.signedBytes(), unsigned.signedBytes())) {
      throw new IllegalArgumentException("the authority certified something else than asked");
    }
    return signed;
  }

  /**
   * Checks that {@code certificate} has {@code role}, names {@code name}, certifies the key of
   * {@code signingKey} and is signed by {@code authorityPublicKey}.
   *
   * @throws IllegalArgumentException naming the first that fails
   */
  public static void check(
      Certificate certificate,
      Certificate.Role role,
      String name,
      byte[] signingKey,
      byte[] authorityPublicKey) {
    if (certificate.role() != role) {
      throw new IllegalArgumentException(
          "the certificate has role " + certificate.role() + ", not " + role);
    }
    if (!certificate.subject().equals(name)) {
      throw new IllegalArgumentException(
          "the certificate names '" + certificate.subject() + "', not '" + name + "'");
    }
    if (!Arrays.equals(Ed25519.publicKey(signingKey), certificate.ed25519PublicKey())) {
      throw new IllegalArgumentException("the certificate does not certify the signing key");
    }
    if (!signedBy(certificate, authorityPublicKey)) {
      throw new IllegalArgumentException(
          "the certificate is not signed by the licensing authority's key");
    }
  }

  /** Whether {@code certificate} carries the signature of {@code authorityPublicKey}. */
  public static boolean signedBy(Certificate certificate, byte[] authorityPublicKey) {
    return Ed25519.verify(authorityPublicKey, certificate.signedBytes(), certificate.signature());
  }
}
