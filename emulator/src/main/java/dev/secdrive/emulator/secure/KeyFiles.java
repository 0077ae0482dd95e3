package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * JSON files holding the drive's secrets: owner-only (rw-------), replaced atomically, refused when
 * others may read them.
 */
final class KeyFiles {

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  private KeyFiles() {}

  static void write(Path file, Object value, WriteSteps steps) throws IOException {
    AtomicFiles.replaceSecret(file, JSON.writeValueAsBytes(value), steps);
  }

  /**
   * Reads {@code file} as {@code type}.
   *
   * @throws KeyFileException naming the file if it is missing, unreadable, corrupt, or readable by
   *     others (who would then hold the drive's keys)
   */
  static <T> T read(Path file, Class<T> type, String what) {
    try {
      return JSON.readValue(SecretFiles.read(file), type);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(what + " " + file + " does not exist", e);
    } catch (LooseSecretFileException e) {
      throw new KeyFileException(what + " " + e.getMessage(), e);
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
    return HexKeys.format(bytes);
  }

  static byte[] unhex(String field, String value, int length) {
    return HexKeys.parse(field, value, length);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
