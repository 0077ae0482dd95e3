package dev.secdrive.center.store;

/** The user a transaction needs is not registered (removed since it was looked up). */
public final class UnknownUserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownUserException(String userId) {
    super("no user " + userId, null, false, false);
  }
}
