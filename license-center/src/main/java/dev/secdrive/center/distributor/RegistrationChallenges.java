package dev.secdrive.center.distributor;

import dev.secdrive.center.Refusal;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.Fields;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The registration challenges of one distributor (DISTRIBUTOR-API.md "Preregistration"), stateless:
 * a challenge is u64 expiry (Unix seconds) ‖ 16 random bytes ‖ HMAC-SHA256(challenge key, {@value
 * #LABEL} ‖ str8 distributor name ‖ str8 user ID ‖ expiry ‖ random), 56 bytes. Nothing is kept per
 * user or per challenge, so no caller can fill a table, and every process of the distributor (they
 * share its key file) checks every other's.
 *
 * <p>What it cannot do, stateless: a challenge is not single-use; within its lifetime the same user
 * may answer it again. A proof answers one challenge for one user, drive and distributor, so a
 * second use is the same user registering the same drive, which registration allows anyway (the
 * retry after a lost answer).
 */
final class RegistrationChallenges {

  /** How long a challenge is good for after it was issued. */
  static final Duration LIFETIME = Duration.ofMinutes(5);

  /** The length of a challenge: expiry, random, MAC. */
  static final int LENGTH = 8 + 16 + 32;

  static final String LABEL = "secdrive registration challenge v1";

  private static final int HEAD = 8 + 16;

  private final byte[] key;
  private final String distributor;

  RegistrationChallenges(byte[] key, String distributor) {
    this.key = key.clone();
    this.distributor = distributor;
  }

  /** A challenge issued to {@code userId} at {@code now}, and when it expires. */
  record Issued(byte[] challenge, Instant expiresAt) {}

  Issued issue(String userId, Instant now) {
    Instant expires = now.plus(LIFETIME);
    byte[] head =
        new Fields.Writer().u64(expires.getEpochSecond()).raw(Bytes.random(HEAD - 8)).toByteArray();
    return new Issued(new Fields.Writer().raw(head).raw(mac(userId, head)).toByteArray(), expires);
  }

  /**
   * Checks that {@code challenge} was issued here to {@code userId} and has not expired at {@code
   * now}.
   *
   * @throws Refusal 400 for a challenge of the wrong length, 403 if it was not issued here to this
   *     user or was altered, 403 if it expired
   */
  void check(String userId, byte[] challenge, Instant now) {
    if (challenge.length != LENGTH) {
      throw Distributor.badRequest(
          "field 'challenge' must be "
              + LENGTH
              + " bytes (from POST /clients/challenges), got "
              + challenge.length);
    }
    byte[] head = Arrays.copyOf(challenge, HEAD);
    byte[] tag = Arrays.copyOfRange(challenge, HEAD, LENGTH);
    if (!MessageDigest.isEqual(tag, mac(userId, head))) {
      throw Distributor.forbidden(
          "the challenge was not issued by "
              + distributor
              + " to user "
              + userId
              + ", or it was altered: ask POST /clients/challenges for one");
    }
    long expires = 0;
    for (int i = 0; i < 8; i++) {
      expires = expires << 8 | (head[i] & 0xFF);
    }
    if (now.getEpochSecond() > expires) {
      throw Distributor.forbidden(
          "the challenge expired at "
              + Instant.ofEpochSecond(expires)
              + ": ask POST /clients/challenges for a new one");
    }
  }

  private byte[] mac(String userId, byte[] head) {
    byte[] input =
        new Fields.Writer()
            .raw(LABEL.getBytes(StandardCharsets.US_ASCII))
            .str8(distributor)
            .str8(userId)
            .raw(head)
            .toByteArray();
    return Hmac.sha256(key, input);
  }
}
