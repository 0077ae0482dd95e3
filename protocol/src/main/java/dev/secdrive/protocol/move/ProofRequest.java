package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * F0h PROVE REGISTRATION parameter list (PROTOCOL.md "Registration proof"): bytes16 distributor
 * certificate (role 4) | str8 user ID (1..64 characters 20h..7Eh) | u8 challenge length (16..64)
 * and the challenge. Typed fields only: the drive makes the {@link RegistrationProof} it signs from
 * them and its own device ID.
 */
public record ProofRequest(Certificate distributor, String userId, byte[] challenge) {

  public ProofRequest {
    if (distributor == null || distributor.role() != Certificate.Role.DISTRIBUTOR) {
      throw new IllegalArgumentException("the distributor certificate must be of role DISTRIBUTOR");
    }
    RegistrationProof.checkUserId(userId);
    challenge = RegistrationProof.checkChallenge(challenge).clone();
  }

  @Override
  public byte[] challenge() {
    return challenge.clone();
  }

  /** Where the user ID starts in the list (after the certificate). */
  public int userIdOffset() {
    return 2 + distributor.encode().length;
  }

  public byte[] encode() {
    return new Fields.Writer()
        .bytes16(distributor.encode())
        .str8(userId)
        .u8(challenge.length)
        .raw(challenge)
        .toByteArray();
  }

  public static ProofRequest decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "PROVE REGISTRATION parameter list");
    Certificate distributor = distributor(r);
    String userId = userId(r, "PROVE REGISTRATION parameter list");
    byte[] challenge = challenge(r, "PROVE REGISTRATION parameter list");
    r.end();
    return new ProofRequest(distributor, userId, challenge);
  }

  /** A bytes16 certificate of role DISTRIBUTOR. */
  static Certificate distributor(Fields.Reader r) throws ParameterException {
    int at = r.position();
    Certificate c = Issuer.read(r, "distributor certificate");
    if (c.role() != Certificate.Role.DISTRIBUTOR) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "the distributor certificate is of role " + c.role(), at + 2 + 5);
    }
    return c;
  }

  /** A str8 user ID of 1..64 characters 20h..7Eh. */
  static String userId(Fields.Reader r, String what) throws ParameterException {
    int at = r.position();
    int n = r.u8("user ID length");
    byte[] bytes = r.raw("user ID", n);
    String userId = new String(bytes, StandardCharsets.US_ASCII);
    try {
      return RegistrationProof.checkUserId(userId);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(Kind.INVALID_VALUE, what + ": " + e.getMessage(), at);
    }
  }

  /** A u8 length of 16..64 and that many bytes. */
  static byte[] challenge(Fields.Reader r, String what) throws ParameterException {
    int at = r.position();
    int n = r.u8("challenge length");
    if (n < RegistrationProof.CHALLENGE_MIN || n > RegistrationProof.CHALLENGE_MAX) {
      throw new ParameterException(
          Kind.LENGTH,
          what
              + ": challenge length "
              + n
              + " is not "
              + RegistrationProof.CHALLENGE_MIN
              + ".."
              + RegistrationProof.CHALLENGE_MAX,
          at);
    }
    return r.raw("challenge", n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProofRequest p && Arrays.equals(encode(), p.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ProofRequest[user "
        + userId
        + " at "
        + distributor.subject()
        + ", challenge "
        + HexFormat.of().formatHex(challenge)
        + "]";
  }
}
