package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.secdrive.emulator.media.AtomicFiles;
import dev.secdrive.emulator.media.WriteSteps;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/** JSON files holding secrets: owner-only permissions (rw-------), replaced atomically. */
final class KeyFiles {

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  private static final HexFormat HEX = HexFormat.of();

  private KeyFiles() {}

  static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] ownerOnly() {
    return posix()
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] ownerOnlyDirectory() {
    return posix()
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
        }
        : new FileAttribute<?>[0];
  }

  static void write(Path file, Object value, WriteSteps steps) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent, ownerOnlyDirectory());
    }
    AtomicFiles.replace(file, JSON.writeValueAsBytes(value), steps, ownerOnly());
  }

  /**
   * Reads {@code file} as {@code type}.
   *
   * @throws KeyFileException naming the file if it is missing, unreadable or corrupt
   */
  static <T> T read(Path file, Class<T> type, String what) {
    try {
      return JSON.readValue(Files.readAllBytes(file), type);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(what + " " + file + " does not exist", e);
    } catch (JacksonException e) {
      throw new KeyFileException(
          what + " " + file + " is corrupt: " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new KeyFileException("cannot read " + what + " " + file + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(what + " " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  static byte[] unhex(String field, String value, int length) {
    if (value == null) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    byte[] bytes;
    try {
      bytes = HEX.parseHex(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' is not hexadecimal");
    }
    if (length >= 0 && bytes.length != length) {
      throw new IllegalArgumentException(
          "field '" + field + "' has " + bytes.length + " bytes, expected " + length);
    }
    return bytes;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
