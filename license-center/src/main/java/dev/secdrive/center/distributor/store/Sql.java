package dev.secdrive.center.distributor.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Statements with positional arguments, for the distributor's two stores: a {@code String}, {@code
 * Long}, {@code Integer} or {@link #NULL_BIGINT} / {@link #NULL_TEXT} per {@code ?}.
 */
final class Sql {

  /** A typed SQL NULL (PostgreSQL wants the type of a NULL parameter). */
  record Null(int type) {}

  static final Null NULL_BIGINT = new Null(Types.BIGINT);
  static final Null NULL_TEXT = new Null(Types.VARCHAR);

  /** Reads one row. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet r) throws SQLException;
  }

  private Sql() {}

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      return s.executeUpdate();
    }
  }

  /** Inserts one row and returns its generated {@code idColumn}. */
  static long insert(Connection c, String sql, String idColumn, Object... args)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql, new String[] {idColumn})) {
      bind(s, args);
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("no generated " + idColumn);
        }
        return keys.getLong(1);
      }
    }
  }

  static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      try (ResultSet r = s.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (r.next()) {
          out.add(row.read(r));
        }
        return out;
      }
    }
  }

  static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    List<T> rows = list(c, sql, row, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** {@code (?, ?, ..., ?)} with {@code n} parameters, for {@code IN}; n at least 1. */
  static String in(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("an IN list needs at least one value");
    }
    return "(" + "?, ".repeat(n - 1) + "?)";
  }

  /**
   * Runs {@code sql} once per row of {@code rows} as one JDBC batch: one round trip (on PostgreSQL
   * with {@code reWriteBatchedInserts}, one multi-row INSERT).
   */
  static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (Object[] row : rows) {
        bind(s, row);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** As {@link #batch}, returning each row's generated {@code idColumn}, in order. */
  static List<Long> insertBatch(Connection c, String sql, String idColumn, List<Object[]> rows)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    if (rows.isEmpty()) {
      return ids;
    }
    try (PreparedStatement s = c.prepareStatement(sql, new String[] {idColumn})) {
      for (Object[] row : rows) {
        bind(s, row);
        s.addBatch();
      }
      s.executeBatch();
      try (ResultSet keys = s.getGeneratedKeys()) {
        while (keys.next()) {
          ids.add(keys.getLong(1));
        }
      }
    }
    if (ids.size() != rows.size()) {
      throw new SQLException(
          "the batch of " + rows.size() + " rows generated " + ids.size() + " " + idColumn);
    }
    return ids;
  }

  /** The first column of the first row as a long; 0 for SQL NULL or no row. */
  static long number(Connection c, String sql, Object... args) throws SQLException {
    return one(c, sql, r -> r.getLong(1), args).orElse(0L);
  }

  private static void bind(PreparedStatement s, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof Null n) {
        s.setNull(i + 1, n.type());
      } else if (a instanceof String t) {
        s.setString(i + 1, t);
      } else if (a instanceof Long l) {
        s.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        s.setInt(i + 1, n);
      } else {
        throw new IllegalArgumentException("unsupported SQL argument " + a);
      }
    }
  }
}
