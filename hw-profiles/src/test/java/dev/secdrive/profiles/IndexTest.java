package dev.secdrive.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** drives/index.txt must list exactly the profile files in the source tree. */
class IndexTest {

  @Test
  void indexListsEveryProfileFileAndNothingElse() throws IOException {
    Path dir = Fixtures.drivesSourceDir();
    assertTrue(Files.isDirectory(dir), dir + " is the drives source directory");

    Set<String> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .map(n -> n.substring(0, n.length() - ".json".length()))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    List<String> lines =
        Files.readAllLines(dir.resolve("index.txt"), StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    Set<String> indexed = new TreeSet<>(lines);

    assertEquals(lines.size(), indexed.size(), "index.txt lists an id twice: " + lines);
    assertEquals(files, indexed, "*.json in " + dir + " vs index.txt");
    assertEquals(
        indexed,
        ProfileCatalog.builtIn().profiles().stream()
            .map(DriveProfile::id)
            .collect(Collectors.toCollection(TreeSet::new)),
        "the built-in catalog loads what index.txt lists");
  }
}
