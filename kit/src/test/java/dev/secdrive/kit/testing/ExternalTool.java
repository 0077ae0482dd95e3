package dev.secdrive.kit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A program the tests run from the machine (a PostgreSQL server, socat, tgt, tshark ...): where to
 * look for it and what to install when it is missing. A test that needs one fails with {@link
 * #require}'s single message naming the package, never skips quietly. {@link PostgresServer} finds
 * its binaries this way.
 */
public final class ExternalTool {

  private final String name;
  private final List<String> places;
  private final String description;
  private final String install;

  private ExternalTool(String name, List<String> places, String description, String install) {
    this.name = name;
    this.places = places;
    this.description = description;
    this.install = install;
  }

  /** {@code name} on the {@code PATH}. */
  public static ExternalTool onPath(String name) {
    return new ExternalTool(name, List.of(), name, "install the package that provides " + name);
  }

  /**
   * {@code name} in the directories {@code pattern} names, a path whose components may be {@code *}
   * (Debian's PostgreSQL lives in {@code /usr/lib/postgresql/<version>/bin}); where a {@code *}
   * matches several versions the highest wins. The {@code PATH} is not searched.
   */
  public static ExternalTool under(String pattern, String name) {
    return new ExternalTool(name, List.of(pattern), name, "install " + name);
  }

  /** Names the tool for the missing-tool message, and what to install, e.g. a Debian package. */
  public ExternalTool describedAs(String description, String install) {
    return new ExternalTool(name, places, description, install);
  }

  /** The executable, if this machine has it. */
  public Optional<Path> find() {
    List<Path> candidates = new ArrayList<>();
    if (places.isEmpty()) {
      String path = System.getenv("PATH");
      for (String dir : (path == null ? "" : path).split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir));
        }
      }
    } else {
      for (String place : places) {
        candidates.addAll(expand(place));
      }
    }
    return candidates.stream()
        .map(dir -> dir.resolve(name))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .findFirst();
  }

  /**
   * The executable.
   *
   * @throws IllegalStateException "{@code <description>} not found {@code <where>}: {@code
   *     <install>}", the one message a test without the tool fails with
   */
  public Path require() {
    return find().orElseThrow(() -> new IllegalStateException(missingMessage()));
  }

  /** What {@link #require} says when the tool is missing. */
  public String missingMessage() {
    String where = places.isEmpty() ? "on PATH" : "under " + String.join(" or ", places);
    return description + " not found " + where + ": " + install;
  }

  /** The directories a pattern with {@code *} components names, highest version first. */
  private static List<Path> expand(String pattern) {
    List<Path> dirs = List.of(Path.of(pattern.startsWith("/") ? "/" : ""));
    for (String part : pattern.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      List<Path> next = new ArrayList<>();
      for (Path dir : dirs) {
        if (!part.equals("*")) {
          next.add(dir.resolve(part));
          continue;
        }
        try (Stream<Path> children = Files.list(dir)) {
          children
              .filter(Files::isDirectory)
              .sorted(BY_VERSION.reversed())
              .forEachOrdered(next::add);
        } catch (IOException e) {
          // not there: nothing below it
        }
      }
      dirs = next;
    }
    return dirs;
  }

  /** Orders {@code 9} before {@code 15}, and {@code 15} before {@code 15.2}. */
  private static final Comparator<Path> BY_VERSION =
      (a, b) -> {
        int[] x = version(a.getFileName().toString());
        int[] y = version(b.getFileName().toString());
        int c = Arrays.compare(x, y);
        return c != 0 ? c : a.compareTo(b);
      };

  private static int[] version(String name) {
    return Arrays.stream(name.split("[^0-9]+"))
        .filter(s -> !s.isEmpty())
        .mapToInt(s -> s.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(s))
        .toArray();
  }

  @Override
  public String toString() {
    return description + " (" + name + ")";
  }
}
