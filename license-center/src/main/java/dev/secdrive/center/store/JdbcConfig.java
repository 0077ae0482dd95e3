package dev.secdrive.center.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the center's database lives: a JDBC URL with optional credentials. {@link #h2(Path)} is the
 * default, an embedded H2 file database inside the data directory; {@code
 * jdbc:postgresql://host/db} names a PostgreSQL server.
 *
 * @param user null for none
 * @param password null for none
 */
public record JdbcConfig(String url, String user, String password) {

  public JdbcConfig {
    Objects.requireNonNull(url, "url");
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException("a JDBC URL starts with 'jdbc:', got '" + url + "'");
    }
  }

  /** The embedded database of a data directory: {@code <dataDir>/db/center.mv.db}. */
  public static JdbcConfig h2(Path dataDir) {
    return new JdbcConfig(
        "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db").resolve("center"), null, null);
  }

  /**
   * An embedded H2 file database {@code <directory>/<name>.mv.db}. With {@code shared}, opened with
   * {@code AUTO_SERVER=TRUE}: the first process to open it serves it to the others on a local port,
   * so several processes (two distributors, a command beside a running server) use it at once.
   */
  public static JdbcConfig h2(Path directory, String name, boolean shared) {
    return new JdbcConfig(
        "jdbc:h2:file:"
            + directory.toAbsolutePath().resolve(name)
            + (shared ? ";AUTO_SERVER=TRUE" : ""),
        null,
        null);
  }

  @Override
  public String toString() {
    return "JdbcConfig[" + url + (user == null ? "" : " as " + user) + "]"; // never the password
  }
}
