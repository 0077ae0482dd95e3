package dev.secdrive.center.distributor.store;

import static dev.secdrive.center.distributor.store.Sql.NULL_BIGINT;
import static dev.secdrive.center.distributor.store.Sql.NULL_TEXT;

import dev.secdrive.center.distributor.store.Rows.BillRow;
import dev.secdrive.center.distributor.store.Rows.ContentRow;
import dev.secdrive.center.distributor.store.Rows.CopyRow;
import dev.secdrive.center.distributor.store.Rows.DownloadRow;
import dev.secdrive.center.distributor.store.Rows.LicenseRow;
import dev.secdrive.center.distributor.store.Rows.OfferRow;
import dev.secdrive.center.distributor.store.Rows.Terms;
import dev.secdrive.center.distributor.store.Rows.UserRow;
import dev.secdrive.center.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The statements of a distributor's private database (DB A, Flyway location {@code db/distributor},
 * history table {@code flyway_history_distributor}). Every method runs inside a transaction of the
 * caller's {@link Database}, so that a flow composes them and commits once.
 */
public final class PrivateStore {

  /** The Flyway location. */
  public static final String LOCATION = "db/distributor";

  /** The Flyway history table. */
  public static final String HISTORY = "flyway_history_distributor";

  private static final HexFormat HEX = HexFormat.of();

  private PrivateStore() {}

  // ------------------------------------------------------------------ users and sessions

  /** False (nothing written) if the user exists. */
  public static boolean insertUser(Connection c, UserRow u) throws SQLException {
    if (user(c, u.userId()).isPresent()) {
      return false;
    }
    try {
      Sql.update(
          c,
          "INSERT INTO users (user_id, name, password_hash, registered_at) VALUES (?, ?, ?, ?)",
          u.userId(),
          u.name(),
          u.passwordHash(),
          u.registeredAt().getEpochSecond());
      return true;
    } catch (SQLException e) {
      if (Database.uniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  public static Optional<UserRow> user(Connection c, String userId) throws SQLException {
    return Sql.one(
        c,
        "SELECT user_id, name, password_hash, registered_at FROM users WHERE user_id = ?",
        PrivateStore::userRow,
        userId);
  }

  /** The user's row, locked until the transaction ends: one issue or payment at a time. */
  public static Optional<UserRow> lockUser(Connection c, String userId) throws SQLException {
    return Sql.one(
        c,
        "SELECT user_id, name, password_hash, registered_at FROM users WHERE user_id = ?"
            + " FOR UPDATE",
        PrivateStore::userRow,
        userId);
  }

  /**
   * Locks the rows of {@code userIds} until the transaction ends, in one round trip and in the
   * order of their IDs, so that two transactions locking overlapping sets never wait on each other
   * in a cycle. Returns the IDs that are users here.
   */
  public static Set<String> lockUsers(Connection c, Collection<String> userIds)
      throws SQLException {
    Set<String> found = new HashSet<>();
    Set<String> sorted = new TreeSet<>(userIds);
    if (sorted.isEmpty()) {
      return found;
    }
    found.addAll(
        Sql.list(
            c,
            "SELECT user_id FROM users WHERE user_id IN "
                + Sql.in(sorted.size())
                + " ORDER BY user_id FOR UPDATE",
            r -> r.getString(1),
            sorted.toArray()));
    return found;
  }

  private static UserRow userRow(ResultSet r) throws SQLException {
    return new UserRow(
        r.getString(1), r.getString(2), r.getString(3), Instant.ofEpochSecond(r.getLong(4)));
  }

  public static void insertSession(
      Connection c, String tokenHash, String userId, Instant at, Instant expires)
      throws SQLException {
    Sql.update(
        c,
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        tokenHash,
        userId,
        at.getEpochSecond(),
        expires.getEpochSecond());
  }

  /** The user of an unexpired session. */
  public static Optional<String> sessionUser(Connection c, String tokenHash, Instant now)
      throws SQLException {
    return Sql.one(
        c,
        "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
        r -> r.getString(1),
        tokenHash,
        now.getEpochSecond());
  }

  /**
   * The users of the unexpired sessions among {@code tokenHashes}, by token hash, in one round
   * trip: a hash that is missing has no session (any more).
   */
  public static Map<String, String> sessionUsers(Connection c, Set<String> tokenHashes, Instant now)
      throws SQLException {
    Map<String, String> users = new HashMap<>();
    if (tokenHashes.isEmpty()) {
      return users;
    }
    List<Object> args = new ArrayList<>(tokenHashes);
    args.add(now.getEpochSecond());
    for (String[] row :
        Sql.list(
            c,
            "SELECT token_hash, user_id FROM sessions WHERE token_hash IN "
                + Sql.in(tokenHashes.size())
                + " AND expires_at > ?",
            r -> new String[] {r.getString(1).trim(), r.getString(2)},
            args.toArray())) {
      users.put(row[0], row[1]);
    }
    return users;
  }

  /** Deletes an unexpired session; false if there was none. */
  public static boolean deleteSession(Connection c, String tokenHash, Instant now)
      throws SQLException {
    return Sql.update(
            c,
            "DELETE FROM sessions WHERE token_hash = ? AND expires_at > ?",
            tokenHash,
            now.getEpochSecond())
        == 1;
  }

  // ------------------------------------------------------------------ settings

  public static Optional<String> setting(Connection c, String name) throws SQLException {
    return Sql.one(
        c, "SELECT setting_value FROM settings WHERE name = ?", r -> r.getString(1), name);
  }

  public static void putSetting(Connection c, String name, String value) throws SQLException {
    if (Sql.update(c, "UPDATE settings SET setting_value = ? WHERE name = ?", value, name) == 0) {
      Sql.update(c, "INSERT INTO settings (name, setting_value) VALUES (?, ?)", name, value);
    }
  }

  // ------------------------------------------------------------------ bills and payments

  public static long insertBill(
      Connection c, String userId, String kind, String reference, long amount, Instant at)
      throws SQLException {
    return Sql.insert(
        c,
        "INSERT INTO bills (user_id, kind, reference, amount_cents, paid_cents, created_at)"
            + " VALUES (?, ?, ?, ?, 0, ?)",
        "bill_id",
        userId,
        kind,
        reference,
        amount,
        at.getEpochSecond());
  }

  public static Optional<BillRow> bill(Connection c, long billId) throws SQLException {
    return Sql.one(c, BILLS + " WHERE bill_id = ?", PrivateStore::billRow, billId);
  }

  /** The user's bills, oldest first. */
  public static List<BillRow> bills(Connection c, String userId) throws SQLException {
    return Sql.list(
        c, BILLS + " WHERE user_id = ? ORDER BY bill_id", PrivateStore::billRow, userId);
  }

  /** What the user owes: the unpaid rest of every bill. */
  public static long owed(Connection c, String userId) throws SQLException {
    return Sql.number(
        c, "SELECT SUM(amount_cents - paid_cents) FROM bills WHERE user_id = ?", userId);
  }

  /** What each of {@code userIds} owes (0 for none), in one round trip. */
  public static Map<String, Long> owed(Connection c, Set<String> userIds) throws SQLException {
    Map<String, Long> owed = new HashMap<>();
    if (userIds.isEmpty()) {
      return owed;
    }
    for (Object[] row :
        Sql.list(
            c,
            "SELECT user_id, SUM(amount_cents - paid_cents) FROM bills WHERE user_id IN "
                + Sql.in(userIds.size())
                + " GROUP BY user_id",
            r -> new Object[] {r.getString(1), r.getLong(2)},
            userIds.toArray())) {
      owed.put((String) row[0], (Long) row[1]);
    }
    return owed;
  }

  /** A bill to write: {@link #insertBills}. */
  public record NewBill(String userId, String kind, String reference, long amountCents) {}

  /** Writes the bills of {@code bills} in one batch; their rows, in order. */
  public static List<BillRow> insertBills(Connection c, List<NewBill> bills, Instant at)
      throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (NewBill b : bills) {
      rows.add(
          new Object[] {b.userId(), b.kind(), b.reference(), b.amountCents(), at.getEpochSecond()});
    }
    List<Long> ids =
        Sql.insertBatch(
            c,
            "INSERT INTO bills (user_id, kind, reference, amount_cents, paid_cents, created_at)"
                + " VALUES (?, ?, ?, ?, 0, ?)",
            "bill_id",
            rows);
    List<BillRow> written = new ArrayList<>();
    for (int i = 0; i < bills.size(); i++) {
      NewBill b = bills.get(i);
      written.add(
          new BillRow(ids.get(i), b.userId(), b.kind(), b.reference(), b.amountCents(), 0, at));
    }
    return written;
  }

  public static void payBill(Connection c, long billId, long paidCents) throws SQLException {
    Sql.update(c, "UPDATE bills SET paid_cents = ? WHERE bill_id = ?", paidCents, billId);
  }

  public static long insertPayment(Connection c, String userId, long amount, Instant at)
      throws SQLException {
    return Sql.insert(
        c,
        "INSERT INTO payments (user_id, amount_cents, paid_at) VALUES (?, ?, ?)",
        "payment_id",
        userId,
        amount,
        at.getEpochSecond());
  }

  private static final String BILLS =
      "SELECT bill_id, user_id, kind, reference, amount_cents, paid_cents, created_at FROM bills";

  private static BillRow billRow(ResultSet r) throws SQLException {
    return new BillRow(
        r.getLong(1),
        r.getString(2),
        r.getString(3),
        r.getString(4).trim(),
        r.getLong(5),
        r.getLong(6),
        Instant.ofEpochSecond(r.getLong(7)));
  }

  // ------------------------------------------------------------------ catalog

  /** False (nothing written) if a content with its ID exists. */
  public static boolean insertContent(Connection c, ContentRow t) throws SQLException {
    if (content(c, t.contentId()).isPresent()) {
      return false;
    }
    try {
      Sql.update(
          c,
          "INSERT INTO contents (content_id, name, codec, license_id, price_cents, plays, days,"
              + " copies, removable_copies, length, nonce, registered_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          t.contentId(),
          t.name(),
          t.codec(),
          t.licenseId(),
          t.priceCents(),
          t.terms().plays(),
          t.terms().days(),
          t.terms().copies(),
          t.terms().removableCopies(),
          t.length(),
          HEX.formatHex(t.nonce()),
          t.registeredAt().getEpochSecond());
      return true;
    } catch (SQLException e) {
      if (Database.uniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  public static Optional<ContentRow> content(Connection c, String contentId) throws SQLException {
    return Sql.one(c, CONTENTS + " WHERE content_id = ?", PrivateStore::contentRow, contentId);
  }

  /** The contents of {@code contentIds} that are in the catalog, by ID, in one round trip. */
  public static Map<String, ContentRow> contents(Connection c, Set<String> contentIds)
      throws SQLException {
    Map<String, ContentRow> found = new HashMap<>();
    if (contentIds.isEmpty()) {
      return found;
    }
    for (ContentRow t :
        Sql.list(
            c,
            CONTENTS + " WHERE content_id IN " + Sql.in(contentIds.size()),
            PrivateStore::contentRow,
            contentIds.toArray())) {
      found.put(t.contentId(), t);
    }
    return found;
  }

  public static List<ContentRow> contents(Connection c) throws SQLException {
    return Sql.list(c, CONTENTS + " ORDER BY content_id", PrivateStore::contentRow);
  }

  private static final String CONTENTS =
      "SELECT content_id, name, codec, license_id, price_cents, plays, days, copies,"
          + " removable_copies, length, nonce, registered_at FROM contents";

  private static ContentRow contentRow(ResultSet r) throws SQLException {
    return new ContentRow(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getLong(5),
        new Terms(r.getLong(6), r.getInt(7), r.getInt(8), r.getInt(9)),
        r.getLong(10),
        HEX.parseHex(r.getString(11).trim()),
        Instant.ofEpochSecond(r.getLong(12)));
  }

  /** False (nothing written) if an offer with its ID exists. */
  public static boolean insertOffer(Connection c, OfferRow o, Instant at) throws SQLException {
    if (offer(c, o.offerId()).isPresent()) {
      return false;
    }
    Sql.update(
        c,
        "INSERT INTO offers (offer_id, content_id, price_cents, plays, days, copies,"
            + " removable_copies, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        o.offerId(),
        o.contentId(),
        o.priceCents(),
        o.terms().plays(),
        o.terms().days(),
        o.terms().copies(),
        o.terms().removableCopies(),
        at.getEpochSecond());
    return true;
  }

  public static Optional<OfferRow> offer(Connection c, String offerId) throws SQLException {
    return Sql.one(c, OFFERS + " WHERE offer_id = ?", PrivateStore::offerRow, offerId);
  }

  public static List<OfferRow> offers(Connection c, String contentId) throws SQLException {
    return Sql.list(
        c, OFFERS + " WHERE content_id = ? ORDER BY offer_id", PrivateStore::offerRow, contentId);
  }

  private static final String OFFERS =
      "SELECT offer_id, content_id, price_cents, plays, days, copies, removable_copies FROM offers";

  private static OfferRow offerRow(ResultSet r) throws SQLException {
    return new OfferRow(
        r.getString(1),
        r.getString(2),
        r.getLong(3),
        new Terms(r.getLong(4), r.getInt(5), r.getInt(6), r.getInt(7)));
  }

  // ------------------------------------------------------------------ issued

  public static void insertLicense(Connection c, LicenseRow l) throws SQLException {
    insertLicenses(c, List.of(l));
  }

  /** Writes {@code licenses} in one batch. */
  public static void insertLicenses(Connection c, List<LicenseRow> licenses) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (LicenseRow l : licenses) {
      rows.add(
          new Object[] {
            l.serial(),
            l.licenseId(),
            l.contentId(),
            l.userId(),
            l.clientId(),
            l.leafId(),
            l.notBefore(),
            l.notAfter(),
            l.plays(),
            l.copies(),
            l.removableCopies(),
            l.kind(),
            l.replaces() == null ? NULL_TEXT : l.replaces(),
            l.billId() == 0 ? NULL_BIGINT : (Object) l.billId(),
            l.issuedAt().getEpochSecond()
          });
    }
    Sql.batch(
        c,
        "INSERT INTO licenses (serial, license_id, content_id, user_id, client_id, leaf_id,"
            + " not_before, not_after, plays, copies, removable_copies, kind, replaces, bill_id,"
            + " issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
  }

  /**
   * Which of {@code serials} A holds as licenses ({@code licenses}) or as copy certificates ({@code
   * copies}): the reconciliation of C with A ({@code IssueBatches#reconcile}).
   */
  public static Set<String> recorded(Connection c, boolean copies, Collection<String> serials)
      throws SQLException {
    Set<String> found = new HashSet<>();
    if (serials.isEmpty()) {
      return found;
    }
    for (String serial :
        Sql.list(
            c,
            "SELECT serial FROM "
                + (copies ? "copy_certificates" : "licenses")
                + " WHERE serial IN "
                + Sql.in(serials.size()),
            r -> r.getString(1).trim(),
            serials.toArray())) {
      found.add(serial);
    }
    return found;
  }

  public static Optional<LicenseRow> license(Connection c, String serial) throws SQLException {
    return Sql.one(c, LICENSES + " WHERE serial = ?", PrivateStore::licenseRow, serial);
  }

  public static List<LicenseRow> licenses(Connection c, String userId) throws SQLException {
    return Sql.list(
        c,
        LICENSES + " WHERE user_id = ? ORDER BY issued_at, serial",
        PrivateStore::licenseRow,
        userId);
  }

  /**
   * A license to certify a copy of, with what the copy's checks and bill need: its content's price
   * (null if the content is gone), the setting {@code policySetting} and what {@code userId} owes.
   */
  public record CopySource(
      LicenseRow license, Long contentPriceCents, Optional<String> policy, long owedCents) {}

  /**
   * The licenses of {@code serials} with the rest of {@link CopySource}, by serial, in one round
   * trip; what is owed is that of each license's user. Read after the users' rows are locked, so
   * that the amounts owed include every bill committed before the locks.
   */
  public static Map<String, CopySource> copySources(
      Connection c, Set<String> serials, String policySetting) throws SQLException {
    Map<String, CopySource> found = new HashMap<>();
    if (serials.isEmpty()) {
      return found;
    }
    List<Object> args = new ArrayList<>();
    args.add(policySetting);
    args.addAll(serials);
    for (CopySource source :
        Sql.list(
            c,
            COPY_SOURCE
                + " (SELECT SUM(amount_cents - paid_cents) FROM bills b WHERE b.user_id = l.user_id)"
                + " FROM licenses l LEFT JOIN contents t ON t.content_id = l.content_id"
                + " WHERE l.serial IN "
                + Sql.in(serials.size()),
            PrivateStore::copySource,
            args.toArray())) {
      found.put(source.license().serial(), source);
    }
    return found;
  }

  private static final String COPY_SOURCE =
      "SELECT l.serial, l.license_id, l.content_id, l.user_id, l.client_id, l.leaf_id,"
          + " l.not_before, l.not_after, l.plays, l.copies, l.removable_copies, l.kind,"
          + " l.replaces, l.bill_id, l.issued_at, t.price_cents,"
          + " (SELECT setting_value FROM settings WHERE name = ?),";

  private static CopySource copySource(ResultSet r) throws SQLException {
    LicenseRow license = licenseRow(r);
    long price = r.getLong(16);
    Long contentPrice = r.wasNull() ? null : price;
    Optional<String> policy = Optional.ofNullable(r.getString(17));
    return new CopySource(license, contentPrice, policy, r.getLong(18));
  }

  private static final String LICENSES =
      "SELECT serial, license_id, content_id, user_id, client_id, leaf_id, not_before, not_after,"
          + " plays, copies, removable_copies, kind, replaces, bill_id, issued_at FROM licenses";

  private static LicenseRow licenseRow(ResultSet r) throws SQLException {
    String replaces = r.getString(13);
    return new LicenseRow(
        r.getString(1).trim(),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getLong(6),
        r.getLong(7),
        r.getLong(8),
        r.getLong(9),
        r.getInt(10),
        r.getInt(11),
        r.getString(12),
        replaces == null ? null : replaces.trim(),
        r.getLong(14),
        Instant.ofEpochSecond(r.getLong(15)));
  }

  public static void insertDownload(Connection c, DownloadRow d) throws SQLException {
    Sql.insert(
        c,
        "INSERT INTO downloads (user_id, content_id, client_id, ekb_version, downloaded_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        "download_id",
        d.userId(),
        d.contentId(),
        d.clientId(),
        d.ekbVersion(),
        d.downloadedAt().getEpochSecond());
  }

  public static List<DownloadRow> downloads(Connection c, String userId) throws SQLException {
    return Sql.list(
        c,
        "SELECT user_id, content_id, client_id, ekb_version, downloaded_at FROM downloads"
            + " WHERE user_id = ? ORDER BY download_id",
        r ->
            new DownloadRow(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getInt(4),
                Instant.ofEpochSecond(r.getLong(5))),
        userId);
  }

  public static void insertCopy(Connection c, CopyRow k) throws SQLException {
    insertCopies(c, List.of(k));
  }

  /** Writes {@code copies} in one batch. */
  public static void insertCopies(Connection c, List<CopyRow> copies) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (CopyRow k : copies) {
      rows.add(
          new Object[] {
            k.serial(),
            k.licenseSerial(),
            k.destinationLicense(),
            k.contentId(),
            k.userId(),
            k.sourceClient(),
            k.destinationClient(),
            k.billId() == 0 ? NULL_BIGINT : (Object) k.billId(),
            k.issuedAt().getEpochSecond()
          });
    }
    Sql.batch(
        c,
        "INSERT INTO copy_certificates (serial, license_serial, destination_license, content_id,"
            + " user_id, source_client, destination_client, bill_id, issued_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
  }

  public static List<CopyRow> copies(Connection c, String userId) throws SQLException {
    return Sql.list(
        c,
        "SELECT serial, license_serial, destination_license, content_id, user_id, source_client,"
            + " destination_client, bill_id, issued_at FROM copy_certificates WHERE user_id = ?"
            + " ORDER BY issued_at, serial",
        r ->
            new CopyRow(
                r.getString(1).trim(),
                r.getString(2).trim(),
                r.getString(3).trim(),
                r.getString(4),
                r.getString(5),
                r.getString(6),
                r.getString(7),
                r.getLong(8),
                Instant.ofEpochSecond(r.getLong(9))),
        userId);
  }
}
