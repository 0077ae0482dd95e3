package dev.secdrive.center;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.center.store.JdbcConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The store and API suite on the default database: embedded H2 in the data directory. */
class CenterH2Test extends CenterContract {

  @Override
  JdbcConfig database(Path dataDir) {
    return JdbcConfig.h2(dataDir);
  }

  @Test
  void theDefaultDatabaseLivesInTheDataDirectory() throws Exception {
    title("SW-1", 1, 1);
    assertTrue(Files.exists(dataDir.resolve("db").resolve("center.mv.db")));
  }
}
