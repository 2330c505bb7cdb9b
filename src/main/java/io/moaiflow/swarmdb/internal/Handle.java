package io.moaiflow.swarmdb.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One connection with its statement cache, lent to a read or a write for its duration. Not thread
 * safe: it belongs to the thread doing the work until the work returns.
 */
public final class Handle {
  private final Connection connection;
  private final StatementCache cache;
  private final long now;

  Handle(Connection connection, StatementCache cache, long now) {
    this.connection = connection;
    this.cache = cache;
    this.now = now;
  }

  /**
   * A cached prepared statement with its parameters cleared.
   *
   * @param sql the statement text
   * @return the statement; do not close it
   * @throws SQLException when preparing fails
   */
  public PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = cache.get(sql);
    ps.clearParameters();
    return ps;
  }

  /**
   * The physical connection.
   *
   * @return the connection; do not close it
   */
  public Connection connection() {
    return connection;
  }

  /**
   * The time this unit of work runs at (epoch ms, monotonic).
   *
   * @return now
   */
  public long now() {
    return now;
  }

  /**
   * Runs a statement that returns one integer, such as a count or a pragma.
   *
   * @param sql the statement
   * @return the first column of the first row, or 0 when there is none
   * @throws SQLException when SQLite fails
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
   * @param sql the statement
   * @return the first column of the first row, or the empty string
   * @throws SQLException when SQLite fails
   */
  public String queryString(String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      String s = rs.next() ? rs.getString(1) : null;
      return s == null ? "" : s;
    }
  }

  /**
   * Runs a statement without results.
   *
   * @param sql the statement
   * @throws SQLException when SQLite fails
   */
  public void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }
}
