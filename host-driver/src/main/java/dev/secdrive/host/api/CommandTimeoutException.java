package dev.secdrive.host.api;

import java.time.Duration;

/**
 * A command got no status within its timeout. The connection stays open; a late answer is dropped.
 */
public class CommandTimeoutException extends DriveException {

  private final Duration timeout;

  public CommandTimeoutException(String command, Duration timeout, String target) {
    super(command + " timed out after " + timeout.toMillis() + " ms on " + target);
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }
}
