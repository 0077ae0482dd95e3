package dev.secdrive.emulator.faults;

/** A fault script that cannot be read or is not valid; the message names the file and field. */
public final class FaultScriptException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public FaultScriptException(String message) {
    super(message);
  }

  public FaultScriptException(String message, Throwable cause) {
    super(message, cause);
  }
}
