package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns PostgreSQL failures (by SQLSTATE) into {@link SwarmDbException}s whose message says what
 * failed, on which database, and how to fix it. Stateless and thread safe.
 */
final class PgErrors {
  private PgErrors() {}

  /**
   * Whether the whole transaction may simply be retried: a serialization failure or a deadlock.
   *
   * @return true for SQLSTATE 40001 and 40P01
   */
  static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  static SwarmDbException map(String operation, String label, SQLException e) {
    String state = e.getSQLState();
    String base =
        operation + " failed on " + label + ": " + e.getMessage() + " (SQLSTATE " + state + ")";
    if (e instanceof SQLTransientConnectionException) {
      return new SwarmDbException(
          ErrorCode.TIMEOUT,
          base + "; no pooled connection became free in time. Raise readPoolSize or writeTimeout",
          e);
    }
    ErrorCode code = code(state);
    String fix =
        switch (code) {
          case INVALID_ARGUMENT ->
              "; PostgreSQL rejected the value (for example a JSON string holding \\u0000, which"
                  + " JSONB cannot store). Nothing was written";
          case BUSY ->
              "; another transaction held the lock past lock_timeout. Retry, or find the blocking"
                  + " session in pg_stat_activity";
          case TIMEOUT -> "; the statement was cancelled (statement_timeout). Retry or raise it";
          case DISK_FULL -> "; the server's disk is full. Free space on the server and retry";
          case READ_ONLY ->
              "; the server or the role does not allow writing (a standby, or missing"
                  + " privileges). Point SwarmDB at the primary with a role that may write";
          case IO_ERROR ->
              "; the connection to the server failed. Check that the server is up and reachable"
                  + " and the URL, user and password are right";
          case CORRUPT -> "; the server reports damaged data. Check the server and restore a dump";
          default -> "";
        };
    return new SwarmDbException(code, base + fix, e);
  }

  private static ErrorCode code(@Nullable String state) {
    if (state == null || state.length() < 2) {
      return ErrorCode.DATABASE_ERROR;
    }
    if ("55P03".equals(state) || "40001".equals(state) || "40P01".equals(state)) {
      return ErrorCode.BUSY;
    }
    if ("57014".equals(state)) {
      return ErrorCode.TIMEOUT;
    }
    if ("53100".equals(state)) {
      return ErrorCode.DISK_FULL;
    }
    if ("25006".equals(state) || "42501".equals(state)) {
      return ErrorCode.READ_ONLY;
    }
    if (state.startsWith("XX001") || state.startsWith("XX002")) {
      return ErrorCode.CORRUPT;
    }
    return switch (state.substring(0, 2)) {
      case "22", "23" -> ErrorCode.INVALID_ARGUMENT;
      case "08" -> ErrorCode.IO_ERROR;
      default -> ErrorCode.DATABASE_ERROR;
    };
  }
}
