package dev.secdrive.center.distributor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/** Writes a federation key-tree file for tests. */
final class KeyTreeFixture {

  private KeyTreeFixture() {}

  static void write(Path file, int depth, int categoryDepth, byte[] secret) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "{\"format\": 1, \"depth\": "
            + depth
            + ", \"categoryDepth\": "
            + categoryDepth
            + ", \"secret\": \""
            + HexFormat.of().formatHex(secret)
            + "\"}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }
}
