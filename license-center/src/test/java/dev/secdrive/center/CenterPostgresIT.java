package dev.secdrive.center;

import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store and API suite on PostgreSQL: a throwaway server of the installed PostgreSQL, or the one
 * {@code SECDRIVE_TEST_POSTGRES_URL} names ({@link PostgresServer}). Each test gets a schema of its
 * own, dropped afterwards.
 */
@ExtendWith(PostgresServer.class)
class CenterPostgresIT extends CenterContract {

  static String url;
  static String user;
  static String password;
  String schema;

  @BeforeAll
  static void server(PostgresServer.Database database) {
    url = database.url();
    user = database.user();
    password = database.password();
  }

  @Override
  JdbcConfig database(Path dataDir) throws Exception {
    schema = "center_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return new JdbcConfig(
        url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
  }

  @Override
  void dropDatabase() throws Exception {
    if (schema != null) {
      try (Connection c = DriverManager.getConnection(url, user, password);
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
