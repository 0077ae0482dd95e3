package dev.secdrive.cli;

import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A secret that an option names the file of (an admin token, a password): read through kit's {@link
 * SecretFiles}, so a file that group or others may read or write is refused, as the servers refuse
 * theirs. Another local user who can read it has the secret already.
 */
final class SecretFileOption {

  private SecretFileOption() {}

  /** The text of {@code file}, named by {@code option}; refused if others may read or write it. */
  static String read(String option, Path file) {
    try {
      return new String(SecretFiles.read(file), StandardCharsets.UTF_8);
    } catch (LooseSecretFileException e) {
      throw new CliException(option + " " + e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new CliException(option + " " + file + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(option + " " + file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
