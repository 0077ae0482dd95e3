package dev.secdrive.emulator.secure;

/**
 * A drive's keys, state or anchor do not belong together, so the drive does not start; the message
 * names the files and how to recover.
 */
public final class DriveStateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DriveStateException(String message) {
    super(message);
  }

  public DriveStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
