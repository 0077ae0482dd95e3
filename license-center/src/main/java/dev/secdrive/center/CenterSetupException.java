package dev.secdrive.center;

/** The data directory cannot be used: missing or corrupt keys or token, or already set up. */
public final class CenterSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CenterSetupException(String message, Throwable cause) {
    super(message, cause);
  }

  public CenterSetupException(String message) {
    super(message);
  }
}
