package io.moaiflow.swarmdb.internal.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Observes advisory-lock waiters through {@code pg_locks}, to sequence tests without sleeping. */
final class PgLocks {
  private PgLocks() {}

  static int waiters(Connection c, int classId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                + " AND classid = ?::bigint::oid")) {
      ps.setLong(1, Integer.toUnsignedLong(classId));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Polls (one round trip per poll, no sleeping) until {@code n} sessions wait for the lock. */
  static void awaitWaiters(Connection c, int classId, int n) throws SQLException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (waiters(c, classId) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("fewer than " + n + " sessions waited for the advisory lock");
      }
      Thread.onSpinWait();
    }
  }
}
