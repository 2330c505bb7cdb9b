package io.moaiflow.swarmdb.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Prepared statements of one physical connection, keyed by SQL text. Neither sqlite-jdbc nor
 * HikariCP caches them, and preparing costs more than running most of our statements. Not thread
 * safe: a connection (and so its cache) is used by one thread at a time.
 */
public final class StatementCache implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  public StatementCache(Connection connection) {
    this.connection = connection;
  }

  public PreparedStatement get(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null || ps.isClosed()) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /** The SQL texts prepared so far (the query-plan test explains every one). */
  public java.util.Set<String> sqlTexts() {
    return java.util.Set.copyOf(statements.keySet());
  }

  /** Closes and forgets one statement, so the next {@link #get} prepares it afresh. */
  public void evict(String sql) {
    PreparedStatement ps = statements.remove(sql);
    if (ps != null) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // a statement in an error state: it is being replaced anyway
      }
    }
  }

  @Override
  public void close() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // closing a statement of a connection we are closing anyway
      }
    }
    statements.clear();
  }
}
