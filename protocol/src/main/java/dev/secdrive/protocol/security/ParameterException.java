package dev.secdrive.protocol.security;

/**
 * A payload that does not parse. The drive answers it with INVALID FIELD IN PARAMETER LIST
 * (05/26/00) and a field pointer on {@link #offset()}.
 */
public final class ParameterException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int offset;

  public ParameterException(String message, int offset) {
    super(message);
    this.offset = offset;
  }

  /** The byte offset of the field that is wrong. */
  public int offset() {
    return offset;
  }
}
