package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.center.store.JdbcConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The distributor suite on the default databases: embedded H2, A in each data directory, C in the
 * shared directory opened by both distributors with AUTO_SERVER=TRUE.
 */
class DistributorH2Test extends DistributorContract {

  @Override
  JdbcConfig privateDatabase(String which, Path dataDir) {
    return DistributorServer.privateH2(dataDir);
  }

  @Override
  JdbcConfig sharedDatabase(Path sharedDir) {
    return DistributorServer.sharedH2(sharedDir);
  }

  @Test
  void theDefaultDatabasesLiveInTheDataAndSharedDirectories() throws Exception {
    user(a, "alice");
    assertTrue(Files.exists(tmp.resolve("a").resolve("db").resolve("private.mv.db")));
    assertTrue(Files.exists(tmp.resolve("shared").resolve("operations.mv.db")));
  }
}
