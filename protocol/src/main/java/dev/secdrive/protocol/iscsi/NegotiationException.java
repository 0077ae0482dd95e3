package dev.secdrive.protocol.iscsi;

import java.util.Objects;

/**
 * A negotiation that cannot go on (RFC 7143 sections 6.2 and 13): the key and what is wrong with
 * its value. A target ends the login with {@link #loginStatus()}; an initiator drops the
 * connection.
 */
public final class NegotiationException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Kind {
    /** A numerical value outside the key's range (section 13). */
    OUT_OF_RANGE(LoginStatus.INITIATOR_ERROR),
    /** A value of the wrong shape: not a number, not Yes or No, an empty list element. */
    MALFORMED(LoginStatus.INITIATOR_ERROR),
    /** A key the other party declares or offers, sent by this one (InitiatorName by a target). */
    WRONG_SENDER(LoginStatus.INITIATOR_ERROR),
    /** A key outside the stage that allows it (AuthMethod after security negotiation). */
    WRONG_STAGE(LoginStatus.INVALID_DURING_LOGIN),
    /** A session-wide (leading only) key on a connection added to a session (section 6.3). */
    LEADING_ONLY(LoginStatus.INITIATOR_ERROR),
    /** A key the first Login Request must carry is missing (InitiatorName, TargetName). */
    MISSING(LoginStatus.MISSING_PARAMETER),
    /** An answer the offer does not admit: a value not offered, a minimum above the offer. */
    INADMISSIBLE_ANSWER(LoginStatus.TARGET_ERROR),
    /** An answer to a key this end did not offer. */
    UNEXPECTED_KEY(LoginStatus.TARGET_ERROR);

    private final LoginStatus status;

    Kind(LoginStatus status) {
      this.status = status;
    }
  }

  private final Kind kind;
  private final String key;

  public NegotiationException(Kind kind, String key, String message) {
    super(key + ": " + message);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = Objects.requireNonNull(key, "key");
  }

  public Kind kind() {
    return kind;
  }

  public String key() {
    return key;
  }

  /** The Login Response status a target ends the login with. */
  public LoginStatus loginStatus() {
    return kind.status;
  }
}
