package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A certificate of the licensing authority (PROTOCOL.md "Certificates"): it binds a drive's device
 * ID to its X25519 and Ed25519 public keys, or a licensor's or central site's name to its Ed25519
 * key, under the authority's Ed25519 signature. Keys are raw: RFC 7748 for X25519, RFC 8032 for
 * Ed25519.
 *
 * @param x25519PublicKey 32 bytes; all zero for a licensor or a central site
 * @param signature 64 bytes over {@link #signedBytes()}
 */
public record Certificate(
    Role role, String subject, byte[] x25519PublicKey, byte[] ed25519PublicKey, byte[] signature) {

  public static final int KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;
  public static final int VERSION = 1;
  private static final String MAGIC = "SDCT";

  /**
   * Whom the authority certifies. A central site has a role of its own so that a licensor, which
   * may install licenses of its own titles, cannot sign copy certificates or conversion grants.
   */
  public enum Role {
    DRIVE(1),
    LICENSOR(2),
    CENTRAL_SITE(3),
    /**
     * A distributor's license server (seed 002): signs service data, licenses and contents copy
     * certificates; a drive of any distributor trusts it through the authority.
     */
    DISTRIBUTOR(4);

    private final int code;

    Role(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  public Certificate {
    if (role == null) {
      throw new NullPointerException("role");
    }
    if (role == Role.DRIVE) {
      Fields.checkId("device ID", subject, 255);
    } else if (subject == null
        || subject.isBlank()
        || subject.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException(role + " name must be 1..255 bytes of UTF-8");
    }
    x25519PublicKey = Fields.checkLength("X25519 public key", x25519PublicKey, KEY_LENGTH).clone();
    ed25519PublicKey =
        Fields.checkLength("Ed25519 public key", ed25519PublicKey, KEY_LENGTH).clone();
    signature = Fields.checkLength("signature", signature, SIGNATURE_LENGTH).clone();
  }

  /** A certificate to be signed: the signature is 64 zero bytes. */
  public static Certificate unsigned(
      Role role, String subject, byte[] x25519PublicKey, byte[] ed25519PublicKey) {
    return new Certificate(
        role, subject, x25519PublicKey, ed25519PublicKey, new byte[SIGNATURE_LENGTH]);
  }

  public Certificate withSignature(byte[] signature) {
    return new Certificate(role, subject, x25519PublicKey, ed25519PublicKey, signature);
  }

  @Override
  public byte[] x25519PublicKey() {
    return x25519PublicKey.clone();
  }

  @Override
  public byte[] ed25519PublicKey() {
    return ed25519PublicKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The bytes the authority signs: everything before the signature. */
  public byte[] signedBytes() {
    return new Fields.Writer()
        .raw(MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .u8(VERSION)
        .u8(role.code)
        .str8(subject)
        .raw(x25519PublicKey)
        .raw(ed25519PublicKey)
        .toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(signedBytes()).raw(signature).toByteArray();
  }

  public static Certificate decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "certificate");
    r.magic(MAGIC);
    r.version(VERSION);
    int at = r.position();
    int code = r.u8("role");
    Role role =
        Arrays.stream(Role.values())
            .filter(x -> x.code == code)
            .findFirst()
            .orElseThrow(
                () ->
                    new ParameterException(
                        Kind.INVALID_VALUE, "certificate has unknown role " + code, at));
    String subject =
        switch (role) {
          case DRIVE -> r.id("device ID");
          case LICENSOR -> r.name("licensor name");
          case CENTRAL_SITE -> r.name("central site name");
          case DISTRIBUTOR -> r.name("distributor name");
        };
    int xAt = r.position();
    byte[] x = r.raw("X25519 public key", KEY_LENGTH);
    if (role != Role.DRIVE && !Arrays.equals(x, new byte[KEY_LENGTH])) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "a " + role + " certificate carries no X25519 key", xAt);
    }
    byte[] ed = r.raw("Ed25519 public key", KEY_LENGTH);
    byte[] signature = r.raw("signature", SIGNATURE_LENGTH);
    r.end();
    return new Certificate(role, subject, x, ed, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Certificate c && Arrays.equals(encode(), c.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "Certificate["
        + role
        + " "
        + subject
        + ", ed25519 "
        + HexFormat.of().formatHex(ed25519PublicKey, 0, 8)
        + "…]";
  }
}
