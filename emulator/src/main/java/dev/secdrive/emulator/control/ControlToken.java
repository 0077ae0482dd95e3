package dev.secdrive.emulator.control;

import dev.secdrive.emulator.Emulator;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The bearer token of the control API: 32 random bytes as 64 hexadecimal digits and a newline in an
 * owner-only file, by default {@code <media-dir>/.secdrive/control-token}. Whoever can read the
 * file may act on the drives, so it is created rw------- and refused, by server and client alike,
 * when others may read or write it.
 */
public final class ControlToken {

  /** The file's name inside the media directory's {@value Emulator#SECURE_DIRECTORY}. */
  public static final String FILE_NAME = "control-token";

  private static final int LENGTH = 32;

  private final Path file;
  private final String value;
  private final boolean created;

  private ControlToken(Path file, String value, boolean created) {
    this.file = file;
    this.value = value;
    this.created = created;
  }

  /** Where the emulator serving {@code mediaDirectory} keeps its token. */
  public static Path defaultFile(Path mediaDirectory) {
    return mediaDirectory.resolve(Emulator.SECURE_DIRECTORY).resolve(FILE_NAME);
  }

  /**
   * The token in {@code file}, or a new one written there if there is none.
   *
   * @throws UncheckedIOException if the file cannot be read or written, is malformed, or others may
   *     read or write it
   */
  public static ControlToken loadOrCreate(Path file) {
    if (Files.exists(file)) {
      return load(file);
    }
    String value = HexFormat.of().formatHex(Bytes.random(LENGTH));
    try {
      AtomicFiles.createSecret(file, (value + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException("cannot create the control token " + file + ": " + e, e));
    }
    return new ControlToken(file, value, true);
  }

  /**
   * The token in {@code file}, which must exist.
   *
   * @throws UncheckedIOException if it is missing, malformed, or others may read or write it
   */
  public static ControlToken load(Path file) {
    byte[] content;
    try {
      content = SecretFiles.read(file);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(
          new IOException(
              "no control token at "
                  + file
                  + ": an emulator creates it when it first serves its control API on loopback",
              e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String value = new String(content, StandardCharsets.US_ASCII).strip();
    if (!value.matches("[0-9a-f]{" + 2 * LENGTH + "}")) {
      throw new UncheckedIOException(
          new IOException(
              "control token "
                  + file
                  + " is malformed: expected "
                  + 2 * LENGTH
                  + " lowercase hexadecimal digits"));
    }
    return new ControlToken(file, value, false);
  }

  public Path file() {
    return file;
  }

  /** The token, as a client sends it after {@code Authorization: Bearer }. */
  public String value() {
    return value;
  }

  /** True if {@link #loadOrCreate} made it just now (its value is then shown once). */
  public boolean created() {
    return created;
  }

  byte[] bytes() {
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  /** Names the file, never the value. */
  @Override
  public String toString() {
    return "control token " + file;
  }
}
