package dev.secdrive.kit.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  /** What a fault injector throws to cut the power. */
  static final class Cut extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void replaceReportsEveryStepInOrderAndLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("state");
    AtomicFiles.replace(file, "old".getBytes());
    List<String> seen = new ArrayList<>();
    AtomicFiles.replace(file, "new".getBytes(), seen::add);
    assertEquals(WriteSteps.REPLACE_STEPS, seen);
    assertArrayEquals("new".getBytes(), Files.readAllBytes(file));
    assertEquals(List.of(file), list());
  }

  /** A power cut at any step leaves the old content or the new, never a torn file. */
  @Test
  void aPowerCutAtAnyStepLeavesOldOrNew() throws IOException {
    for (String step : WriteSteps.REPLACE_STEPS) {
      Path file = dir.resolve("state-" + step);
      AtomicFiles.replace(file, "old".getBytes());
      WriteSteps cut =
          s -> {
            if (s.equals(step)) {
              throw new Cut();
            }
          };
      assertThrows(Cut.class, () -> AtomicFiles.replace(file, "new".getBytes(), cut));
      String content = Files.readString(file);
      boolean renamed = WriteSteps.REPLACE_STEPS.indexOf(step) >= 2;
      assertEquals(renamed ? "new" : "old", content, step);
    }
  }

  @Test
  void aSecretIsCreatedOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
    assumeTrue(posix());
    Path file = dir.resolve("keys/drive.json");
    AtomicFiles.replaceSecret(file, "secret".getBytes());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    AtomicFiles.replaceSecret(file, "secret 2".getBytes());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertArrayEquals("secret 2".getBytes(), SecretFiles.read(file));
  }

  @Test
  void createSecretNeverReplaces() throws IOException {
    Path file = dir.resolve("user-key.json");
    AtomicFiles.createSecret(file, "first".getBytes());
    assertThrows(
        FileAlreadyExistsException.class,
        () -> AtomicFiles.createSecret(file, "second".getBytes()));
    assertArrayEquals("first".getBytes(), Files.readAllBytes(file));
    assertEquals(List.of(file), list());
  }

  @Test
  void aStreamThatFailsLeavesTheOldContentAndNoTemporaryFile() throws IOException {
    Path file = dir.resolve("plaintext");
    AtomicFiles.replace(file, "old".getBytes());
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.replace(
                file,
                out -> {
                  out.write("half".getBytes());
                  throw new IOException("the drive refused");
                }));
    assertEquals("old", Files.readString(file));
    assertEquals(List.of(file), list());

    long written =
        AtomicFiles.replace(
            file,
            out -> {
              try (out) {
                out.write("new".getBytes());
              }
              return 3L;
            });
    assertEquals(3L, written);
    assertEquals("new", Files.readString(file));
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  private boolean posix() {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
