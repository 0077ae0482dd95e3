package dev.secdrive.profiles;

/**
 * A drive profile, or a set of them, was refused. The message names the file and, where there is
 * one, the offending field as a JSON path, e.g. {@code profile mo-640.json: $.timing.loadMillis:
 * must have a minimum value of 0}.
 */
public final class ProfileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProfileException(String message) {
    super(message);
  }

  public ProfileException(String message, Throwable cause) {
    super(message, cause);
  }
}
