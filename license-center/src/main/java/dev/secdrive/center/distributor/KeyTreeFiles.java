package dev.secdrive.center.distributor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.KeyFiles;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.protocol.keytree.KeyTree;
import java.nio.file.Path;

/**
 * The federation's key-tree file ({@code secdrive authority key-tree}) as a distributor loads it.
 */
final class KeyTreeFiles {

  private KeyTreeFiles() {}

  /** The tree and its category depth. */
  record Loaded(KeyTree tree, int categoryDepth) {}

  /**
   * @throws CenterSetupException naming the file if it is missing or not a key-tree file
   */
  static Loaded read(Path file) {
    Stored s = KeyFiles.read(file, Stored.class, "key-tree file", "the licensing authority's");
    try {
      if (s.format != 1) {
        throw new IllegalArgumentException("unsupported format " + s.format);
      }
      KeyTree tree = new KeyTree(HexKeys.parse("secret", s.secret, 32), s.depth);
      if (s.categoryDepth < 0 || s.categoryDepth >= s.depth) {
        throw new IllegalArgumentException(
            "categoryDepth " + s.categoryDepth + " is not in 0.." + (s.depth - 1));
      }
      return new Loaded(tree, s.categoryDepth);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CenterSetupException("key-tree file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** The JSON form. */
  static final class Stored {
    @JsonProperty public int format;
    @JsonProperty public int depth;
    @JsonProperty public int categoryDepth;
    @JsonProperty public String secret;
  }
}
