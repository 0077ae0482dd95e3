package dev.secdrive.center.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A pool of connections to one database (HikariCP), with transactions: each {@link #transaction}
 * takes a connection, runs its work, commits, and rolls back on any failure, so nothing is
 * half-written. Requests run in parallel, one connection each; what must not happen twice is kept
 * out by the schema's unique constraints and by row locks ({@code SELECT ... FOR UPDATE}), which
 * hold across processes sharing the database too.
 */
public final class Database implements AutoCloseable {

  /** SQLSTATE of a unique or primary key violation (H2 and PostgreSQL alike). */
  public static final String UNIQUE_VIOLATION = "23505";

  private final String what;
  private final HikariDataSource pool;

  private Database(String what, HikariDataSource pool) {
    this.what = what;
    this.pool = pool;
  }

  /**
   * Migrates {@code config} ({@link Migrations#migrate}) and opens a pool of at most {@code
   * maxConnections} to it.
   *
   * @param what names the database in messages, e.g. "distributor database"
   * @throws StoreException naming the URL if the database cannot be reached or migrated
   */
  public static Database open(
      JdbcConfig config, String location, String historyTable, String what, int maxConnections) {
    Migrations.migrate(config, location, historyTable, what);
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName(what.replace(' ', '-'));
    hikari.setJdbcUrl(config.url());
    hikari.setUsername(config.user());
    hikari.setPassword(config.password());
    hikari.setAutoCommit(false);
    hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    hikari.setMaximumPoolSize(maxConnections);
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(10_000);
    if (config.url().startsWith("jdbc:postgresql:")) {
      // A JDBC batch of INSERTs goes as multi-row INSERTs: one statement for a batch of requests.
      hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    try {
      return new Database(what, new HikariDataSource(hikari));
    } catch (RuntimeException e) {
      throw new StoreException(
          "cannot connect to the " + what + " " + config.url() + ": " + e.getMessage(), e);
    }
  }

  /** What a transaction does; it may throw {@code E} to roll back. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T run(Connection c) throws SQLException, E;
  }

  /**
   * Runs {@code work} in one transaction on a connection of the pool.
   *
   * @param action names the work in messages, e.g. "issue a license"
   * @throws StoreException if the database fails (rolled back)
   * @throws E what {@code work} throws (rolled back)
   */
  public <T, E extends Exception> T transaction(String action, Work<T, E> work) throws E {
    Connection c;
    try {
      c = pool.getConnection();
    } catch (SQLException e) {
      throw new StoreException(
          "cannot reach the " + what + " to " + action + ": " + e.getMessage(), e);
    }
    try (c) {
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        rollback(c, e);
        throw new StoreException("cannot " + action + ": " + e.getMessage(), e);
      } catch (RuntimeException | Error e) {
        rollback(c, e);
        throw e;
      } catch (Exception e) {
        rollback(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot " + action + ": " + e.getMessage(), e);
    }
  }

  /** As {@link #transaction(String, Work)} for work that throws no checked exception. */
  public <T> T read(String action, Work<T, RuntimeException> work) {
    return transaction(action, work);
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Whether {@code e} is a unique or primary key violation. */
  public static boolean uniqueViolation(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  @Override
  public void close() {
    pool.close();
  }
}
