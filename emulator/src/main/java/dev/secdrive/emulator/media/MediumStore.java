package dev.secdrive.emulator.media;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.secdrive.kit.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The media directory: one sub-directory per medium, named by its medium ID. Creating a medium
 * builds it in a temporary directory and renames it into place, so a crash never leaves a half-made
 * medium under a real ID.
 */
public final class MediumStore {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final Clock clock;
  private volatile Path counterAnchors;

  private MediumStore(Path directory, Clock clock) {
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * Keeps, for every medium of this store whose secure area is written, its write counter also in
   * {@code directory} ({@code <medium ID>.writes}, owner-only), outside the media directory: as an
   * RPMB counter is out of reach of whoever copies the flash, a secure area copied back with its
   * counter is then found behind the counter recorded there ({@link
   * Medium.SecureAreaImage#anchoredCounter()}). Without it, a medium's counter is the one in its
   * own files only.
   */
  public MediumStore anchoringCounters(Path directory) {
    this.counterAnchors = directory;
    return this;
  }

  /** Where the write counter of medium {@code id} is anchored; null if counters are not. */
  Path counterAnchor(String id) {
    Path anchors = counterAnchors;
    return anchors == null ? null : anchors.resolve(id + ".writes");
  }

  /**
   * Opens an existing media directory.
   *
   * @throws MediumException if it does not exist or is not a directory
   */
  public static MediumStore open(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new MediumException(
          Files.exists(directory)
              ? "media directory " + directory + " is not a directory"
              : "media directory "
                  + directory
                  + " does not exist (create it, or run 'secdrive media create --media-dir "
                  + directory
                  + "')");
    }
    return new MediumStore(directory, Clock.systemUTC());
  }

  /** Opens a media directory, creating it (and its parents) if missing. */
  public static MediumStore openOrCreate(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new MediumException("cannot create media directory " + directory + ": " + e, e);
    }
    return open(directory);
  }

  public Path directory() {
    return directory;
  }

  /** What to make. {@code id} null picks a fresh unique ID; {@code content} fills the user area. */
  public record Spec(
      String id,
      String type,
      int blockSize,
      long blockCount,
      int secureAreaBytes,
      boolean pressed,
      String label,
      Path content) {}

  /**
   * Creates a medium: sparse user area of the full capacity, zeroed secure area, metadata.
   *
   * @throws MediumException if the ID is taken or invalid, or the content does not fit
   */
  public MediumMetadata create(Spec spec) {
    return create(spec, Map.of());
  }

  /**
   * As {@link #create(Spec)}, with {@code extraFiles} (name to bytes) written into the medium's
   * directory before it is renamed into place, so the medium appears with them or not at all.
   */
  MediumMetadata create(Spec spec, Map<String, byte[]> extraFiles) {
    String id = spec.id() != null ? checkId(spec.id()) : freshId();
    Path target = directory.resolve(id);
    if (Files.exists(target)) {
      throw new MediumException("medium " + id + " already exists in " + directory);
    }
    MediumMetadata metadata;
    try {
      metadata =
          new MediumMetadata(
              MediumMetadata.FORMAT,
              id,
              spec.type(),
              spec.blockSize(),
              spec.blockCount(),
              spec.secureAreaBytes(),
              spec.pressed(),
              false,
              spec.label() == null ? "" : spec.label(),
              Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    } catch (IllegalArgumentException e) {
      throw new MediumException("cannot create medium " + id + ": " + e.getMessage(), e);
    }
    if (spec.content() != null) {
      checkContent(spec.content(), metadata);
    }
    Path staging = null;
    try {
      staging = Files.createTempDirectory(directory, "." + id + ".creating-");
      try (FileChannel image =
          FileChannel.open(
              staging.resolve(Medium.USER_AREA_FILE),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        if (spec.content() != null) {
          try (FileChannel source = FileChannel.open(spec.content(), StandardOpenOption.READ)) {
            long size = source.size();
            for (long done = 0; done < size; ) {
              done += source.transferTo(done, size - done, image);
            }
          }
        }
        // Extending by writing the last byte leaves a sparse file: a 4.7 GB image costs only what
        // has been written.
        if (image.size() < metadata.capacityBytes()) {
          image.write(ByteBuffer.wrap(new byte[1]), metadata.capacityBytes() - 1);
        }
        image.force(true);
      }
      AtomicFiles.replace(
          staging.resolve(Medium.SECURE_AREA_FILE), new byte[metadata.secureAreaBytes()]);
      for (Map.Entry<String, byte[]> file : extraFiles.entrySet()) {
        AtomicFiles.replace(staging.resolve(file.getKey()), file.getValue());
      }
      writeMetadata(staging, metadata);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.syncDirectory(directory);
      staging = null;
      return metadata;
    } catch (FileAlreadyExistsException e) {
      throw new MediumException("medium " + id + " already exists in " + directory, e);
    } catch (IOException e) {
      throw new MediumException("cannot create medium " + id + " in " + directory + ": " + e, e);
    } finally {
      if (staging != null) {
        deleteQuietly(staging);
      }
    }
  }

  /** Reads a medium's metadata without opening it. */
  public MediumMetadata info(String id) {
    return readMetadata(mediumDirectory(id));
  }

  /** Every medium in the directory, sorted by ID; directories that are not media are skipped. */
  public List<MediumMetadata> list() {
    List<MediumMetadata> media = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)
            && !name.startsWith(".")
            && Files.exists(entry.resolve(Medium.METADATA_FILE))) {
          media.add(readMetadata(entry));
        }
      }
    } catch (IOException e) {
      throw new MediumException("cannot list media directory " + directory + ": " + e, e);
    }
    media.sort(Comparator.comparing(MediumMetadata::id));
    return media;
  }

  public boolean exists(String id) {
    return MediumMetadata.ID_PATTERN.matcher(id).matches()
        && Files.exists(directory.resolve(id).resolve(Medium.METADATA_FILE));
  }

  /**
   * Opens a medium for use in a drive: validates metadata and image sizes and locks the image.
   *
   * @throws MediumException naming the file if the medium is missing, corrupt or in use
   */
  public Medium open(String id) {
    Path mediumDirectory = mediumDirectory(id);
    MediumMetadata metadata = readMetadata(mediumDirectory);
    Path image = mediumDirectory.resolve(Medium.USER_AREA_FILE);
    Path secure = mediumDirectory.resolve(Medium.SECURE_AREA_FILE);
    checkSize(image, metadata.capacityBytes(), metadata, "user area image");
    checkSecureAreaSize(secure, metadata);
    FileChannel channel = null;
    try {
      channel =
          metadata.pressed()
              ? FileChannel.open(image, StandardOpenOption.READ)
              : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock(0, Long.MAX_VALUE, metadata.pressed());
      if (lock == null) {
        throw new MediumException(
            "medium " + id + " is in use by another process (" + image + " is locked)");
      }
      Medium medium = new Medium(this, mediumDirectory, metadata, channel, lock);
      channel = null;
      return medium;
    } catch (OverlappingFileLockException e) {
      throw new MediumException("medium " + id + " is already loaded in a drive", e);
    } catch (IOException e) {
      throw new MediumException("cannot open medium " + id + " (" + image + "): " + e, e);
    } finally {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
    }
  }

  void writeMetadata(Path mediumDirectory, MediumMetadata metadata) {
    try {
      AtomicFiles.replace(
          mediumDirectory.resolve(Medium.METADATA_FILE), JSON.writeValueAsBytes(metadata));
    } catch (IOException e) {
      throw new MediumException(
          "cannot write metadata of medium " + metadata.id() + " in " + mediumDirectory + ": " + e,
          e);
    }
  }

  private Path mediumDirectory(String id) {
    checkId(id);
    Path mediumDirectory = directory.resolve(id);
    if (!Files.isDirectory(mediumDirectory)) {
      throw new MediumException("no medium " + id + " in " + directory);
    }
    return mediumDirectory;
  }

  private static MediumMetadata readMetadata(Path mediumDirectory) {
    Path file = mediumDirectory.resolve(Medium.METADATA_FILE);
    MediumMetadata metadata;
    try (InputStream in = Files.newInputStream(file)) {
      metadata = JSON.readValue(in, MediumMetadata.class);
    } catch (NoSuchFileException e) {
      throw new MediumException("medium metadata " + file + " is missing", e);
    } catch (JacksonException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new MediumException(
          "medium metadata " + file + " is corrupt: " + firstLine(cause.getMessage()), e);
    } catch (IOException e) {
      throw new MediumException("cannot read medium metadata " + file + ": " + e, e);
    }
    if (!metadata.id().equals(mediumDirectory.getFileName().toString())) {
      throw new MediumException(
          "medium metadata " + file + " is corrupt: it names medium " + metadata.id());
    }
    return metadata;
  }

  private static void checkSize(Path file, long expected, MediumMetadata metadata, String what) {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new MediumException(
          "medium " + metadata.id() + ": " + what + " " + file + " is missing", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (size != expected) {
      throw new MediumException(
          "medium "
              + metadata.id()
              + ": "
              + what
              + " "
              + file
              + " is "
              + size
              + " bytes, expected "
              + expected
              + " (corrupt or truncated image)");
    }
  }

  /** The secure area alone (never written, or written before media kept a counter), or with it. */
  private static void checkSecureAreaSize(Path file, MediumMetadata metadata) {
    long expected = metadata.secureAreaBytes();
    try {
      if (Files.size(file) == expected + Medium.COUNTER_TRAILER_LENGTH) {
        return;
      }
    } catch (IOException e) {
      // checkSize names the problem
    }
    checkSize(file, expected, metadata, "secure area");
  }

  private static void checkContent(Path content, MediumMetadata metadata) {
    try {
      long size = Files.size(content);
      if (size > metadata.capacityBytes()) {
        throw new MediumException(
            "content "
                + content
                + " is "
                + size
                + " bytes; medium type "
                + metadata.type()
                + " holds "
                + metadata.capacityBytes());
      }
    } catch (NoSuchFileException e) {
      throw new MediumException("content file " + content + " does not exist", e);
    } catch (IOException e) {
      throw new MediumException("cannot read content file " + content + ": " + e, e);
    }
  }

  private static String checkId(String id) {
    try {
      return MediumMetadata.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new MediumException(e.getMessage(), e);
    }
  }

  private String freshId() {
    for (int attempt = 0; attempt < 100; attempt++) {
      byte[] bytes = new byte[7];
      RANDOM.nextBytes(bytes);
      String id = "SD" + HexFormat.of().withUpperCase().formatHex(bytes);
      if (!Files.exists(directory.resolve(id))) {
        return id;
      }
    }
    throw new MediumException("cannot find a free medium ID in " + directory);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void deleteQuietly(Path path) {
    try (var walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a leftover staging directory starts with '.' and is never listed as a medium
    }
  }

  /** For callers that must know the medium a metadata read refers to. */
  public Optional<MediumMetadata> find(String id) {
    return exists(id) ? Optional.of(info(id)) : Optional.empty();
  }
}
