package dev.secdrive.protocol.iscsi;

import java.util.Objects;

/**
 * A CHAP exchange that fails (RFC 7143 section 12.1.3): the target ends the login with status 0201h
 * (authentication failure), the initiator drops the connection. The kind tells why; the message
 * never carries a secret or a response.
 */
public final class ChapException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why CHAP failed. */
  public enum Kind {
    /** CHAP_A offers no algorithm this end accepts (only 5, MD5). */
    UNSUPPORTED_ALGORITHM,
    /** A key the step needs is missing. */
    MISSING_KEY,
    /** A value that is not a number, or not the hex or base64 binary of section 6.1. */
    MALFORMED_VALUE,
    /** A challenge shorter than 16 bytes. */
    CHALLENGE_TOO_SHORT,
    /**
     * The peer sent back the challenge this end sent it: a reflection attack, where the answer to
     * our own challenge would authenticate the peer (section 12.1.3).
     */
    REFLECTED_CHALLENGE,
    /** CHAP_N names no one this end knows, or someone other than expected. */
    UNKNOWN_NAME,
    /** CHAP_R is not the response the secret gives. */
    WRONG_RESPONSE,
    /** Mutual CHAP asked for (CHAP_I and CHAP_C from the initiator) but no target secret set. */
    MUTUAL_NOT_CONFIGURED,
    /** The two directions share a secret, which section 12.1.3 forbids. */
    SAME_SECRET
  }

  private final Kind kind;
  private final String key;

  public ChapException(Kind kind, String key, String message) {
    super(key == null ? message : message + " (" + key + ")");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = key == null ? "" : key;
  }

  public Kind kind() {
    return kind;
  }

  /** The key concerned, or empty. */
  public String key() {
    return key;
  }
}
