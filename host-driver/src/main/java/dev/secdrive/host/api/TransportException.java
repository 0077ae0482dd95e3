package dev.secdrive.host.api;

/**
 * The connection to the drive could not be made, was lost, or broke the protocol. Commands in
 * flight when it happened may or may not have executed.
 */
public class TransportException extends DriveException {

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
