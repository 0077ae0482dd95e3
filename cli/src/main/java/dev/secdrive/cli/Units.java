package dev.secdrive.cli;

/** Human-readable sizes. */
final class Units {

  private Units() {}

  /** Decimal megabytes or gigabytes, as media are labelled: {@code 635.6 MB}. */
  static String bytes(long bytes) {
    if (bytes >= 1_000_000_000L) {
      return String.format("%.2f GB", bytes / 1e9);
    }
    if (bytes >= 1_000_000L) {
      return String.format("%.1f MB", bytes / 1e6);
    }
    if (bytes >= 1_000L) {
      return String.format("%.1f kB", bytes / 1e3);
    }
    return bytes + " bytes";
  }
}
