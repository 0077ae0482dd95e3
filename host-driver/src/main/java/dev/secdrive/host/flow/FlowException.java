package dev.secdrive.host.flow;

import dev.secdrive.host.api.DriveException;

/** A flow refused to go on, or could not: the message names the problem and what to do. */
public class FlowException extends DriveException {

  public FlowException(String message) {
    super(message);
  }

  public FlowException(String message, Throwable cause) {
    super(message, cause);
  }
}
