package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.emulator.media.WriteSteps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The drive's non-volatile state: its monotonic counter and, per medium, the highest license
 * version it has recorded (the anti-rollback floor). Replaced atomically in {@code nv.json}; a
 * drive without a file keeps it in memory only (tests).
 */
public final class DriveNv {

  private static final int FORMAT = 1;

  private final Path file;
  private long counter;
  private final Map<String, Long> versions = new TreeMap<>();

  private DriveNv(Path file) {
    this.file = file;
  }

  public static DriveNv inMemory() {
    return new DriveNv(null);
  }

  /**
   * @throws KeyFileException if the file exists but is corrupt
   */
  public static DriveNv open(Path file) {
    DriveNv nv = new DriveNv(file);
    if (Files.exists(file)) {
      Stored stored = KeyFiles.read(file, Stored.class, "drive state file");
      if (stored.format != FORMAT || stored.counter < 0 || stored.versions == null) {
        throw new KeyFileException("drive state file " + file + " is corrupt");
      }
      nv.counter = stored.counter;
      nv.versions.putAll(stored.versions);
    }
    return nv;
  }

  public synchronized long counter() {
    return counter;
  }

  /** The highest license version recorded for {@code mediumId}; -1 if none. */
  public synchronized long recordedVersion(String mediumId) {
    return versions.getOrDefault(mediumId, -1L);
  }

  /**
   * Increases the counter (and raises the medium's recorded version to {@code version} if higher;
   * {@code mediumId} null records nothing) and writes the state durably before returning.
   *
   * @return the new counter value
   */
  public synchronized long advance(String mediumId, long version, WriteSteps steps)
      throws IOException {
    long next = counter + 1;
    Map<String, Long> updated = new TreeMap<>(versions);
    if (mediumId != null && version > updated.getOrDefault(mediumId, -1L)) {
      updated.put(mediumId, version);
    }
    if (file != null) {
      Stored stored = new Stored();
      stored.format = FORMAT;
      stored.counter = next;
      stored.versions = updated;
      KeyFiles.write(file, stored, steps);
    } else {
      for (String step : WriteSteps.REPLACE_STEPS) {
        steps.reached(step);
      }
    }
    counter = next;
    versions.clear();
    versions.putAll(updated);
    return next;
  }

  /** For callers without checked exceptions. */
  long advanceUnchecked(String mediumId, long version, WriteSteps steps) {
    try {
      return advance(mediumId, version, steps);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public long counter;
    @JsonProperty public Map<String, Long> versions;
  }
}
