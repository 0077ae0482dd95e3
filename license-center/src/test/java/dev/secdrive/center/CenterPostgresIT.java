package dev.secdrive.center;

import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.center.store.JdbcConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store and API suite on PostgreSQL, run by {@code mvn -Ppostgres verify} against the server
 * named by {@code SECDRIVE_TEST_POSTGRES_URL} (+ {@code _USER}, {@code _PASSWORD}); .ci/run starts
 * one. Each test gets a schema of its own, dropped afterwards.
 */
class CenterPostgresIT extends CenterContract {

  static String url;
  static String user;
  static String password;
  String schema;

  @BeforeAll
  static void server() {
    url = System.getenv("SECDRIVE_TEST_POSTGRES_URL");
    user = System.getenv("SECDRIVE_TEST_POSTGRES_USER");
    password = System.getenv("SECDRIVE_TEST_POSTGRES_PASSWORD");
    if (url == null || url.isBlank()) {
      fail(
          "SECDRIVE_TEST_POSTGRES_URL is not set: the postgres profile runs this suite on a"
              + " PostgreSQL server (e.g. jdbc:postgresql://127.0.0.1:5432/secdrive_test, with"
              + " SECDRIVE_TEST_POSTGRES_USER and _PASSWORD); .ci/run starts one");
    }
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
