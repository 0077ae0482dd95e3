package dev.secdrive.emulator.firmware;

/** A control request (insert, remove, write-protect) the drive refuses; the message says why. */
public final class DriveControlException extends RuntimeException {

  public DriveControlException(String message) {
    super(message);
  }
}
