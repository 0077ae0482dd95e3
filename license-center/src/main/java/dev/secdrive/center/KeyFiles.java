package dev.secdrive.center;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.secdrive.kit.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The JSON key files of the data directories ({@code center.json}, {@code distributor.json}):
 * unknown fields refused, written atomically and readable by the owner only, every failure a {@link
 * CenterSetupException} naming the file.
 */
public final class KeyFiles {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private KeyFiles() {}

  /**
   * Reads {@code file} as {@code type}.
   *
   * @param what names the file in messages, e.g. "center key file"
   * @param whom names who sets the directory up, e.g. "the center"
   * @throws CenterSetupException if it is missing, unreadable or not JSON of {@code type}
   */
  public static <T> T read(Path file, Class<T> type, String what, String whom) {
    try {
      return JSON.readValue(Files.readAllBytes(file), type);
    } catch (NoSuchFileException e) {
      throw new CenterSetupException(
          what + " " + file + " does not exist (set " + whom + " up first)", e);
    } catch (JacksonException e) {
      throw new CenterSetupException(
          what + " " + file + " is corrupt: " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new CenterSetupException("cannot read " + what + " " + file + ": " + e, e);
    }
  }

  /** Writes {@code value} to {@code file} as JSON (rw-------), atomically. */
  public static void write(Path file, Object value, String what) {
    try {
      AtomicFiles.replaceSecret(file, JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what + " " + file + ": " + e, e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
