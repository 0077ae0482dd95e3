package dev.secdrive.center.distributor;

import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.DataDirectory;
import dev.secdrive.center.distributor.store.OperationsStore;
import dev.secdrive.center.distributor.store.PrivateStore;
import dev.secdrive.center.store.Database;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.security.Certificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * A distributor's data directory opened: {@value DistributorKeys#FILE} (keys and settings), {@value
 * #KEY_TREE_FILE} (the federation's key tree), {@code admin-token}, {@code contents/} (the
 * encrypted contents), and its two databases with their pools. The HTTP API is {@link
 * DistributorServer}; the command line opens this directly for its admin commands.
 */
public final class DistributorService implements AutoCloseable {

  /** The copy of the federation's key-tree file in the data directory. */
  public static final String KEY_TREE_FILE = "key-tree";

  /** The encrypted contents' directory in the data directory. */
  public static final String CONTENTS_DIR = "contents";

  private final Database a;
  private final Database c;
  private final Distributor distributor;

  private DistributorService(Database a, Database c, Distributor distributor) {
    this.a = a;
    this.c = c;
    this.distributor = distributor;
  }

  static DistributorKeys setup(
      Path dataDir,
      String name,
      byte[] authorityPublicKey,
      UnaryOperator<Certificate> authority,
      Path keyTreeFile,
      long category,
      JdbcConfig privateDatabase,
      JdbcConfig sharedDatabase) {
    Path keyFile = dataDir.resolve(DistributorKeys.FILE);
    if (Files.exists(keyFile)) {
      throw new CenterSetupException(
          "data directory " + dataDir + " is already set up (" + keyFile + " exists)");
    }
    KeyTreeFiles.Loaded tree = KeyTreeFiles.read(keyTreeFile);
    if (category < 0 || category >= (1L << tree.categoryDepth())) {
      throw new CenterSetupException(
          "category "
              + category
              + " is not in key tree "
              + keyTreeFile
              + ", which has "
              + (1L << tree.categoryDepth())
              + " categories (0.."
              + ((1L << tree.categoryDepth()) - 1)
              + ")");
    }
    DistributorKeys keys =
        DistributorKeys.create(
            name, authorityPublicKey, authority, category, privateDatabase, sharedDatabase);
    DataDirectory.createWithAdminToken(dataDir);
    try {
      AtomicFiles.replaceSecret(dataDir.resolve(KEY_TREE_FILE), Files.readAllBytes(keyTreeFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy key tree " + keyTreeFile + ": " + e, e);
    }
    // The key file last: its presence is what "set up" means.
    keys.save(keyFile);
    return keys;
  }

  /**
   * Opens the data directory: loads keys and key tree, migrates both databases and opens their
   * pools ({@code connections} each).
   *
   * @throws CenterSetupException if the directory is not set up or a file is corrupt or readable by
   *     others
   * @throws dev.secdrive.center.store.StoreException if a database cannot be reached or migrated
   */
  public static DistributorService open(Path dataDir, Clock clock, int connections) {
    Path keyFile = dataDir.resolve(DistributorKeys.FILE);
    Path treeFile = dataDir.resolve(KEY_TREE_FILE);
    DataDirectory.requireOwnerOnly(keyFile);
    DataDirectory.requireOwnerOnly(treeFile);
    DistributorKeys keys = DistributorKeys.load(keyFile);
    KeyTreeFiles.Loaded tree = KeyTreeFiles.read(treeFile);
    Database a =
        Database.open(
            keys.privateDatabase(),
            PrivateStore.LOCATION,
            PrivateStore.HISTORY,
            "distributor database",
            connections + 2);
    try {
      Database c =
          Database.open(
              keys.sharedDatabase(),
              OperationsStore.LOCATION,
              OperationsStore.HISTORY,
              "operations database",
              connections + 2);
      try {
        return new DistributorService(
            a,
            c,
            new Distributor(
                keys,
                tree.tree(),
                tree.categoryDepth(),
                a,
                c,
                dataDir.resolve(CONTENTS_DIR),
                clock));
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  public Distributor distributor() {
    return distributor;
  }

  @Override
  public void close() {
    try {
      a.close();
    } finally {
      c.close();
    }
  }
}
