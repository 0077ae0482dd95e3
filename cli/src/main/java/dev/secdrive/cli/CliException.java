package dev.secdrive.cli;

/** A command-line error whose message is all the user needs. */
final class CliException extends RuntimeException {

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
