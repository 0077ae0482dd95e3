package dev.secdrive.center.store;

/** The database failed or refused; the message names the operation. Nothing was written. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
