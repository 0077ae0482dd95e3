package dev.secdrive.kit.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.kit.crypto.HexKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyTreeFileTest {

  @TempDir Path dir;

  @Test
  void aWrittenFileReadsBackOwnerOnly() throws IOException {
    Path file = dir.resolve("authority").resolve("key-tree.json");
    KeyTreeFile tree = KeyTreeFile.create(20, 4);
    tree.write(file, false);
    KeyTreeFile read = KeyTreeFile.read(file);
    assertEquals(20, read.depth());
    assertEquals(4, read.categoryDepth());
    assertEquals(65536, read.leavesPerCategory());
    assertArrayEquals(tree.secret(), read.secret());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(tree.toString().contains(HexKeys.format(tree.secret())));
  }

  @Test
  void anExistingFileIsReplacedOnlyWhenAsked() throws IOException {
    Path file = dir.resolve("key-tree.json");
    KeyTreeFile first = KeyTreeFile.create(8, 2);
    first.write(file, false);
    assertThrows(
        FileAlreadyExistsException.class, () -> KeyTreeFile.create(8, 2).write(file, false));
    assertArrayEquals(first.secret(), KeyTreeFile.read(file).secret());
    KeyTreeFile second = KeyTreeFile.create(8, 2);
    second.write(file, true);
    assertArrayEquals(second.secret(), KeyTreeFile.read(file).secret());
    assertFalse(Arrays.equals(first.secret(), second.secret()));
  }

  @Test
  void aLooseFileIsRefused() throws IOException {
    Path file = dir.resolve("key-tree.json");
    KeyTreeFile.create(8, 2).write(file, false);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThrows(LooseSecretFileException.class, () -> KeyTreeFile.read(file));
  }

  @Test
  void aCorruptFileIsRefusedNamingTheProblem() throws IOException {
    String secret = "00".repeat(32);
    assertCorrupt(
        "{\"format\":2,\"depth\":20,\"categoryDepth\":4,\"secret\":\"" + secret + "\"}",
        "is corrupt: format 2; this secdrive reads 1");
    assertCorrupt(
        "{\"format\":1,\"depth\":33,\"categoryDepth\":4,\"secret\":\"" + secret + "\"}",
        "is corrupt: depth must be 1..32, got 33");
    assertCorrupt(
        "{\"format\":1,\"depth\":4,\"categoryDepth\":4,\"secret\":\"" + secret + "\"}",
        "is corrupt: category depth must be 0..3 for depth 4, got 4");
    assertCorrupt(
        "{\"format\":1,\"depth\":4,\"categoryDepth\":1,\"secret\":\"00\"}",
        "is corrupt: field 'secret' has 1 bytes, expected 32");
    assertCorrupt(
        "{\"format\":1,\"depth\":4,\"secret\":\"" + secret + "\"}",
        "is corrupt: field 'categoryDepth' is missing or not an integer");
    assertCorrupt(
        "{\"format\":1,\"depth\":4,\"categoryDepth\":1,\"secret\":\"" + secret + "\",\"x\":1}",
        "is corrupt: unknown field 'x'");
    assertCorrupt("[1]", "is corrupt: not a JSON object");
    assertCorrupt("{", "is not JSON");
  }

  private void assertCorrupt(String content, String message) throws IOException {
    Path file = dir.resolve("corrupt.json");
    AtomicFiles.replaceSecret(file, content.getBytes(StandardCharsets.UTF_8));
    IOException e = assertThrows(IOException.class, () -> KeyTreeFile.read(file));
    assertEquals(
        true, e.getMessage().startsWith("key tree file " + file + " " + message), e.getMessage());
  }
}
