package dev.secdrive.center.distributor;

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
 * The distributor suite on PostgreSQL ({@link PostgresServer}): A of each distributor and the
 * shared C are three schemas of one server, dropped after each test.
 */
@ExtendWith(PostgresServer.class)
class DistributorPostgresIT extends DistributorContract {

  static String url;
  static String user;
  static String password;
  final List<String> schemas = new ArrayList<>();

  @BeforeAll
  static void server(PostgresServer.Database database) {
    url = database.url();
    user = database.user();
    password = database.password();
  }

  private JdbcConfig schema(String prefix) throws Exception {
    String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    schemas.add(schema);
    return new JdbcConfig(
        url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
  }

  @Override
  JdbcConfig privateDatabase(String which, Path dataDir) throws Exception {
    return schema("dist_" + which);
  }

  @Override
  JdbcConfig sharedDatabase(Path sharedDir) throws Exception {
    return schema("operations");
  }

  @Override
  void dropDatabases() throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
