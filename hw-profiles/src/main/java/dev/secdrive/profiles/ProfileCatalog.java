package dev.secdrive.profiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drive profiles known to a run: the ones shipped on the classpath, optionally with those of a
 * directory. Immutable and safe to share between threads.
 *
 * <p>Every file is validated against {@code profile.schema.json} (JSON Schema draft 2020-12) before
 * it is bound to a {@link DriveProfile}; its {@code id} must equal its file name less {@code
 * .json}; and the same medium type id must have the same geometry in every profile of a catalog.
 */
public final class ProfileCatalog {

  /** The id of the profile a drive gets when none is named. */
  public static final String DEFAULT_PROFILE = "mo-640";

  private static final Logger LOG = LoggerFactory.getLogger(ProfileCatalog.class);

  private static final String RESOURCE_DIR = "/dev/secdrive/profiles/";
  private static final String SCHEMA_RESOURCE = RESOURCE_DIR + "profile.schema.json";
  private static final String DRIVES_RESOURCE = RESOURCE_DIR + "drives/";
  private static final String INDEX_RESOURCE = DRIVES_RESOURCE + "index.txt";
  private static final String SUFFIX = ".json";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          // The schema, checked first, requires every field but the optional ones (mmcProfile),
          // which then arrive as null.
          .build();

  /** A profile together with the file it came from, for messages. */
  private record Entry(DriveProfile profile, String source, boolean builtIn) {}

  private static volatile ProfileCatalog builtIn;
  private static volatile JsonSchema schema;

  private final Map<String, Entry> entries; // sorted by id
  private final List<DriveProfile> profiles;

  private ProfileCatalog(Map<String, Entry> entries) {
    this.entries = entries;
    this.profiles =
        entries.values().stream().map(Entry::profile).collect(Collectors.toUnmodifiableList());
  }

  /** The profiles shipped with secdrive, read from the classpath (loaded once, then shared). */
  public static ProfileCatalog builtIn() {
    ProfileCatalog catalog = builtIn;
    if (catalog == null) {
      synchronized (ProfileCatalog.class) {
        catalog = builtIn;
        if (catalog == null) {
          catalog = loadBuiltIn();
          builtIn = catalog;
        }
      }
    }
    return catalog;
  }

  /**
   * The built-in profiles plus every {@code *.json} file directly in {@code directory}. A file
   * there whose id is that of a built-in profile replaces it.
   *
   * @throws ProfileException if the directory does not exist or cannot be read, if a file is not a
   *     valid profile, or if two profiles disagree on a medium type
   */
  public static ProfileCatalog load(Path directory) {
    Objects.requireNonNull(directory, "directory");
    if (!Files.exists(directory)) {
      throw new ProfileException("profile directory " + directory + " does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new ProfileException("profile directory " + directory + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files =
          list.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
              .filter(Files::isRegularFile)
              .sorted()
              .collect(Collectors.toList());
    } catch (IOException | UncheckedIOException e) {
      throw new ProfileException("profile directory " + directory + " cannot be read: " + e, e);
    }
    Map<String, Entry> merged = new TreeMap<>(builtIn().entries);
    for (Path file : files) {
      String source = file.toString();
      byte[] json;
      try {
        json = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new ProfileException("profile " + source + ": cannot be read: " + e, e);
      }
      DriveProfile profile = parse(source, json);
      Entry replaced = merged.put(profile.id(), new Entry(profile, source, false));
      if (replaced != null && replaced.builtIn()) {
        LOG.info("profile {} replaces the built-in profile '{}'", source, profile.id());
      }
      LOG.debug("loaded profile '{}' from {}", profile.id(), source);
    }
    return checked(merged);
  }

  /**
   * Validates one profile file and binds it.
   *
   * @param fileName the name of the file, used in messages; its last path segment less {@code
   *     .json} must equal the profile's id
   * @param json the content of the file, UTF-8
   * @throws ProfileException naming the file and the field, if the content is not a valid profile
   */
  public static DriveProfile parse(String fileName, byte[] json) {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(json, "json");
    String prefix = "profile " + fileName + ": ";

    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      String where = JsonSchemas.where(e);
      String detail =
          e instanceof MismatchedInputException && e.getOriginalMessage().startsWith("Trailing")
              ? "unexpected content after the end of the top-level value"
              : e.getOriginalMessage();
      throw new ProfileException(prefix + "malformed JSON" + where + ": " + detail, e);
    } catch (IOException e) {
      throw new ProfileException(prefix + "cannot be read: " + e, e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new ProfileException(prefix + "malformed JSON at line 1, column 1: the file is empty");
    }

    List<String> errors = JsonSchemas.problems(schema(), tree);
    if (!errors.isEmpty()) {
      throw new ProfileException(prefix + String.join("; ", errors));
    }

    String expectedId = idOf(fileName);
    String id = tree.get("id").asText();
    if (!id.equals(expectedId)) {
      throw new ProfileException(
          prefix
              + "$.id: '"
              + id
              + "' does not match the file name (a file named "
              + baseName(fileName)
              + " must have id '"
              + expectedId
              + "')");
    }

    JsonNode media = tree.get("media");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < media.size(); i++) {
      String type = media.get(i).get("type").asText();
      Integer first = seen.putIfAbsent(type, i);
      if (first != null) {
        throw new ProfileException(
            prefix
                + "$.media["
                + i
                + "].type: duplicate medium type '"
                + type
                + "' (already at $.media["
                + first
                + "])");
      }
    }

    try {
      return MAPPER.treeToValue(tree, DriveProfile.class);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String detail =
          cause instanceof JsonProcessingException jpe
              ? jpe.getOriginalMessage()
              : cause.getMessage();
      throw new ProfileException(prefix + jsonPath(e.getPath()) + ": " + detail, e);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ProfileException(prefix + e.getMessage(), e);
    }
  }

  /**
   * The profile with that id.
   *
   * @throws ProfileException if there is none; the message lists the known ids
   */
  public DriveProfile get(String id) {
    Objects.requireNonNull(id, "id");
    return find(id)
        .orElseThrow(
            () ->
                new ProfileException(
                    "unknown drive profile '"
                        + id
                        + "' (known: "
                        + String.join(", ", entries.keySet())
                        + ")"));
  }

  /** The profile with that id, if there is one. */
  public Optional<DriveProfile> find(String id) {
    Entry entry = entries.get(id);
    return entry == null ? Optional.empty() : Optional.of(entry.profile());
  }

  /** Every profile, sorted by id. */
  public List<DriveProfile> profiles() {
    return profiles;
  }

  /**
   * The medium type with that id, from the first profile (by id) that accepts it. All profiles of a
   * catalog agree on a medium type's geometry.
   */
  public Optional<MediumType> mediumType(String type) {
    for (DriveProfile p : profiles) {
      Optional<MediumType> m = p.medium(type);
      if (m.isPresent()) {
        return m;
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "ProfileCatalog" + entries.keySet();
  }

  /** Checks the profiles against each other and makes the catalog. */
  private static ProfileCatalog checked(Map<String, Entry> byId) {
    // Built-in profiles first, so that a conflict is reported at the user's file.
    List<Entry> order = new ArrayList<>();
    byId.values().stream().filter(Entry::builtIn).forEach(order::add);
    byId.values().stream().filter(e -> !e.builtIn()).forEach(order::add);

    record Seen(Entry entry, MediumType medium) {}
    Map<String, Seen> seen = new HashMap<>();
    for (Entry entry : order) {
      List<MediumType> media = entry.profile().media();
      for (int i = 0; i < media.size(); i++) {
        MediumType m = media.get(i);
        Seen first = seen.putIfAbsent(m.type(), new Seen(entry, m));
        if (first == null) {
          continue;
        }
        String field = null;
        Object here = null;
        Object there = null;
        if (m.blockSize() != first.medium().blockSize()) {
          field = "blockSize";
          here = m.blockSize();
          there = first.medium().blockSize();
        } else if (m.blockCount() != first.medium().blockCount()) {
          field = "blockCount";
          here = m.blockCount();
          there = first.medium().blockCount();
        } else if (m.pressed() != first.medium().pressed()) {
          field = "pressed";
          here = m.pressed();
          there = first.medium().pressed();
        } else if (!Objects.equals(m.mmcProfile(), first.medium().mmcProfile())) {
          field = "mmcProfile";
          here = m.mmcProfile();
          there = first.medium().mmcProfile();
        }
        if (field != null) {
          throw new ProfileException(
              "profile "
                  + entry.source()
                  + ": $.media["
                  + i
                  + "]."
                  + field
                  + ": medium type '"
                  + m.type()
                  + "' has "
                  + field
                  + " "
                  + here
                  + " in profile '"
                  + entry.profile().id()
                  + "' but "
                  + there
                  + " in profile '"
                  + first.entry().profile().id()
                  + "' ("
                  + first.entry().source()
                  + ")");
        }
      }
    }
    return new ProfileCatalog(new TreeMap<>(byId));
  }

  /**
   * One schema violation as "path: problem". The validator reports a missing or an unexpected
   * property at the enclosing object; here the path goes down to the property itself.
   */
  private static String baseName(String fileName) {
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    return fileName.substring(slash + 1);
  }

  private static String idOf(String fileName) {
    String base = baseName(fileName);
    return base.endsWith(SUFFIX) ? base.substring(0, base.length() - SUFFIX.length()) : base;
  }

  private static String jsonPath(List<JsonMappingException.Reference> path) {
    StringBuilder sb = new StringBuilder("$");
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static InputStream resource(String name) {
    return ProfileCatalog.class.getResourceAsStream(name);
  }

  /** The compiled schema, made on first use. */
  private static JsonSchema schema() {
    JsonSchema compiled = schema;
    if (compiled == null) {
      synchronized (ProfileCatalog.class) {
        compiled = schema;
        if (compiled == null) {
          compiled = loadSchema();
          schema = compiled;
        }
      }
    }
    return compiled;
  }

  private static JsonSchema loadSchema() {
    try {
      return JsonSchemas.load(ProfileCatalog.class, SCHEMA_RESOURCE);
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new ProfileException("profile " + e.getMessage(), e);
    }
  }

  private static ProfileCatalog loadBuiltIn() {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String id : index()) {
      String fileName = id + SUFFIX;
      byte[] json;
      try (InputStream in = resource(DRIVES_RESOURCE + fileName)) {
        if (in == null) {
          throw new ProfileException(
              "profile " + fileName + ": listed in drives/index.txt but not on the classpath");
        }
        json = in.readAllBytes();
      } catch (IOException e) {
        throw new ProfileException("profile " + fileName + ": cannot be read: " + e, e);
      }
      DriveProfile profile = parse(fileName, json);
      entries.put(profile.id(), new Entry(profile, fileName, true));
    }
    return checked(entries);
  }

  /** The ids in drives/index.txt; blank lines and lines starting with '#' are skipped. */
  private static List<String> index() {
    try (InputStream in = resource(INDEX_RESOURCE)) {
      if (in == null) {
        throw new ProfileException("profile index " + INDEX_RESOURCE + " is not on the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<String> ids = new ArrayList<>();
      Set<String> unique = new HashSet<>();
      String line;
      while ((line = reader.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (!unique.add(line)) {
          throw new ProfileException(
              "profile index " + INDEX_RESOURCE + " lists '" + line + "' twice");
        }
        ids.add(line);
      }
      return ids;
    } catch (IOException e) {
      throw new ProfileException("profile index " + INDEX_RESOURCE + " cannot be read: " + e, e);
    }
  }
}
