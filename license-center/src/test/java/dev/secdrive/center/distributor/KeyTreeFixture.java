package dev.secdrive.center.distributor;

import dev.secdrive.kit.files.KeyTreeFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a federation key-tree file for tests, as {@code secdrive authority key-tree} does. */
final class KeyTreeFixture {

  private KeyTreeFixture() {}

  static void write(Path file, int depth, int categoryDepth, byte[] secret) throws Exception {
    Files.createDirectories(file.getParent());
    new KeyTreeFile(depth, categoryDepth, secret).write(file, false);
  }
}
