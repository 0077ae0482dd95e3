package dev.secdrive.host.flow;

/**
 * The central site answered a request with an error: an unknown title (S12), an unknown user,
 * unpaid bills, the wrong scheme, a drive certificate it does not accept, ...
 */
public final class CenterException extends FlowException {

  private final int status;
  private final String reason;

  CenterException(int status, String reason) {
    super("central site refused (HTTP " + status + "): " + reason);
    this.status = status;
    this.reason = reason;
  }

  /** The HTTP status: 404 unknown title or user, 402 unpaid bills, 409 wrong scheme, ... */
  public int status() {
    return status;
  }

  /** The site's own words, from the {@code error} field of its answer. */
  public String reason() {
    return reason;
  }
}
