package dev.secdrive.center.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** Brings a database's schema up to date with Flyway: one location, one history table each. */
public final class Migrations {

  private Migrations() {}

  /**
   * Migrates {@code config} with the scripts of {@code classpath:<location>}, keeping the history
   * in {@code historyTable}, so that several schemas (the center's, a distributor's private one,
   * the shared operations one) can live in one database.
   *
   * @param what names the database in messages, e.g. "center database"
   * @throws StoreException naming the URL if the database cannot be reached or migrated
   */
  public static void migrate(JdbcConfig config, String location, String historyTable, String what) {
    try {
      Flyway.configure()
          .dataSource(config.url(), config.user(), config.password())
          .locations("classpath:" + location)
          .table(historyTable)
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StoreException(
          "cannot migrate the " + what + " " + config.url() + ": " + e.getMessage(), e);
    }
  }
}
