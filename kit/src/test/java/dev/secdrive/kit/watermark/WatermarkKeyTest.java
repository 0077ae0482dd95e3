package dev.secdrive.kit.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.files.LooseSecretFileException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatermarkKeyTest {

  @TempDir Path dir;

  @Test
  void writesOwnerOnlyAndReadsBack() throws IOException {
    WatermarkKey key = WatermarkKey.generate();
    Path file = dir.resolve("keys/wm.key");
    key.write(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(Files.readString(file).matches("[0-9a-f]{64}\n"));
    assertEquals(key, WatermarkKey.read(file));
    assertNotEquals(key, WatermarkKey.generate());
    assertFalse(key.toString().contains(Files.readString(file).strip().substring(0, 8)));
    assertThrows(FileAlreadyExistsException.class, () -> WatermarkKey.generate().write(file));
  }

  @Test
  void refusesALooseOrMalformedFile() throws IOException {
    Path file = dir.resolve("wm.key");
    WatermarkKey.generate().write(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThrows(LooseSecretFileException.class, () -> WatermarkKey.read(file));
    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, "00ff\n");
    Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
    IOException e = assertThrows(IOException.class, () -> WatermarkKey.read(shortKey));
    assertEquals(shortKey + ": field 'watermark key' has 2 bytes, expected 32", e.getMessage());
  }
}
