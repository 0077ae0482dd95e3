package dev.secdrive.kit.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * Writes a file so that a crash at any point leaves either the old content or the new: write a
 * temporary file beside the target, fsync it, rename it over the target, fsync the directory. POSIX
 * rename is atomic; the directory fsync makes the rename itself durable. The temporary file is in
 * the target's directory because a rename across file systems is a copy.
 *
 * <p>The {@code *Secret} variants create the temporary file, and so the target, owner-only
 * (rw-------) from the first byte: changing the mode after writing would leave a window in which
 * others can open it.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes a file's content to a stream, and says what it wrote. */
  @FunctionalInterface
  public interface Content<T> {
    /**
     * Writes the content to {@code out}. Closing {@code out} is allowed and does nothing; an
     * exception leaves the target as it was.
     */
    T writeTo(OutputStream out) throws IOException;
  }

  /** Replaces {@code target} with {@code content}, readable as the umask allows. */
  public static void replace(Path target, byte[] content) throws IOException {
    replace(target, content, WriteSteps.NONE);
  }

  /** As {@link #replace(Path, byte[])}, reporting each of {@link WriteSteps#REPLACE_STEPS}. */
  public static void replace(Path target, byte[] content, WriteSteps steps) throws IOException {
    write(target, bytes(content), steps, true, new FileAttribute<?>[0]);
  }

  /**
   * Replaces {@code target} with what {@code content} streams, for content too large to hold: a
   * refused or broken stream leaves no torn file.
   *
   * @return what {@code content} returned
   */
  public static <T> T replace(Path target, Content<T> content) throws IOException {
    return write(target, content, WriteSteps.NONE, true, new FileAttribute<?>[0]);
  }

  /** Replaces {@code target} with a secret: owner-only, in a directory created owner-only. */
  public static void replaceSecret(Path target, byte[] content) throws IOException {
    replaceSecret(target, content, WriteSteps.NONE);
  }

  /**
   * As {@link #replaceSecret(Path, byte[])}, reporting each of {@link WriteSteps#REPLACE_STEPS}.
   */
  public static void replaceSecret(Path target, byte[] content, WriteSteps steps)
      throws IOException {
    Path directory = directoryOf(target);
    SecretFiles.createDirectories(directory);
    write(target, bytes(content), steps, true, SecretFiles.ownerOnlyFile(directory));
  }

  /**
   * Writes a secret to {@code target}, which must not exist: a key that a typo could overwrite is a
   * key lost.
   *
   * @throws FileAlreadyExistsException if {@code target} exists, even if it appeared meanwhile
   */
  public static void createSecret(Path target, byte[] content) throws IOException {
    Path directory = directoryOf(target);
    SecretFiles.createDirectories(directory);
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    write(target, bytes(content), WriteSteps.NONE, false, SecretFiles.ownerOnlyFile(directory));
  }

  /**
   * Fsyncs {@code directory}, so that a rename in it survives a crash. Some file systems refuse to
   * open a directory for fsync; the rename is still atomic there, so that is not an error.
   */
  public static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported here: atomic, if not durable
    }
  }

  private static <T> T write(
      Path target,
      Content<T> content,
      WriteSteps steps,
      boolean replace,
      FileAttribute<?>[] attributes)
      throws IOException {
    Path directory = directoryOf(target);
    Path temporary =
        Files.createTempFile(directory, "." + target.getFileName(), ".tmp", attributes);
    boolean powerLost = false;
    try {
      T result;
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        OutputStream out = new UnclosableStream(Channels.newOutputStream(channel));
        result = content.writeTo(out);
        out.flush();
        reach(steps, WriteSteps.TEMP_WRITTEN);
        channel.force(true);
        reach(steps, WriteSteps.TEMP_SYNCED);
      }
      if (replace) {
        move(temporary, target);
      } else {
        // A hard link fails if the target exists, atomically; a rename would replace it.
        Files.createLink(target, temporary);
      }
      reach(steps, WriteSteps.RENAMED);
      syncDirectory(directory);
      reach(steps, WriteSteps.DIRECTORY_SYNCED);
      return result;
    } catch (PowerCut e) {
      powerLost = true;
      throw e.cause;
    } finally {
      if (!powerLost) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  private static void move(Path temporary, Path target) throws IOException {
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Only on file systems without rename(2); better a plain replace than no write at all.
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void reach(WriteSteps steps, String step) {
    try {
      steps.reached(step);
    } catch (RuntimeException e) {
      throw new PowerCut(e);
    }
  }

  private static Content<Void> bytes(byte[] content) {
    return out -> {
      out.write(content);
      return null;
    };
  }

  private static Path directoryOf(Path target) {
    return target.toAbsolutePath().getParent();
  }

  /** Buffers, and keeps the channel open for the fsync after the content is written. */
  private static final class UnclosableStream extends BufferedOutputStream {
    UnclosableStream(OutputStream out) {
      super(out, 64 * 1024);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /** Carries what the hook threw past the clean-up, which a pulled plug would not run either. */
  private static final class PowerCut extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RuntimeException cause;

    PowerCut(RuntimeException cause) {
      super(null, cause, false, false);
      this.cause = cause;
    }
  }
}
