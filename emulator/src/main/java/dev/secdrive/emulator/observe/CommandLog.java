package dev.secdrive.emulator.observe;

import java.util.Locale;

/**
 * Which of a drive's commands get a line on the {@link Instruments#COMMAND_LOG} logger, at INFO.
 */
public enum CommandLog {
  /** None. */
  OFF,
  /** Those that end other than GOOD, or that an injected fault hit. */
  ERRORS,
  /** Every one. */
  ALL;

  /** The level a flag or a request names: {@code off}, {@code errors} or {@code all}. */
  public static CommandLog parse(String text) {
    for (CommandLog level : values()) {
      if (level.text().equals(text)) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "command log level must be off, errors or all, not '" + text + "'");
  }

  /** As flags and the control API spell it. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
