package dev.secdrive.kit.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

  @TempDir Path dir;

  @Test
  void aSecretOthersMayReadOrWriteIsRefused() throws IOException {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("key");
    AtomicFiles.replaceSecret(file, "k".getBytes());
    assertArrayEquals("k".getBytes(), SecretFiles.read(file));
    for (String loose : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-----w-"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(loose));
      LooseSecretFileException e =
          assertThrows(LooseSecretFileException.class, () -> SecretFiles.read(file), loose);
      assertEquals(file, e.file());
      assertEquals(
          file + " holds a secret but others may read or write it: chmod 600 " + file,
          e.getMessage());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    assertArrayEquals("k".getBytes(), SecretFiles.read(file));
  }

  @Test
  void aMissingSecretIsNoSuchFile() {
    assertThrows(NoSuchFileException.class, () -> SecretFiles.read(dir.resolve("absent")));
  }
}
