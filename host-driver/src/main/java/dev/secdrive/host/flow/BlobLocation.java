package dev.secdrive.host.flow;

import dev.secdrive.host.api.DriveUri;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a backup goes or a restore comes from, as a user writes it: {@code user-area:LBA} (the
 * drive's own user area), {@code file:PATH} (a file on the host) or {@code drive:URI} (a second
 * drive, FIG. 13-15).
 */
public sealed interface BlobLocation
    permits BlobLocation.UserArea, BlobLocation.HostFile, BlobLocation.SecondDrive {

  /** The blob in the drive's user area from {@code lba}. */
  record UserArea(long lba) implements BlobLocation {
    @Override
    public String toString() {
      return "user-area:" + lba;
    }
  }

  /** The blob in a file on the host. */
  record HostFile(Path path) implements BlobLocation {
    @Override
    public String toString() {
      return "file:" + path;
    }
  }

  /** The blob on the medium in a second drive, sealed to that drive. */
  record SecondDrive(DriveUri uri) implements BlobLocation {
    @Override
    public String toString() {
      return "drive:" + uri;
    }
  }

  /**
   * Parses {@code user-area:LBA}, {@code file:PATH} or {@code drive:URI}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static BlobLocation parse(String text) {
    String forms = " (use user-area:LBA, file:PATH or drive:URI)";
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("'" + text + "' names no kind of location" + forms);
    }
    String kind = text.substring(0, colon);
    String rest = text.substring(colon + 1);
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is missing what follows '" + kind + ":'");
    }
    switch (kind) {
      case "user-area":
        long lba;
        try {
          lba = Long.parseLong(rest);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'" + rest + "' in '" + text + "' is not an LBA (a whole number)");
        }
        if (lba < 0) {
          throw new IllegalArgumentException("LBA " + lba + " in '" + text + "' is negative");
        }
        return new UserArea(lba);
      case "file":
        try {
          return new HostFile(Path.of(rest));
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException("'" + rest + "' is not a file path: " + e.getReason());
        }
      case "drive":
        try {
          return new SecondDrive(DriveUri.parse(rest));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "'" + rest + "' in '" + text + "' is not a drive URI: " + e.getMessage());
        }
      default:
        throw new IllegalArgumentException(
            "unknown location kind '" + kind + "' in '" + text + "'" + forms);
    }
  }
}
