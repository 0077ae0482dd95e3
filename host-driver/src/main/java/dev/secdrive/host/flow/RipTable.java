package dev.secdrive.host.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.http.Json;
import dev.secdrive.protocol.rip.TrackRecord;
import dev.secdrive.protocol.security.ParameterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The verification table of seed 004 (FIG. 3, the patent's correspondence table 107) as the host
 * keeps it (PROTOCOL.md "The table file"): one drive-made track record per (drive device ID, ISRC),
 * or per (device ID, medium ID, track) for a track without an ISRC. The file holds no secret and
 * guards nothing by itself: every record carries the drive's MAC, which VERIFY TRACK checks, so an
 * edited, copied or forged entry is refused by the drive, not trusted here.
 *
 * <p>Immutable; {@link #with} returns a new table and {@link #save} replaces the file atomically.
 */
public final class RipTable {

  public static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      Json.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /** An entry's key: the drive, and the track's ISRC or, without one, its disc and number. */
  public record Key(String deviceId, Optional<String> isrc, String mediumId, int track) {

    /** The key of a track as the drive and the disc name it. */
    public static Key of(String deviceId, Optional<String> isrc, String mediumId, int track) {
      return isrc.isPresent()
          ? new Key(deviceId, isrc, "", 0)
          : new Key(deviceId, Optional.empty(), mediumId, track);
    }

    @Override
    public String toString() {
      return isrc.map(i -> "ISRC " + i).orElse("medium " + mediumId + " track " + track)
          + " on drive "
          + deviceId;
    }
  }

  /** An entry as the file has it: the record's bytes, whether or not they still parse. */
  public record Entry(Key key, byte[] record) {
    public Entry {
      record = record.clone();
    }

    @Override
    public byte[] record() {
      return record.clone();
    }

    /**
     * The record, decoded.
     *
     * @throws FlowException if the bytes are not a track record (an edited table)
     */
    public TrackRecord decoded(Path file) {
      try {
        return TrackRecord.decode(record);
      } catch (ParameterException e) {
        throw new FlowException(
            file
                + ": the record for "
                + key
                + " is not a track record the drive made ("
                + e.getMessage()
                + "): the table was edited; rip with --mode full to check the watermark again");
      }
    }
  }

  private final Map<Key, Entry> entries;

  private RipTable(Map<Key, Entry> entries) {
    this.entries = entries;
  }

  public static RipTable empty() {
    return new RipTable(Map.of());
  }

  /**
   * The default file: {@code $XDG_DATA_HOME/secdrive/rip-table.json}, or {@code
   * ~/.local/share/secdrive/rip-table.json} when it is unset or not absolute.
   */
  public static Path defaultPath() {
    String data = System.getenv("XDG_DATA_HOME");
    Path base =
        data != null && Path.of(data).isAbsolute()
            ? Path.of(data)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("secdrive").resolve("rip-table.json");
  }

  /**
   * Reads a table file; a missing file is an empty table.
   *
   * @throws FlowException naming the file and what is wrong with it
   */
  public static RipTable load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rip table " + file + ": " + e, e);
    }
    Stored stored;
    try {
      stored = JSON.readValue(bytes, Stored.class);
    } catch (JacksonException e) {
      throw new FlowException(
          file + " is not a rip table (" + e.getOriginalMessage() + "); fix or remove it");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rip table " + file + ": " + e, e);
    }
    if (stored == null || stored.format != FORMAT || stored.entries == null) {
      throw new FlowException(
          file + " is not a rip table of format " + FORMAT + "; fix or remove it");
    }
    Map<Key, Entry> entries = new LinkedHashMap<>();
    int n = 0;
    for (StoredEntry e : stored.entries) {
      n++;
      if (e == null || e.deviceId == null || e.record == null) {
        throw new FlowException(file + ": entry " + n + " has no deviceId or record");
      }
      byte[] record;
      try {
        record = HexFormat.of().parseHex(e.record);
      } catch (IllegalArgumentException x) {
        throw new FlowException(file + ": entry " + n + "'s record is not hex");
      }
      Key key =
          Key.of(
              e.deviceId,
              Optional.ofNullable(e.isrc).filter(s -> !s.isEmpty()),
              e.mediumId == null ? "" : e.mediumId,
              e.track);
      if (entries.put(key, new Entry(key, record)) != null) {
        throw new FlowException(
            file
                + ": entry "
                + n
                + " repeats the key of an earlier entry ("
                + key
                + "): the table was edited; remove one of them");
      }
    }
    return new RipTable(entries);
  }

  public Optional<Entry> find(Key key) {
    return Optional.ofNullable(entries.get(key));
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** This table with {@code record} under its own key, replacing what was there. */
  public RipTable with(TrackRecord record) {
    Key key = Key.of(record.deviceId(), record.isrc(), record.mediumId(), record.track());
    Map<Key, Entry> next = new LinkedHashMap<>(entries);
    next.put(key, new Entry(key, record.encode()));
    return new RipTable(next);
  }

  /**
   * Adds {@code record} to the table in {@code file}: read, changed and replaced under an exclusive
   * lock on {@code file}.lock, so that rips in two processes (or two threads) that register at once
   * both land.
   */
  public static synchronized void register(Path file, TrackRecord record) {
    Path parent = file.toAbsolutePath().getParent();
    Path lock = file.resolveSibling(file.getFileName() + ".lock");
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (FileChannel channel =
              FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        load(file).with(record).save(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the rip table " + lock + ": " + e, e);
    }
  }

  /** Replaces {@code file} atomically (old table or new, never torn). */
  public void save(Path file) {
    Stored stored = new Stored();
    stored.format = FORMAT;
    stored.entries = new ArrayList<>();
    for (Entry e : entries.values()) {
      StoredEntry s = new StoredEntry();
      s.deviceId = e.key().deviceId();
      s.isrc = e.key().isrc().orElse(null);
      s.mediumId = e.key().isrc().isPresent() ? null : e.key().mediumId();
      s.track = e.key().isrc().isPresent() ? 0 : e.key().track();
      s.record = HexFormat.of().formatHex(e.record);
      stored.entries.add(s);
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      AtomicFiles.replace(file, JSON.writeValueAsBytes(stored));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rip table " + file + ": " + e, e);
    }
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public List<StoredEntry> entries;
  }

  static final class StoredEntry {
    @JsonProperty public String deviceId;
    @JsonProperty public String isrc;
    @JsonProperty public String mediumId;
    @JsonProperty public int track;
    @JsonProperty public String record;
  }
}
