package dev.secdrive.center.distributor.store;

import dev.secdrive.center.distributor.store.Rows.ClientRow;
import dev.secdrive.center.distributor.store.Rows.RevocationRow;
import dev.secdrive.center.distributor.store.Rows.UserLicenseRow;
import dev.secdrive.center.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The statements of the federation's shared operations database (DB C, Flyway location {@code
 * db/operations}, history table {@code flyway_history_operations}), which every distributor writes.
 * Uniqueness holds by constraints, so it holds between processes: a leaf is handed out once
 * (clients.leaf_id), a drive is one client (clients.device_id), a revocation version is taken once
 * (revocations.version).
 */
public final class OperationsStore {

  /** The Flyway location. */
  public static final String LOCATION = "db/operations";

  /** The Flyway history table. */
  public static final String HISTORY = "flyway_history_operations";

  private OperationsStore() {}

  /** Records the user federation-wide (once) and as a user of {@code distributor} (once). */
  public static void ensureUser(Connection c, String userId, String distributor, Instant at)
      throws SQLException {
    if (Sql.number(c, "SELECT COUNT(*) FROM users WHERE user_id = ?", userId) == 0) {
      insertIgnoringDuplicate(
          c,
          "INSERT INTO users (user_id, registered_by, registered_at) VALUES (?, ?, ?)",
          userId,
          distributor,
          at.getEpochSecond());
    }
    if (Sql.number(
            c,
            "SELECT COUNT(*) FROM user_distributors WHERE user_id = ? AND distributor = ?",
            userId,
            distributor)
        == 0) {
      insertIgnoringDuplicate(
          c,
          "INSERT INTO user_distributors (user_id, distributor, registered_at) VALUES (?, ?, ?)",
          userId,
          distributor,
          at.getEpochSecond());
    }
  }

  private static void insertIgnoringDuplicate(Connection c, String sql, Object... args)
      throws SQLException {
    // A savepoint, so that PostgreSQL's aborted statement does not abort the transaction.
    var savepoint = c.setSavepoint();
    try {
      Sql.update(c, sql, args);
      c.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      if (!Database.uniqueViolation(e)) {
        throw e;
      }
      c.rollback(savepoint);
    }
  }

  // ------------------------------------------------------------------ clients and leaves

  /** The highest leaf handed out in [first, end), or -1. */
  public static long highestLeaf(Connection c, long first, long end) throws SQLException {
    return Sql.one(
            c,
            "SELECT MAX(leaf_id) FROM clients WHERE leaf_id >= ? AND leaf_id < ?",
            r -> {
              long v = r.getLong(1);
              return r.wasNull() ? -1L : v;
            },
            first,
            end)
        .orElse(-1L);
  }

  /**
   * Inserts a client. A unique violation (its leaf or its drive taken meanwhile) is thrown: the
   * caller's transaction is then rolled back and tried again.
   */
  public static void insertClient(Connection c, ClientRow k) throws SQLException {
    Sql.update(
        c,
        "INSERT INTO clients (client_id, leaf_id, user_id, distributor, device_id,"
            + " client_public_key, drive_certificate, registered_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        k.clientId(),
        k.leafId(),
        k.userId(),
        k.distributor(),
        k.deviceId(),
        k.clientPublicKey(),
        k.driveCertificate(),
        k.registeredAt().getEpochSecond());
  }

  /**
   * Records a client's new key pair (a registration retried, its answer lost) and the drive
   * certificate its service data was sealed to.
   */
  public static void rekeyClient(
      Connection c, String clientId, String clientPublicKey, String driveCertificate)
      throws SQLException {
    Sql.update(
        c,
        "UPDATE clients SET client_public_key = ?, drive_certificate = ? WHERE client_id = ?",
        clientPublicKey,
        driveCertificate,
        clientId);
  }

  public static Optional<ClientRow> client(Connection c, String clientId) throws SQLException {
    return Sql.one(c, CLIENTS + " WHERE client_id = ?", OperationsStore::clientRow, clientId);
  }

  public static Optional<ClientRow> clientOfDevice(Connection c, String deviceId)
      throws SQLException {
    return Sql.one(c, CLIENTS + " WHERE device_id = ?", OperationsStore::clientRow, deviceId);
  }

  public static List<ClientRow> clientsOf(Connection c, String userId) throws SQLException {
    return Sql.list(
        c, CLIENTS + " WHERE user_id = ? ORDER BY leaf_id", OperationsStore::clientRow, userId);
  }

  /** A client's row and whether it is revoked, read in one statement. */
  public record CheckedClient(ClientRow client, boolean revoked) {}

  /**
   * The client's row and whether C records its revocation, in one round trip; with {@code lock},
   * the row is locked until the transaction ends (one copy from a client at a time).
   */
  public static Optional<CheckedClient> checkedClient(Connection c, String clientId, boolean lock)
      throws SQLException {
    return Sql.one(
        c,
        CLIENTS_REVOKED + " WHERE client_id = ?" + (lock ? " FOR UPDATE" : ""),
        r -> new CheckedClient(clientRow(r), r.getBoolean(9)),
        clientId);
  }

  /**
   * As {@link #checkedClient} for every client of {@code clientIds}, by ID, in one round trip; with
   * {@code lock}, their rows are locked in the order of their IDs, so that two transactions locking
   * overlapping sets never wait on each other in a cycle.
   */
  public static Map<String, CheckedClient> checkedClients(
      Connection c, Collection<String> clientIds, boolean lock) throws SQLException {
    Map<String, CheckedClient> found = new HashMap<>();
    Set<String> sorted = new TreeSet<>(clientIds);
    if (sorted.isEmpty()) {
      return found;
    }
    for (CheckedClient checked :
        Sql.list(
            c,
            CLIENTS_REVOKED
                + " WHERE client_id IN "
                + Sql.in(sorted.size())
                + (lock ? " ORDER BY client_id FOR UPDATE" : ""),
            r -> new CheckedClient(clientRow(r), r.getBoolean(9)),
            sorted.toArray())) {
      found.put(checked.client().clientId(), checked);
    }
    return found;
  }

  private static final String CLIENTS_REVOKED =
      "SELECT client_id, leaf_id, user_id, distributor, device_id, client_public_key,"
          + " drive_certificate, registered_at, EXISTS (SELECT 1 FROM revocations r"
          + " WHERE r.client_id = clients.client_id) FROM clients";

  private static final String CLIENTS =
      "SELECT client_id, leaf_id, user_id, distributor, device_id, client_public_key,"
          + " drive_certificate, registered_at FROM clients";

  private static ClientRow clientRow(ResultSet r) throws SQLException {
    return new ClientRow(
        r.getString(1),
        r.getLong(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getString(6).trim(),
        r.getString(7),
        Instant.ofEpochSecond(r.getLong(8)));
  }

  // ------------------------------------------------------------------ contents, licenses, copies

  public static void putContentLicense(
      Connection c, String distributor, String contentId, String licenseId) throws SQLException {
    if (Sql.update(
            c,
            "UPDATE content_licenses SET license_id = ? WHERE distributor = ? AND content_id = ?",
            licenseId,
            distributor,
            contentId)
        == 0) {
      Sql.update(
          c,
          "INSERT INTO content_licenses (distributor, content_id, license_id) VALUES (?, ?, ?)",
          distributor,
          contentId,
          licenseId);
    }
  }

  public static void insertDownload(
      Connection c,
      String userId,
      String contentId,
      String licenseId,
      String clientId,
      String distributor,
      Instant at)
      throws SQLException {
    Sql.insert(
        c,
        "INSERT INTO user_downloads (user_id, content_id, license_id, client_id, distributor,"
            + " downloaded_at) VALUES (?, ?, ?, ?, ?, ?)",
        "download_id",
        userId,
        contentId,
        licenseId,
        clientId,
        distributor,
        at.getEpochSecond());
  }

  public static void insertUserLicense(Connection c, UserLicenseRow l) throws SQLException {
    insertUserLicenses(c, List.of(l));
  }

  /** Writes {@code licenses} in one batch. */
  public static void insertUserLicenses(Connection c, List<UserLicenseRow> licenses)
      throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (UserLicenseRow l : licenses) {
      rows.add(
          new Object[] {
            l.serial(),
            l.userId(),
            l.licenseId(),
            l.contentId(),
            l.clientId(),
            l.distributor(),
            l.copiesAllowed(),
            l.issuedAt().getEpochSecond()
          });
    }
    Sql.batch(
        c,
        "INSERT INTO user_licenses (serial, user_id, license_id, content_id, client_id,"
            + " distributor, copies_allowed, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
  }

  public static List<UserLicenseRow> userLicenses(Connection c, String userId) throws SQLException {
    return Sql.list(
        c,
        "SELECT serial, user_id, license_id, content_id, client_id, distributor, copies_allowed,"
            + " issued_at FROM user_licenses WHERE user_id = ? ORDER BY issued_at, serial",
        r ->
            new UserLicenseRow(
                r.getString(1).trim(),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getString(6),
                r.getInt(7),
                Instant.ofEpochSecond(r.getLong(8))),
        userId);
  }

  /** Copy certificates issued so far for license {@code licenseId} held by {@code sourceClient}. */
  public static long copiesIssued(Connection c, String sourceClient, String licenseId)
      throws SQLException {
    return Sql.number(
        c,
        "SELECT COUNT(*) FROM copy_history WHERE source_client = ? AND license_id = ?",
        sourceClient,
        licenseId);
  }

  /** A license of a client, as the copy count counts: the copies issued from it. */
  public record CountedLicense(String sourceClient, String licenseId) {}

  /**
   * As {@link #copiesIssued(Connection, String, String)} for every source of {@code sources}, in
   * one round trip; a source with none issued is missing.
   */
  public static Map<CountedLicense, Long> copiesIssued(
      Connection c, Collection<CountedLicense> sources) throws SQLException {
    Map<CountedLicense, Long> issued = new HashMap<>();
    if (sources.isEmpty()) {
      return issued;
    }
    Set<String> clients = new TreeSet<>();
    sources.forEach(k -> clients.add(k.sourceClient()));
    for (Object[] row :
        Sql.list(
            c,
            "SELECT source_client, license_id, COUNT(*) FROM copy_history WHERE source_client IN "
                + Sql.in(clients.size())
                + " GROUP BY source_client, license_id",
            r -> new Object[] {new CountedLicense(r.getString(1), r.getString(2)), r.getLong(3)},
            clients.toArray())) {
      if (sources.contains((CountedLicense) row[0])) {
        issued.put((CountedLicense) row[0], (Long) row[1]);
      }
    }
    return issued;
  }

  /** A row of the copy-certificate history. */
  public record HistoryRow(
      String serial,
      String licenseSerial,
      String licenseId,
      String contentId,
      String userId,
      String sourceClient,
      String destinationClient,
      String distributor,
      Instant issuedAt) {}

  /** Writes {@code copies} in one batch. */
  public static void insertCopies(Connection c, List<HistoryRow> copies) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (HistoryRow h : copies) {
      rows.add(
          new Object[] {
            h.serial(),
            h.licenseSerial(),
            h.licenseId(),
            h.contentId(),
            h.userId(),
            h.sourceClient(),
            h.destinationClient(),
            h.distributor(),
            h.issuedAt().getEpochSecond()
          });
    }
    Sql.batch(
        c,
        "INSERT INTO copy_history (serial, license_serial, license_id, content_id, user_id,"
            + " source_client, destination_client, distributor, issued_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
  }

  public static void insertCopy(
      Connection c,
      String serial,
      String licenseSerial,
      String licenseId,
      String contentId,
      String userId,
      String sourceClient,
      String destinationClient,
      String distributor,
      Instant at)
      throws SQLException {
    Sql.update(
        c,
        "INSERT INTO copy_history (serial, license_serial, license_id, content_id, user_id,"
            + " source_client, destination_client, distributor, issued_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        serial,
        licenseSerial,
        licenseId,
        contentId,
        userId,
        sourceClient,
        destinationClient,
        distributor,
        at.getEpochSecond());
  }

  /**
   * The serials of licenses ({@code copies} false: user_licenses) or of copy certificates ({@code
   * copies} true: copy_history) that {@code distributor} recorded before {@code before}, above
   * {@code after} in serial order, at most {@code limit}: one page of the reconciliation with A.
   */
  public static List<String> recordedBefore(
      Connection c, boolean copies, String distributor, Instant before, String after, int limit)
      throws SQLException {
    return Sql.list(
        c,
        "SELECT serial FROM "
            + (copies ? "copy_history" : "user_licenses")
            + " WHERE distributor = ? AND issued_at < ? AND serial > ? ORDER BY serial LIMIT ?",
        r -> r.getString(1).trim(),
        distributor,
        before.getEpochSecond(),
        after,
        limit);
  }

  /**
   * Deletes what {@code distributor} recorded of licenses {@code licenseSerials} (with the copy
   * history that names them as the destination's license) and of copy certificates {@code
   * copySerials}: the rows of a batch whose transaction of A did not commit. Returns the rows
   * deleted.
   */
  public static int withdraw(
      Connection c,
      String distributor,
      Collection<String> licenseSerials,
      Collection<String> copySerials)
      throws SQLException {
    int deleted = 0;
    if (!copySerials.isEmpty()) {
      List<Object> args = new ArrayList<>();
      args.add(distributor);
      args.addAll(copySerials);
      deleted +=
          Sql.update(
              c,
              "DELETE FROM copy_history WHERE distributor = ? AND serial IN "
                  + Sql.in(copySerials.size()),
              args.toArray());
    }
    if (!licenseSerials.isEmpty()) {
      List<Object> args = new ArrayList<>();
      args.add(distributor);
      args.addAll(licenseSerials);
      deleted +=
          Sql.update(
              c,
              "DELETE FROM copy_history WHERE distributor = ? AND license_serial IN "
                  + Sql.in(licenseSerials.size()),
              args.toArray());
      deleted +=
          Sql.update(
              c,
              "DELETE FROM user_licenses WHERE distributor = ? AND serial IN "
                  + Sql.in(licenseSerials.size()),
              args.toArray());
    }
    return deleted;
  }

  // ------------------------------------------------------------------ revocations

  /** The EKB version: the count of revocations, i.e. the highest version taken. */
  public static int ekbVersion(Connection c) throws SQLException {
    return (int) Sql.number(c, "SELECT MAX(version) FROM revocations");
  }

  public static Optional<RevocationRow> revocation(Connection c, String clientId)
      throws SQLException {
    return Sql.one(
        c, REVOCATIONS + " WHERE client_id = ?", OperationsStore::revocationRow, clientId);
  }

  public static List<RevocationRow> revocations(Connection c) throws SQLException {
    return Sql.list(c, REVOCATIONS + " ORDER BY version", OperationsStore::revocationRow);
  }

  /**
   * Records the revocation with version {@code version}. A unique violation (the version taken
   * meanwhile by another distributor) is thrown: the caller tries again with the next one.
   */
  public static void insertRevocation(Connection c, RevocationRow r) throws SQLException {
    Sql.update(
        c,
        "INSERT INTO revocations (version, client_id, leaf_id, distributor, revoked_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        r.version(),
        r.clientId(),
        r.leafId(),
        r.distributor(),
        r.revokedAt().getEpochSecond());
  }

  private static final String REVOCATIONS =
      "SELECT version, client_id, leaf_id, distributor, revoked_at FROM revocations";

  private static RevocationRow revocationRow(ResultSet r) throws SQLException {
    return new RevocationRow(
        r.getInt(1),
        r.getString(2),
        r.getLong(3),
        r.getString(4),
        Instant.ofEpochSecond(r.getLong(5)));
  }
}
