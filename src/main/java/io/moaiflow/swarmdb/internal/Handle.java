package io.moaiflow.swarmdb.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One connection with its statement cache, lent to a read or a write for its duration: the SQLite
 * writer's or a pooled reader's long-lived cache, or (on PostgreSQL) a cache of its own that lives
 * for one unit of work ({@link #run}). The DAOs see only this and {@link Backend}. Not thread safe:
 * it belongs to the thread doing the work until the work returns.
 *
 * @param connection the physical connection; do not close it
 * @param now the time this unit of work runs at (epoch ms, monotonic)
 * @param unit what this unit of work has read already and may reuse (a new one per unit)
 */
public record Handle(Connection connection, StatementCache cache, long now, Unit unit) {

  /**
   * A handle for one unit of work: one transaction of the SQLite writer (every write of a group
   * commit shares it), one read, one PostgreSQL unit.
   */
  public Handle(Connection connection, StatementCache cache, long now) {
    this(connection, cache, now, new Unit());
  }

  /**
   * Settings read once per unit of work: inside one write transaction no other connection can
   * change them (it would need the write lock this one holds), and a change made by this
   * transaction updates them here. Not thread safe, like the handle.
   */
  public static final class Unit {
    private @Nullable Boolean eventIndex;
    private @Nullable String removalToken;

    /** {@return the event-index setting read in this unit, or null before the first read} */
    @Nullable Boolean eventIndex() {
      return eventIndex;
    }

    void eventIndex(boolean on) {
      eventIndex = on;
    }

    /** {@return the history's removal token read in this unit ("" for none), or null before} */
    @Nullable String removalToken() {
      return removalToken;
    }

    void removalToken(String token) {
      removalToken = token;
    }
  }

  /**
   * Runs work on a connection with a statement cache that lives only as long as the work: every
   * statement it prepares is closed when it returns. For pooled connections that keep no cache of
   * their own (PostgreSQL).
   *
   * @param connection the connection; left open
   * @param now the time the work runs at (epoch ms)
   */
  public static <T> T run(Connection connection, long now, SqlFunction<T> fn) throws SQLException {
    try (StatementCache statements = new StatementCache(connection)) {
      return fn.apply(new Handle(connection, statements, now));
    }
  }

  /**
   * A cached prepared statement with its parameters cleared.
   *
   * @return the statement; do not close it
   */
  public PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = cache.get(sql);
    ps.clearParameters();
    return ps;
  }

  /**
   * A cached prepared statement with its parameters bound in order, for reads and small writes (the
   * append paths bind their own).
   *
   * @param params the parameters: strings and numbers, none null
   * @return the statement; do not close it
   * @throws SQLException when preparing or binding fails
   */
  public PreparedStatement prepare(String sql, Object... params) throws SQLException {
    PreparedStatement ps = prepare(sql);
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
    return ps;
  }

  /**
   * Runs a statement that returns one integer, such as a count or a pragma.
   *
   * @return the first column of the first row, or 0 when there is none
   */
  public long queryLong(String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * Runs a statement that returns one text value, such as a pragma.
   *
   * @return the first column of the first row, or the empty string
   */
  public String queryString(String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      String s = rs.next() ? rs.getString(1) : null;
      return s == null ? "" : s;
    }
  }

  /** Runs a query; its first column, row by row. */
  public List<String> queryStrings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Runs a statement without results. */
  public void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }
}
