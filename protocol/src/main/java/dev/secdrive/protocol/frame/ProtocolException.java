package dev.secdrive.protocol.frame;

/**
 * Broken framing: bad magic, unsupported version, inconsistent lengths, a frame larger than the
 * maximum. The connection that carried it cannot be trusted to stay in step and is closed; a bad
 * CDB inside a well-formed frame is not a protocol error.
 */
public class ProtocolException extends RuntimeException {

  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
