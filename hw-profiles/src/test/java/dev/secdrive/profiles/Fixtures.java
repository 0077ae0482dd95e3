package dev.secdrive.profiles;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Shared helpers: shipped profiles as editable JSON trees, and where the sources are. */
final class Fixtures {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Fixtures() {}

  /** The content of a shipped profile file, read from the classpath. */
  static byte[] shipped(String id) {
    try (InputStream in =
        Fixtures.class.getResourceAsStream("/dev/secdrive/profiles/drives/" + id + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no shipped profile " + id);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A shipped profile as a tree the test may change. */
  static ObjectNode tree(String id) {
    try {
      return (ObjectNode) MAPPER.readTree(shipped(id));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(ObjectNode tree) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The module's base directory (surefire sets basedir; the working directory otherwise). */
  static Path baseDir() {
    return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
  }

  static Path drivesSourceDir() {
    return baseDir().resolve("src/main/resources/dev/secdrive/profiles/drives");
  }
}
