package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.kit.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

  // ------------------------------------------------------------------ A's commit failing after C's

  // A DEFERRABLE INITIALLY DEFERRED constraint trigger on a table of A raises at COMMIT: A's commit
  // fails after C's, as a lost connection, a full disk or a failover at that moment would make it.

  private String schemaOf(String prefix) {
    return schemas.stream().filter(s -> s.startsWith(prefix + "_")).findFirst().orElseThrow();
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private long count(String schema, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + schema + "." + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aCopyBatchWhoseCommitOfAFailsLeavesNothingInCAndSpendsNoCopy() throws Exception {
    TwoClients t = twoClients(2);
    assertOk(admin(a, "/copy-policy", json("policy", "free", "percent", 0)));
    String schemaA = schemaOf("dist_a");
    String schemaC = schemaOf("operations");
    sql(
        "CREATE FUNCTION "
            + schemaA
            + ".fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
            + " 'A fails at commit'; END $$");
    sql(
        "CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON "
            + schemaA
            + ".copy_certificates DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            + schemaA
            + ".fail_at_commit()");
    Reply failed = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertNotEquals(200, failed.status(), "A's commit failed: " + failed);
    sql("DROP TRIGGER fail_at_commit ON " + schemaA + ".copy_certificates");

    assertEquals(0, count(schemaA, "copy_certificates"), "A rolled back");
    // Over HTTP: the license still has both of its copies, none was answered.
    assertOk(copy(a, t.atA(), t.license(), t.clientB().clientId()));
    Reply second = copy(a, t.atA(), t.license(), t.clientB().clientId());
    assertEquals(
        200, second.status(), "the failed batch spent a copy of the count: " + second.body());
    // Nothing of the failed batch may be written anywhere.
    assertEquals(2, count(schemaC, "copy_history"), "C kept the copy of the failed batch");
  }

  @Test
  void aLicenseBatchWhoseCommitOfAFailsLeavesNoLicenseInC() throws Exception {
    content(a, "SONG-2", 0, 0, new byte[16]);
    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-Q");
    String schemaA = schemaOf("dist_a");
    String schemaC = schemaOf("operations");
    long before = count(schemaC, "user_licenses");
    sql(
        "CREATE FUNCTION "
            + schemaA
            + ".fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
            + " 'A fails at commit'; END $$");
    sql(
        "CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON "
            + schemaA
            + ".licenses DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            + schemaA
            + ".fail_at_commit()");
    Reply failed = license(a, alice, "SONG-2", client.clientId());
    assertNotEquals(200, failed.status(), "A's commit failed: " + failed);
    sql("DROP TRIGGER fail_at_commit ON " + schemaA + ".licenses");
    assertEquals(0, count(schemaA, "licenses"), "A rolled back");
    assertEquals(
        before,
        count(schemaC, "user_licenses"),
        "C lists a license of a batch whose A commit failed (the federation view shows a license"
            + " that does not exist)");
  }

  @Test
  void anUpdateWhoseCommitOfAFailsLeavesNoLicenseInC() throws Exception {
    content(a, "SONG-3", 0, 0, new byte[16]);
    assertOk(
        admin(
            a,
            "/contents/SONG-3/offers",
            json(
                "offerId",
                "MORE",
                "priceCents",
                0,
                "plays",
                10,
                "days",
                0,
                "copies",
                0,
                "removableCopies",
                0)));
    String alice = user(a, "alice");
    Client client = client(a, alice, "DRIVE-U");
    Reply first = license(a, alice, "SONG-3", client.clientId());
    assertOk(first);
    String serial = HEX.formatHex(first.hex("serial"));
    String schemaA = schemaOf("dist_a");
    String schemaC = schemaOf("operations");
    long before = count(schemaC, "user_licenses");
    sql(
        "CREATE FUNCTION "
            + schemaA
            + ".fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
            + " 'A fails at commit'; END $$");
    sql(
        "CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON "
            + schemaA
            + ".licenses DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            + schemaA
            + ".fail_at_commit()");
    Reply failed = post(a, "/licenses/" + serial + "/update", json("offerId", "MORE"), alice);
    assertNotEquals(200, failed.status(), "A's commit failed: " + failed);
    sql("DROP TRIGGER fail_at_commit ON " + schemaA + ".licenses");
    assertEquals(1, count(schemaA, "licenses"), "A rolled back the update");
    assertEquals(before, count(schemaC, "user_licenses"), "C kept the update A rolled back");
  }
}
