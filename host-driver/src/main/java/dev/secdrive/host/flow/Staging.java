package dev.secdrive.host.flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one rip writes its WAV files before they are published into the output directory: a
 * directory inside it (so publishing is a rename), removed at {@link #close}. {@link #publish} puts
 * every file in place or none: a failure part way undoes the moves and puts back the files it
 * replaced.
 *
 * <p>Targets are judged without following links: a link at a target is a file there (replaced, not
 * written through, and only when replacing is allowed).
 */
final class Staging implements AutoCloseable {

  private final Path directory;
  private final Path staging;

  private Staging(Path directory, Path staging) {
    this.directory = directory;
    this.staging = staging;
  }

  /**
   * A staging directory in {@code directory}, which is created if missing.
   *
   * @throws FlowException if {@code directory} is a file
   */
  static Staging in(Path directory) {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new FlowException(directory + " is a file, not a directory to rip into");
    }
    try {
      Files.createDirectories(directory);
      return new Staging(directory, Files.createTempDirectory(directory, ".rip-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write into " + directory + ": " + e, e);
    }
  }

  /** Refuses before anything is read what {@link #publish} would refuse after. */
  static void requireFree(List<Path> targets, boolean overwrite) {
    for (Path target : targets) {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FlowException(target + " is a directory; a WAV cannot replace it");
      }
      if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FlowException(
            target
                + " exists; remove it, rip into another directory or allow replacing it (rip"
                + " --force)");
      }
    }
  }

  /** Where the file that is to become {@code target} is written. */
  Path file(Path target) {
    return staging.resolve(target.getFileName());
  }

  /**
   * Moves the staged file of every target into place. Without {@code overwrite} a target that
   * appeared since {@link #requireFree} is not replaced: the publication fails.
   *
   * @throws FlowException when a target is in the way; nothing of this rip is then published and
   *     every file replaced is back
   */
  void publish(List<Path> targets, boolean overwrite) {
    requireFree(targets, overwrite);
    List<Path> placed = new ArrayList<>();
    List<Path[]> replaced = new ArrayList<>();
    try {
      for (Path target : targets) {
        Path staged = file(target);
        if (overwrite) {
          if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Path old = staging.resolve(".old-" + target.getFileName());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            replaced.add(new Path[] {old, target});
          }
          Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } else {
          Files.createLink(target, staged); // fails if a file appeared there meanwhile
          Files.delete(staged);
        }
        placed.add(target);
      }
      for (Path[] r : replaced) {
        Files.deleteIfExists(r[0]);
      }
    } catch (IOException e) {
      undo(placed, replaced);
      String why =
          e instanceof FileAlreadyExistsException
              ? e.getMessage() + " appeared during the rip"
              : e.toString();
      throw new FlowException(
          "cannot put the WAVs in place in " + directory + " (" + why + "); nothing was kept", e);
    }
  }

  private static void undo(List<Path> placed, List<Path[]> replaced) {
    for (Path p : placed) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // the restore below still runs
      }
    }
    for (Path[] r : replaced) {
      try {
        Files.move(r[0], r[1], StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException ignored) {
        // left in the staging directory, which close() then keeps
      }
    }
  }

  /** Removes the staging directory, unless a file it could not put back is still in it. */
  @Override
  public void close() {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
      for (Path f : files) {
        if (!f.getFileName().toString().startsWith(".old-")) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(staging);
    } catch (IOException e) {
      // a directory left behind holds only files of a rip that was not published
    }
  }
}
