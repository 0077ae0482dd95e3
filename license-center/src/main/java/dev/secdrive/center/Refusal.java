package dev.secdrive.center;

/**
 * A request the central site refuses, with the reason a person can act on. The kind maps to an HTTP
 * status in the API.
 */
public final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why: each kind is one HTTP status. */
  public enum Kind {
    /** Malformed request: JSON, hex, IDs, numbers (400). */
    BAD_REQUEST(400),
    /** Admin endpoint without the admin token, or a copy request without signature (401). */
    UNAUTHORIZED(401),
    /** The user has unpaid bills (402). */
    PAYMENT_REQUIRED(402),
    /**
     * A copy request whose signature does not verify; a drive certificate not the authority's, or
     * not a drive's (403).
     */
    FORBIDDEN(403),
    /** Unknown title, user or path (404). */
    NOT_FOUND(404),
    /** Wrong method on a path (405). */
    METHOD_NOT_ALLOWED(405),
    /** Already registered, wrong scheme, payment larger than the debt (409). */
    CONFLICT(409);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Kind kind;

  public Refusal(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static Refusal badRequest(String message) {
    return new Refusal(Kind.BAD_REQUEST, message);
  }

  static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, message);
  }

  static Refusal conflict(String message) {
    return new Refusal(Kind.CONFLICT, message);
  }
}
