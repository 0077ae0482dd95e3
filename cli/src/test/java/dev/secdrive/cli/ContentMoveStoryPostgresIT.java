package dev.secdrive.cli;

import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The content move story on PostgreSQL ({@link PostgresServer}): A's and B's private databases and
 * the shared C are three schemas of the tests' database (its role may not create databases), each
 * with its own Flyway history, dropped after each test.
 */
@ExtendWith(PostgresServer.class)
class ContentMoveStoryPostgresIT extends ContentMoveStory {

  static PostgresServer.Database server;
  final List<String> schemas = new ArrayList<>();

  @BeforeAll
  static void server(PostgresServer.Database database) {
    server = database;
  }

  private JdbcConfig database(String prefix) throws Exception {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c =
            DriverManager.getConnection(server.url(), server.user(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    }
    schemas.add(name);
    String url = server.url();
    return new JdbcConfig(
        url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name,
        server.user(),
        server.password());
  }

  @Override
  JdbcConfig privateDatabase(String which, Path dataDir) throws Exception {
    return database("private_" + which);
  }

  @Override
  JdbcConfig sharedDatabase(Path sharedDir) throws Exception {
    return database("operations");
  }

  @Override
  void dropDatabases() throws Exception {
    try (Connection c =
            DriverManager.getConnection(server.url(), server.user(), server.password());
        Statement s = c.createStatement()) {
      for (String name : schemas) {
        s.execute("DROP SCHEMA " + name + " CASCADE");
      }
    }
  }
}
