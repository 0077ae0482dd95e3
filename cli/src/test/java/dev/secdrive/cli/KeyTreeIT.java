package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.protocol.keytree.KeyTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secdrive authority key-tree}: the federation's tree secret, owner-only, never replaced
 * silently.
 */
class KeyTreeIT {

  @TempDir Path dir;

  @Test
  void createsAnOwnerOnlyKeyTreeWithTheDefaults() throws Exception {
    Path file = dir.resolve("authority").resolve("key-tree.json");
    Cli created = Cli.run("authority", "key-tree", "--out", file.toString(), "--json");
    assertEquals(0, created.exit(), created::toString);
    JsonNode json = Json.MAPPER.readTree(created.out());
    assertEquals(20, json.get("depth").asInt());
    assertEquals(4, json.get("categoryDepth").asInt());
    assertEquals(1 << 20, json.get("leaves").asLong());
    assertEquals(65536, json.get("leavesPerCategory").asLong());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    KeyTreeFile read = KeyTreeFile.read(file);
    assertEquals(20, read.depth());
    assertEquals(4, read.categoryDepth());
    // What a distributor does with it: device keys of a leaf of its category derive KR.
    KeyTree tree = new KeyTree(read.secret(), read.depth());
    long leaf = 3 * read.leavesPerCategory() + 17;
    assertArrayEquals(
        tree.rootKey(1),
        tree.deviceKeys(leaf).rootKey(tree.ekb(1, List.of(leaf + 1))).orElseThrow());
  }

  @Test
  void refusesToReplaceAKeyTreeWithoutReplace() throws Exception {
    Path file = dir.resolve("key-tree.json");
    Cli first =
        Cli.run(
            "authority",
            "key-tree",
            "--out",
            file.toString(),
            "--depth",
            "8",
            "--category-depth",
            "2");
    assertEquals(0, first.exit(), first::toString);
    assertTrue(
        first.out().contains("depth 8 (256 leaves), category depth 2 (4 categories of 64 leaves)"),
        first::toString);
    byte[] secret = KeyTreeFile.read(file).secret();

    Cli again = Cli.run("authority", "key-tree", "--out", file.toString());
    assertEquals(1, again.exit(), again::toString);
    assertTrue(
        again.err().contains(file + " already exists; not replacing a key tree without --replace"),
        again::toString);
    assertArrayEquals(secret, KeyTreeFile.read(file).secret());

    Cli replaced = Cli.run("authority", "key-tree", "--out", file.toString(), "--replace");
    assertEquals(0, replaced.exit(), replaced::toString);
    assertFalse(Arrays.equals(secret, KeyTreeFile.read(file).secret()));
    assertEquals(20, KeyTreeFile.read(file).depth());
  }

  @Test
  void badDepthsNameTheProblem() {
    Path file = dir.resolve("key-tree.json");
    Cli deep = Cli.run("authority", "key-tree", "--out", file.toString(), "--depth", "33");
    assertEquals(1, deep.exit(), deep::toString);
    assertTrue(deep.err().contains("depth must be 1..32, got 33"), deep::toString);
    Cli category =
        Cli.run(
            "authority",
            "key-tree",
            "--out",
            file.toString(),
            "--depth",
            "8",
            "--category-depth",
            "8");
    assertEquals(1, category.exit(), category::toString);
    assertTrue(
        category.err().contains("category depth must be 0..7 for depth 8, got 8"),
        category::toString);
    assertFalse(Files.exists(file));
  }
}
