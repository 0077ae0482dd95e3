package dev.secdrive.host.api;

/** Base of every error the host driver reports. Unchecked, so async and sync code read alike. */
public class DriveException extends RuntimeException {

  public DriveException(String message) {
    super(message);
  }

  public DriveException(String message, Throwable cause) {
    super(message, cause);
  }
}
