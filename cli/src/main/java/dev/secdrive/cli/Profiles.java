package dev.secdrive.cli;

import dev.secdrive.profiles.ProfileCatalog;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --profiles} option: extra drive profiles on top of the built-in ones. */
final class Profiles {

  @Option(
      names = "--profiles",
      paramLabel = "DIR",
      description = "Directory of extra drive profiles (*.json); they override built-in ones.")
  Path directory;

  ProfileCatalog catalog() {
    return directory == null ? ProfileCatalog.builtIn() : ProfileCatalog.load(directory);
  }
}
