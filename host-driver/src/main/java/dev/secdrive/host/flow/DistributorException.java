package dev.secdrive.host.flow;

/**
 * A distributor answered a request with an error (license-center/DISTRIBUTOR-API.md,
 * "Conventions"): wrong credentials (401), an unpaid bill (402), not the user's client or a revoked
 * one (403), an unknown content (404), no copy certificates left (409), ...
 */
public final class DistributorException extends FlowException {

  private final int status;
  private final String reason;

  DistributorException(int status, String reason) {
    super("distributor refused (HTTP " + status + "): " + reason);
    this.status = status;
    this.reason = reason;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The distributor's own words, from the {@code error} field of its answer. */
  public String reason() {
    return reason;
  }
}
