package dev.secdrive.emulator.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * Replaces a file so that a crash at any point leaves either the old or the new content: write a
 * temporary file beside it, fsync it, rename it over the target, fsync the directory (POSIX rename
 * is atomic; the directory fsync makes the rename itself durable).
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  public static void replace(Path target, byte[] content) throws IOException {
    replace(target, content, WriteSteps.NONE);
  }

  /**
   * As {@link #replace(Path, byte[])}, reporting each of {@link WriteSteps#REPLACE_STEPS}. A {@link
   * PowerLoss} from {@code steps} stops at once: even the temporary file is left where it is.
   */
  public static void replace(Path target, byte[] content, WriteSteps steps) throws IOException {
    replace(target, content, steps, new FileAttribute<?>[0]);
  }

  /** As above; the file is created with {@code attributes} (e.g. owner-only permissions). */
  public static void replace(
      Path target, byte[] content, WriteSteps steps, FileAttribute<?>... attributes)
      throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Path temporary =
        Files.createTempFile(directory, "." + target.getFileName(), ".tmp", attributes);
    boolean powerLost = false;
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        steps.reached(WriteSteps.TEMP_WRITTEN);
        channel.force(true);
        steps.reached(WriteSteps.TEMP_SYNCED);
      }
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      steps.reached(WriteSteps.RENAMED);
      syncDirectory(directory);
      steps.reached(WriteSteps.DIRECTORY_SYNCED);
    } catch (PowerLoss e) {
      powerLost = true;
      throw e;
    } finally {
      if (!powerLost) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  public static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory for fsync; the rename is still atomic.
    }
  }
}
