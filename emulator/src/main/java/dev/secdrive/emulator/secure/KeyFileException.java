package dev.secdrive.emulator.secure;

/** A key or drive-state file is missing, unreadable or corrupt; the message names the file. */
public final class KeyFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }

  public KeyFileException(String message) {
    super(message);
  }
}
