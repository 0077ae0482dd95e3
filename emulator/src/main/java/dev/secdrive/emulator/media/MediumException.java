package dev.secdrive.emulator.media;

/** A medium that cannot be created, opened or used; the message names the medium and the file. */
public final class MediumException extends RuntimeException {

  public MediumException(String message) {
    super(message);
  }

  public MediumException(String message, Throwable cause) {
    super(message, cause);
  }
}
