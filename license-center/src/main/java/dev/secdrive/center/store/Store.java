package dev.secdrive.center.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The central site's database. One connection, used under this object's lock: each request costs a
 * few statements and an Ed25519 signature, far below what one connection carries, and serialising
 * them in-process keeps "no copy while a bill is unpaid" a plain check-then-insert. Issuing and
 * paying also lock the user's row ({@code SELECT ... FOR UPDATE}), so two centers sharing one
 * PostgreSQL database cannot both pass the check either. A connection found dead (a restarted
 * server) is opened anew before the next request. Every method is one transaction: on any failure
 * it is rolled back and nothing is half-written.
 */
public final class Store implements AutoCloseable {

  private static final HexFormat HEX = HexFormat.of();
  private static final String UNIQUE_VIOLATION = "23505";

  private final JdbcConfig config;
  private Connection connection;

  private Store(JdbcConfig config) {
    this.config = config;
  }

  /**
   * Opens the database and brings its schema up to date (Flyway, {@code db/migration}).
   *
   * @throws StoreException naming the URL if the database cannot be reached or migrated
   */
  public static Store open(JdbcConfig config) {
    Migrations.migrate(config, "db/migration", "flyway_schema_history", "center database");
    Store store = new Store(config);
    synchronized (store) {
      store.connection();
    }
    return store;
  }

  /** What a transaction does; it may throw {@code E} to roll back. */
  @FunctionalInterface
  private interface Work<T, E extends Exception> {
    T run(Connection c) throws SQLException, E;
  }

  private Connection connection() {
    try {
      if (connection == null || !connection.isValid(5)) {
        if (connection != null) {
          try {
            connection.close();
          } catch (SQLException ignored) {
            // already broken: the new connection replaces it
          }
        }
        connection = DriverManager.getConnection(config.url(), config.user(), config.password());
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      return connection;
    } catch (SQLException e) {
      connection = null;
      throw new StoreException(
          "cannot connect to the center database " + config.url() + ": " + e.getMessage(), e);
    }
  }

  private synchronized <T, E extends Exception> T transaction(String what, Work<T, E> work)
      throws E {
    Connection c = connection();
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException e) {
      rollback(c, e);
      throw new StoreException("cannot " + what + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      rollback(c, e);
      throw e;
    } catch (Exception e) {
      rollback(c, e);
      throw e;
    }
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  // ------------------------------------------------------------------ titles

  /**
   * Registers {@code title} in the contents identifier file.
   *
   * @return false (and nothing written) if a title with its ID exists
   */
  public boolean insertTitle(Title title) {
    return this.<Boolean, RuntimeException>transaction(
        "register title " + title.titleId(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO titles (title_id, name, scheme, kd, price_cents, registered_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, title.titleId());
            s.setString(2, title.name());
            s.setInt(3, title.scheme());
            if (title.kd() == null) {
              s.setNull(4, Types.VARCHAR);
            } else {
              s.setString(4, HEX.formatHex(title.kd()));
            }
            s.setLong(5, title.priceCents());
            s.setLong(6, title.registeredAt().getEpochSecond());
            s.executeUpdate();
            return true;
          } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
              return false;
            }
            throw e;
          }
        });
  }

  /** Replaces title {@code titleId}'s stored key, if it is still {@code expected}. */
  public void replaceTitleKey(String titleId, byte[] expected, byte[] replacement) {
    this.<Void, RuntimeException>transaction(
        "replace the key of title " + titleId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("UPDATE titles SET kd = ? WHERE title_id = ? AND kd = ?")) {
            s.setString(1, HEX.formatHex(replacement));
            s.setString(2, titleId);
            s.setString(3, HEX.formatHex(expected));
            s.executeUpdate();
            return null;
          }
        });
  }

  public Optional<Title> title(String titleId) {
    return this.<Optional<Title>, RuntimeException>transaction(
        "read title " + titleId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT title_id, name, scheme, kd, price_cents, registered_at FROM titles"
                      + " WHERE title_id = ?")) {
            s.setString(1, titleId);
            try (ResultSet r = s.executeQuery()) {
              return r.next() ? Optional.of(title(r)) : Optional.empty();
            }
          }
        });
  }

  /** The contents identifier file, ordered by title ID. */
  public List<Title> titles() {
    return this.<List<Title>, RuntimeException>transaction(
        "list titles",
        c -> {
          List<Title> titles = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT title_id, name, scheme, kd, price_cents, registered_at FROM titles"
                          + " ORDER BY title_id");
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              titles.add(title(r));
            }
          }
          return titles;
        });
  }

  private static Title title(ResultSet r) throws SQLException {
    String kd = r.getString("kd");
    return new Title(
        r.getString("title_id"),
        r.getString("name"),
        r.getInt("scheme"),
        kd == null ? null : HEX.parseHex(kd),
        r.getLong("price_cents"),
        Instant.ofEpochSecond(r.getLong("registered_at")));
  }

  // ------------------------------------------------------------------ users

  /**
   * Registers {@code user} in the user profile database.
   *
   * @return false (and nothing written) if a user with its ID exists
   */
  public boolean insertUser(User user) {
    return this.<Boolean, RuntimeException>transaction(
        "register user " + user.userId(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO users (user_id, name, user_key, signing_key, registered_at)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, user.userId());
            s.setString(2, user.name());
            s.setString(3, HEX.formatHex(user.userKey()));
            if (user.signingKey() == null) {
              s.setNull(4, Types.VARCHAR);
            } else {
              s.setString(4, HEX.formatHex(user.signingKey()));
            }
            s.setLong(5, user.registeredAt().getEpochSecond());
            s.executeUpdate();
            return true;
          } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
              return false;
            }
            throw e;
          }
        });
  }

  public Optional<User> user(String userId) {
    return this.<Optional<User>, RuntimeException>transaction(
        "read user " + userId, c -> user(c, userId, false));
  }

  private static Optional<User> user(Connection c, String userId, boolean lock)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT user_id, name, user_key, signing_key, registered_at FROM users WHERE user_id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, userId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        String signingKey = r.getString("signing_key");
        return Optional.of(
            new User(
                r.getString("user_id"),
                r.getString("name"),
                HEX.parseHex(r.getString("user_key")),
                signingKey == null ? null : HEX.parseHex(signingKey),
                Instant.ofEpochSecond(r.getLong("registered_at"))));
      }
    }
  }

  /** The user's bills, oldest first. */
  public List<Bill> bills(String userId) {
    return this.<List<Bill>, RuntimeException>transaction(
        "read the bills of " + userId, c -> bills(c, userId, false));
  }

  private static List<Bill> bills(Connection c, String userId, boolean unpaidOnly)
      throws SQLException {
    List<Bill> bills = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id, user_id, copy_serial, amount_cents, paid_cents, paid, created_at"
                + " FROM bills WHERE user_id = ?"
                + (unpaidOnly ? " AND paid = FALSE" : "")
                + " ORDER BY id")) {
      s.setString(1, userId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          bills.add(bill(r));
        }
      }
    }
    return bills;
  }

  /** The copies issued to the user, oldest first. */
  public List<Copy> copies(String userId) {
    return this.<List<Copy>, RuntimeException>transaction(
        "read the copies of " + userId,
        c -> {
          List<Copy> copies = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT serial, user_id, title_id, medium_id, device_id, scheme, issued_at"
                      + " FROM copies WHERE user_id = ? ORDER BY serial")) {
            s.setString(1, userId);
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                copies.add(copy(r));
              }
            }
          }
          return copies;
        });
  }

  private static Bill bill(ResultSet r) throws SQLException {
    return new Bill(
        r.getLong("id"),
        r.getString("user_id"),
        r.getLong("copy_serial"),
        r.getLong("amount_cents"),
        r.getLong("paid_cents"),
        r.getBoolean("paid"),
        Instant.ofEpochSecond(r.getLong("created_at")));
  }

  private static Copy copy(ResultSet r) throws SQLException {
    return new Copy(
        r.getLong("serial"),
        r.getString("user_id"),
        r.getString("title_id"),
        r.getString("medium_id"),
        r.getString("device_id"),
        r.getInt("scheme"),
        Instant.ofEpochSecond(r.getLong("issued_at")));
  }

  // ------------------------------------------------------------------ billing

  /** A recorded payment and the bills it settled. */
  public record Payment(long paymentId, List<Long> billsPaid, long stillOwedCents) {}

  /**
   * Records a payment of {@code amountCents} by an existing user and applies it to the unpaid bills
   * oldest first; a bill is paid when its whole amount is.
   *
   * @return empty if there is no such user
   * @throws OverpaymentException (nothing written) if the amount exceeds what the user owes
   */
  public Optional<Payment> pay(String userId, long amountCents, Instant now)
      throws OverpaymentException {
    if (amountCents <= 0) {
      throw new IllegalArgumentException("a payment must be positive");
    }
    return this.<Optional<Payment>, OverpaymentException>transaction(
        "record a payment by " + userId,
        c -> {
          if (user(c, userId, true).isEmpty()) {
            return Optional.empty();
          }
          List<Bill> unpaid = bills(c, userId, true);
          long owed = 0;
          for (Bill b : unpaid) {
            owed += b.amountCents() - b.paidCents();
          }
          if (amountCents > owed) {
            throw new OverpaymentException(amountCents, owed);
          }
          long paymentId;
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO payments (user_id, amount_cents, received_at) VALUES (?, ?, ?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, userId);
            s.setLong(2, amountCents);
            s.setLong(3, now.getEpochSecond());
            s.executeUpdate();
            paymentId = generated(s, "id");
          }
          long left = amountCents;
          List<Long> settled = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement("UPDATE bills SET paid_cents = ?, paid = ? WHERE id = ?")) {
            for (Bill b : unpaid) {
              if (left == 0) {
                break;
              }
              long apply = Math.min(left, b.amountCents() - b.paidCents());
              long paidCents = b.paidCents() + apply;
              boolean paid = paidCents == b.amountCents();
              s.setLong(1, paidCents);
              s.setBoolean(2, paid);
              s.setLong(3, b.id());
              s.executeUpdate();
              left -= apply;
              if (paid) {
                settled.add(b.id());
              }
            }
          }
          return Optional.of(new Payment(paymentId, settled, owed - amountCents));
        });
  }

  // ------------------------------------------------------------------ issuing

  /**
   * What to issue: the target drive the title's keys are sealed to is {@code deviceId}, the subject
   * of its certificate, with {@code driveKey}, that certificate's X25519 key (lower-case hex). A
   * copy is one (user, title, medium, drive): the same drive is the same device ID with the same
   * key.
   */
  public record CopyRequest(
      String userId,
      String titleId,
      String mediumId,
      String deviceId,
      String driveKey,
      int scheme) {
    public CopyRequest {
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(driveKey, "driveKey");
    }
  }

  /**
   * Makes the signed document for a copy's serial and issue time; runs inside the issuing
   * transaction.
   */
  @FunctionalInterface
  public interface Signer<T> {
    T sign(long serial, Instant issuedAt);
  }

  /**
   * An issued copy with its bill and the document made for it.
   *
   * @param reissued true if the copy existed already and its document was made again
   */
  public record Issued<T>(Copy copy, Bill bill, T document, boolean reissued) {}

  /**
   * Issues a copy in one transaction. If the user already has a copy of the title on the medium in
   * the same drive (device ID and drive key), that copy's document is made again with {@code
   * signer} (its serial and issue time), and nothing is written: no new copy, no new bill, whether
   * its bill is paid or not, so a copy that failed after the site answered can be retried. The same
   * title and medium in another drive is another copy. Otherwise: checks the user has no unpaid
   * bill, records the copy (its serial and drive), makes the document and, last, records a bill of
   * {@code priceCents} (paid at once when 0). If anything fails, none of it is kept.
   *
   * @throws UnpaidBillsException (nothing written) if the user has an unpaid bill
   * @throws UnknownUserException (nothing written) if the user does not exist
   */
  public <T> Issued<T> issue(CopyRequest request, long priceCents, Instant now, Signer<T> signer)
      throws UnpaidBillsException {
    return this.<Issued<T>, UnpaidBillsException>transaction(
        "issue a copy of " + request.titleId() + " to " + request.userId(),
        c -> {
          if (user(c, request.userId(), true).isEmpty()) {
            throw new UnknownUserException(request.userId());
          }
          Optional<Copy> existing = existingCopy(c, request);
          if (existing.isPresent()) {
            Copy copy = existing.get();
            return new Issued<>(
                copy, billOf(c, copy), signer.sign(copy.serial(), copy.issuedAt()), true);
          }
          List<Bill> unpaid = bills(c, request.userId(), true);
          if (!unpaid.isEmpty()) {
            long owed = 0;
            for (Bill b : unpaid) {
              owed += b.amountCents() - b.paidCents();
            }
            throw new UnpaidBillsException(unpaid.size(), owed);
          }
          long serial;
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO copies (user_id, title_id, medium_id, device_id, drive_key, scheme,"
                      + " issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, request.userId());
            s.setString(2, request.titleId());
            s.setString(3, request.mediumId());
            s.setString(4, request.deviceId());
            s.setString(5, request.driveKey());
            s.setInt(6, request.scheme());
            s.setLong(7, now.getEpochSecond());
            s.executeUpdate();
            serial = generated(s, "serial");
          }
          Instant at = Instant.ofEpochSecond(now.getEpochSecond());
          // The bill comes last: whatever refuses the copy, signing included, refuses it unbilled.
          T document = signer.sign(serial, at);
          boolean paid = priceCents == 0;
          long billId;
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO bills (user_id, copy_serial, amount_cents, paid_cents, paid,"
                      + " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, request.userId());
            s.setLong(2, serial);
            s.setLong(3, priceCents);
            s.setLong(4, 0);
            s.setBoolean(5, paid);
            s.setLong(6, now.getEpochSecond());
            s.executeUpdate();
            billId = generated(s, "id");
          }
          return new Issued<>(
              new Copy(
                  serial,
                  request.userId(),
                  request.titleId(),
                  request.mediumId(),
                  request.deviceId(),
                  request.scheme(),
                  at),
              new Bill(billId, request.userId(), serial, priceCents, 0, paid, at),
              document,
              false);
        });
  }

  /** The user's copy of the request's title on its medium in its drive, if any. */
  private static Optional<Copy> existingCopy(Connection c, CopyRequest request)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT serial, user_id, title_id, medium_id, device_id, scheme, issued_at FROM copies"
                + " WHERE user_id = ? AND title_id = ? AND medium_id = ? AND device_id = ?"
                + " AND drive_key = ?")) {
      s.setString(1, request.userId());
      s.setString(2, request.titleId());
      s.setString(3, request.mediumId());
      s.setString(4, request.deviceId());
      s.setString(5, request.driveKey());
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(copy(r)) : Optional.empty();
      }
    }
  }

  private static Bill billOf(Connection c, Copy copy) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id, user_id, copy_serial, amount_cents, paid_cents, paid, created_at"
                + " FROM bills WHERE copy_serial = ?")) {
      s.setLong(1, copy.serial());
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("copy " + copy.serial() + " has no bill");
        }
        return bill(r);
      }
    }
  }

  private static long generated(Statement s, String column) throws SQLException {
    try (ResultSet keys = s.getGeneratedKeys()) {
      if (!keys.next()) {
        throw new SQLException("the database returned no " + column);
      }
      return keys.getLong(column);
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        throw new StoreException("cannot close the center database: " + e.getMessage(), e);
      } finally {
        connection = null;
      }
    }
  }
}
