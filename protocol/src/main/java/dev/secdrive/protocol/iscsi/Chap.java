package dev.secdrive.protocol.iscsi;

import dev.secdrive.protocol.iscsi.ChapException.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * CHAP (RFC 1994) as iSCSI login uses it (RFC 7143 section 12.1.3), both directions, as pure
 * functions of the keys received and the values this end chose; the caller keeps the challenge it
 * sent between the steps and draws it from a {@link SecureRandom}.
 *
 * <pre>
 * I->T  AuthMethod=CHAP,...          T->I  AuthMethod=CHAP
 * I->T  CHAP_A=5                     T->I  CHAP_A=5 CHAP_I=… CHAP_C=…      {@link #targetChallenge}
 * I->T  CHAP_N CHAP_R [CHAP_I CHAP_C]                                   {@link #initiatorResponse}
 *                                    T->I  [CHAP_N CHAP_R]              {@link #verifyInitiator}
 * initiator checks the target's answer                                  {@link #verifyTarget}
 * </pre>
 *
 * <p>Only algorithm 5 (MD5) is offered and taken: RFC 7143 requires it and libiscsi and tgt speak
 * nothing else. Challenges are at least 16 bytes both ways; a challenge that reflects the one this
 * end sent is refused, and so is a configuration that uses one secret for both directions.
 */
public final class Chap {

  public static final String CHAP_A = "CHAP_A";
  public static final String CHAP_I = "CHAP_I";
  public static final String CHAP_C = "CHAP_C";
  public static final String CHAP_N = "CHAP_N";
  public static final String CHAP_R = "CHAP_R";

  /** CHAP_A value of MD5 (RFC 1994 section 4.1, the IANA PPP authentication algorithms). */
  public static final int MD5 = 5;

  public static final int MINIMUM_CHALLENGE_LENGTH = 16;

  /** The challenge length secdrive sends: as long as tgt's, well beyond the minimum. */
  public static final int CHALLENGE_LENGTH = 32;

  private Chap() {}

  /** A challenge: the CHAP_I identifier and the CHAP_C bytes. */
  public record Challenge(int identifier, byte[] bytes) {
    public Challenge {
      if (identifier < 0 || identifier > 0xFF) {
        throw new IllegalArgumentException("CHAP_I out of range 0..255: " + identifier);
      }
      if (bytes.length < MINIMUM_CHALLENGE_LENGTH) {
        throw new IllegalArgumentException("a challenge shorter than 16 bytes");
      }
      bytes = bytes.clone();
    }

    /** A fresh challenge of {@link #CHALLENGE_LENGTH} random bytes and a random identifier. */
    public static Challenge random(SecureRandom random) {
      byte[] bytes = new byte[CHALLENGE_LENGTH];
      random.nextBytes(bytes);
      return new Challenge(random.nextInt(256), bytes);
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Challenge c
          && c.identifier == identifier
          && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return 31 * identifier + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Challenge[CHAP_I=" + identifier + ", " + bytes.length + " bytes]";
    }
  }

  /** A CHAP name and its secret: who authenticates, and with what. */
  public record Credentials(String name, byte[] secret) {
    public Credentials {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || secret.length == 0) {
        throw new IllegalArgumentException("a CHAP name and secret are not empty");
      }
      secret = secret.clone();
    }

    public static Credentials of(String name, String secret) {
      return new Credentials(name, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] secret() {
      return secret.clone();
    }

    @Override
    public String toString() {
      return "Credentials[" + name + ", secret hidden]";
    }
  }

  // ------------------------------------------------------------------ primitives

  /** The CHAP response: MD5 over the identifier byte, the secret and the challenge. */
  public static byte[] response(int identifier, byte[] secret, byte[] challenge) {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has MD5", e);
    }
    md5.update((byte) identifier);
    md5.update(secret);
    md5.update(challenge);
    return md5.digest();
  }

  /** A binary value as section 6.1 writes it: {@code 0x} and hex digits. */
  public static String hex(byte[] bytes) {
    return "0x" + HexFormat.of().withUpperCase().formatHex(bytes);
  }

  /** A binary value as section 6.1 writes it: {@code 0b} and base64. */
  public static String base64(byte[] bytes) {
    return "0b" + Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Parses a binary value: {@code 0x}/{@code 0X} and hex digits (an odd count reads as a leading
   * zero nibble, section 6.1), or {@code 0b}/{@code 0B} and base64.
   */
  public static byte[] binary(String key, String value) throws ChapException {
    if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
      String digits = value.substring(2);
      if (digits.length() % 2 != 0) {
        digits = "0" + digits;
      }
      try {
        return HexFormat.of().parseHex(digits);
      } catch (IllegalArgumentException e) {
        throw new ChapException(Kind.MALFORMED_VALUE, key, "not hex digits");
      }
    }
    if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
      try {
        return Base64.getDecoder().decode(value.substring(2));
      } catch (IllegalArgumentException e) {
        throw new ChapException(Kind.MALFORMED_VALUE, key, "not base64");
      }
    }
    throw new ChapException(Kind.MALFORMED_VALUE, key, "a binary value starts with 0x or 0b");
  }

  private static int identifier(String value) throws ChapException {
    try {
      int identifier =
          value.startsWith("0x") || value.startsWith("0X")
              ? Integer.parseInt(value.substring(2), 16)
              : Integer.parseInt(value);
      if (identifier < 0 || identifier > 0xFF) {
        throw new NumberFormatException();
      }
      return identifier;
    } catch (NumberFormatException e) {
      throw new ChapException(Kind.MALFORMED_VALUE, CHAP_I, "CHAP_I is a number 0..255");
    }
  }

  private static String required(TextKeys keys, String key) throws ChapException {
    return keys.get(key).orElseThrow(() -> new ChapException(Kind.MISSING_KEY, key, "missing"));
  }

  private static byte[] challengeValue(TextKeys keys) throws ChapException {
    byte[] challenge = binary(CHAP_C, required(keys, CHAP_C));
    if (challenge.length < MINIMUM_CHALLENGE_LENGTH) {
      throw new ChapException(
          Kind.CHALLENGE_TOO_SHORT, CHAP_C, challenge.length + " bytes, fewer than 16");
    }
    return challenge;
  }

  // ------------------------------------------------------------------ the target's side

  /**
   * The target's answer to the initiator's {@code CHAP_A} offer: the algorithm, then the challenge.
   *
   * @throws ChapException {@link Kind#UNSUPPORTED_ALGORITHM} when the offer has no 5; the caller
   *     answers {@code CHAP_A=Reject} and fails the login
   */
  public static TextKeys targetChallenge(TextKeys initiator, Challenge ours) throws ChapException {
    String offer = required(initiator, CHAP_A);
    boolean md5 = false;
    for (String algorithm : offer.split(",", -1)) {
      md5 |= algorithm.trim().equals(Integer.toString(MD5));
    }
    if (!md5) {
      throw new ChapException(Kind.UNSUPPORTED_ALGORITHM, CHAP_A, "only 5 (MD5) is accepted");
    }
    return TextKeys.of(
        CHAP_A,
        Integer.toString(MD5),
        CHAP_I,
        Integer.toString(ours.identifier()),
        CHAP_C,
        hex(ours.bytes));
  }

  /**
   * Checks the initiator's response to {@code sent}; when the initiator asks to authenticate the
   * target as well (it sends CHAP_I and CHAP_C), answers with the target's CHAP_N and CHAP_R.
   *
   * @param secrets the secret of each initiator CHAP name this target knows
   * @param target the target's own credentials for mutual CHAP, if configured
   * @return the keys to answer with: empty for one-way CHAP
   */
  public static TextKeys verifyInitiator(
      TextKeys initiator,
      Challenge sent,
      Function<String, Optional<byte[]>> secrets,
      Optional<Credentials> target)
      throws ChapException {
    String name = required(initiator, CHAP_N);
    byte[] response = binary(CHAP_R, required(initiator, CHAP_R));
    boolean mutual = initiator.get(CHAP_I).isPresent() || initiator.get(CHAP_C).isPresent();
    Challenge theirs = null;
    if (mutual) {
      int identifier = identifier(required(initiator, CHAP_I));
      byte[] challenge = challengeValue(initiator);
      if (MessageDigest.isEqual(challenge, sent.bytes)) {
        throw new ChapException(
            Kind.REFLECTED_CHALLENGE, CHAP_C, "the initiator sent back the target's challenge");
      }
      theirs = new Challenge(identifier, challenge);
    }
    byte[] secret =
        secrets
            .apply(name)
            .orElseThrow(() -> new ChapException(Kind.UNKNOWN_NAME, CHAP_N, "no such initiator"));
    byte[] expected = response(sent.identifier(), secret, sent.bytes);
    if (!MessageDigest.isEqual(expected, response)) {
      throw new ChapException(Kind.WRONG_RESPONSE, CHAP_R, "the response does not match");
    }
    if (!mutual) {
      return TextKeys.EMPTY;
    }
    Credentials credentials =
        target.orElseThrow(
            () ->
                new ChapException(
                    Kind.MUTUAL_NOT_CONFIGURED, CHAP_C, "no target secret for mutual CHAP"));
    if (MessageDigest.isEqual(credentials.secret, secret)) {
      throw new ChapException(
          Kind.SAME_SECRET, null, "the initiator's and the target's secrets are the same");
    }
    return TextKeys.of(
        CHAP_N,
        credentials.name(),
        CHAP_R,
        hex(response(theirs.identifier(), credentials.secret, theirs.bytes)));
  }

  // ------------------------------------------------------------------ the initiator's side

  /** The initiator's algorithm offer. */
  public static TextKeys initiatorAlgorithms() {
    return TextKeys.of(CHAP_A, Integer.toString(MD5));
  }

  /**
   * The initiator's response to the target's challenge, and its own challenge when it authenticates
   * the target too ({@code mutual} present).
   */
  public static TextKeys initiatorResponse(
      TextKeys target, Credentials ours, Optional<Challenge> mutual) throws ChapException {
    String algorithm = required(target, CHAP_A);
    if (!algorithm.equals(Integer.toString(MD5))) {
      throw new ChapException(Kind.UNSUPPORTED_ALGORITHM, CHAP_A, "the target chose " + algorithm);
    }
    int identifier = identifier(required(target, CHAP_I));
    byte[] challenge = challengeValue(target);
    byte[] response = response(identifier, ours.secret, challenge);
    if (mutual.isEmpty()) {
      return TextKeys.of(CHAP_N, ours.name(), CHAP_R, hex(response));
    }
    if (MessageDigest.isEqual(mutual.get().bytes, challenge)) {
      throw new ChapException(
          Kind.REFLECTED_CHALLENGE, CHAP_C, "our challenge is the one the target sent");
    }
    return TextKeys.of(
        CHAP_N,
        ours.name(),
        CHAP_R,
        hex(response),
        CHAP_I,
        Integer.toString(mutual.get().identifier()),
        CHAP_C,
        hex(mutual.get().bytes));
  }

  /**
   * Checks the target's answer to the initiator's challenge {@code sent}.
   *
   * @param expected the target's CHAP name and secret as configured on the initiator
   * @param initiatorSecret the initiator's own secret, which must differ from the target's
   */
  public static void verifyTarget(
      TextKeys target, Challenge sent, Credentials expected, byte[] initiatorSecret)
      throws ChapException {
    if (MessageDigest.isEqual(expected.secret, initiatorSecret)) {
      throw new ChapException(
          Kind.SAME_SECRET, null, "the initiator's and the target's secrets are the same");
    }
    String name = required(target, CHAP_N);
    if (!name.equals(expected.name())) {
      throw new ChapException(
          Kind.UNKNOWN_NAME, CHAP_N, "the target answered as someone else: " + name);
    }
    byte[] response = binary(CHAP_R, required(target, CHAP_R));
    if (!MessageDigest.isEqual(
        response(sent.identifier(), expected.secret, sent.bytes), response)) {
      throw new ChapException(Kind.WRONG_RESPONSE, CHAP_R, "the target's response does not match");
    }
  }

  /** The value of {@code AuthMethod} for CHAP, as section 12.1 spells it. */
  public static final String AUTH_METHOD = "CHAP";
}
