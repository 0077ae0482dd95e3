package dev.secdrive.center.distributor;

import dev.secdrive.center.CenterSetupException;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.protocol.keytree.KeyTree;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The federation's key-tree file ({@code secdrive authority key-tree}, kit's {@link KeyTreeFile})
 * as a distributor loads it, with its failures as setup errors.
 */
final class KeyTreeFiles {

  private KeyTreeFiles() {}

  /** The tree and its category depth. */
  record Loaded(KeyTree tree, int categoryDepth) {}

  /**
   * @throws CenterSetupException naming the file if it is missing, readable by others, or not a
   *     key-tree file
   */
  static Loaded read(Path file) {
    try {
      KeyTreeFile k = KeyTreeFile.read(file);
      return new Loaded(new KeyTree(k.secret(), k.depth()), k.categoryDepth());
    } catch (NoSuchFileException e) {
      throw new CenterSetupException(
          "key-tree file "
              + file
              + " does not exist (the licensing authority makes it with 'secdrive authority"
              + " key-tree')",
          e);
    } catch (LooseSecretFileException e) {
      throw new CenterSetupException(e.getMessage(), e);
    } catch (IOException e) {
      throw new CenterSetupException(e.getMessage(), e);
    }
  }
}
