package dev.secdrive.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --media-dir} option shared by commands that use the media store. */
final class MediaDirectory {

  @Option(
      names = "--media-dir",
      paramLabel = "DIR",
      defaultValue = "${env:SECDRIVE_MEDIA_DIR:-secdrive-media}",
      description = "Media directory (default: $SECDRIVE_MEDIA_DIR or ./secdrive-media).")
  Path directory;
}
