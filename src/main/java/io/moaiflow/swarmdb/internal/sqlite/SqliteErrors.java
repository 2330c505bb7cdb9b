package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/**
 * Turns SQLite failures into {@link SwarmDbException}s whose message says what failed, on which
 * file, and how to fix it. This class is stateless and thread safe.
 */
final class SqliteErrors {
  static final int BUSY = 5; // SQLITE_BUSY
  static final int LOCKED = 6; // SQLITE_LOCKED
  static final int BUSY_SNAPSHOT = 517; // SQLITE_BUSY_SNAPSHOT

  private SqliteErrors() {}

  /** SQLite's extended result code of an exception, or -1. */
  public static int resultCode(SQLException e) {
    if (e instanceof SQLiteException s) {
      return s.getResultCode().code;
    }
    return e.getErrorCode() > 0 ? e.getErrorCode() : -1;
  }

  /**
   * Whether the whole transaction should be retried: the database was busy or the snapshot went
   * stale.
   */
  public static boolean isBusy(SQLException e) {
    int primary = resultCode(e) & 0xff;
    return primary == BUSY || primary == LOCKED;
  }

  /**
   * Whether SQLite rejected the statement for a constraint (the caller's row, not the database).
   *
   * @return true for {@code SQLITE_CONSTRAINT*}
   */
  public static boolean isConstraint(SQLException e) {
    return (resultCode(e) & 0xff) == 19;
  }

  /** The message of the history triggers' RAISE when sqlite_sequence lost its agent_events row. */
  static final String NO_SEQUENCE_ROW = "sqlite_sequence holds no agent_events row";

  /**
   * Maps an exception.
   *
   * @param operation what was being done, such as {@code "append event"}
   */
  public static SwarmDbException map(String operation, String file, SQLException e) {
    int code = resultCode(e);
    int primary = code & 0xff;
    String base = operation + " failed on " + file + ": " + e.getMessage();
    Fix fix =
        switch (primary) {
          case BUSY, LOCKED ->
              new Fix(
                  ErrorCode.BUSY,
                  "; another connection or process held the lock past the busy timeout. Find the"
                      + " process holding the file (fuser/lsof), or raise busyTimeout");
          case 8 -> // SQLITE_READONLY
              new Fix(
                  ErrorCode.READ_ONLY,
                  "; the file, its directory or the filesystem is read-only. Check permissions"
                      + " on the file and its directory (SQLite creates -wal and -shm beside it),"
                      + " or remount the filesystem read-write");
          case 13 -> // SQLITE_FULL
              new Fix(
                  ErrorCode.DISK_FULL,
                  "; the disk or quota is full and the transaction was rolled back. Free space"
                      + " (delete old events, move old backups away) and retry");
          case 11, 26 -> // SQLITE_CORRUPT, SQLITE_NOTADB
              new Fix(
                  ErrorCode.CORRUPT,
                  "; the file is damaged or not a SQLite database. Run 'swarmdb verify --full'"
                      + " and restore from a backup with 'swarmdb restore --from FILE'");
          case 10, 14 -> // SQLITE_IOERR, SQLITE_CANTOPEN
              new Fix(
                  ErrorCode.IO_ERROR,
                  "; the operating system refused the read or write. Check that the file and"
                      + " directory exist, are writable, and that the disk is healthy");
          case 19 -> // SQLITE_CONSTRAINT
              String.valueOf(e.getMessage()).contains(NO_SEQUENCE_ROW)
                  ? new Fix(
                      ErrorCode.CORRUPT,
                      "; the sequence's high-water mark (the agent_events row of sqlite_sequence)"
                          + " was deleted, so no event or history row can be numbered safely."
                          + " Restore from a backup with 'swarmdb restore --from FILE'")
                  : new Fix(ErrorCode.INVALID_ARGUMENT, "; the row breaks a schema constraint");
          default -> new Fix(ErrorCode.DATABASE_ERROR, "");
        };
    return new SwarmDbException(fix.code(), base + fix.hint(), e, code);
  }

  private record Fix(ErrorCode code, String hint) {}
}
