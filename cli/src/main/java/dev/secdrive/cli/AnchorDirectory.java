package dev.secdrive.cli;

import dev.secdrive.emulator.secure.DriveFiles;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --anchor-dir} option of the commands that run or enrol drives. */
final class AnchorDirectory {

  @Option(
      names = "--anchor-dir",
      paramLabel = "DIR",
      description =
          "Where the drives' anchors live, outside the media directory (default:"
              + " $XDG_STATE_HOME/secdrive/anchors or ~/.local/state/secdrive/anchors).")
  Path directory;

  Path path() {
    return directory != null ? directory : DriveFiles.defaultAnchorDirectory();
  }
}
