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
  /** {@code SQLITE_BUSY}. */
  public static final int BUSY = 5;

  /** {@code SQLITE_LOCKED}. */
  public static final int LOCKED = 6;

  /** {@code SQLITE_BUSY_SNAPSHOT}. */
  public static final int BUSY_SNAPSHOT = 517;

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

  /**
   * Maps an exception.
   *
   * @param operation what was being done, such as {@code "append event"}
   */
  public static SwarmDbException map(String operation, String file, SQLException e) {
    int code = resultCode(e);
    int primary = code & 0xff;
    String base = operation + " failed on " + file + ": " + e.getMessage();
    return switch (primary) {
      case BUSY, LOCKED ->
          new SwarmDbException(
              ErrorCode.BUSY,
              base
                  + "; another connection or process held the lock past the busy timeout. Find the"
                  + " process holding the file (fuser/lsof), or raise busyTimeout",
              e,
              code);
      case 8 ->
          new SwarmDbException( // SQLITE_READONLY
              ErrorCode.READ_ONLY,
              base
                  + "; the file, its directory or the filesystem is read-only. Check permissions"
                  + " on the file and its directory (SQLite creates -wal and -shm beside it), or"
                  + " remount the filesystem read-write",
              e,
              code);
      case 13 ->
          new SwarmDbException( // SQLITE_FULL
              ErrorCode.DISK_FULL,
              base
                  + "; the disk or quota is full and the transaction was rolled back. Free space"
                  + " (delete old events, move old backups away) and retry",
              e,
              code);
      case 11, 26 ->
          new SwarmDbException( // SQLITE_CORRUPT, SQLITE_NOTADB
              ErrorCode.CORRUPT,
              base
                  + "; the file is damaged or not a SQLite database. Run 'swarmdb verify --full'"
                  + " and restore from a backup with 'swarmdb restore --from FILE'",
              e,
              code);
      case 10, 14 ->
          new SwarmDbException( // SQLITE_IOERR, SQLITE_CANTOPEN
              ErrorCode.IO_ERROR,
              base
                  + "; the operating system refused the read or write. Check that the file and"
                  + " directory exist, are writable, and that the disk is healthy",
              e,
              code);
      case 19 ->
          new SwarmDbException( // SQLITE_CONSTRAINT
              ErrorCode.INVALID_ARGUMENT, base + "; the row breaks a schema constraint", e, code);
      default -> new SwarmDbException(ErrorCode.DATABASE_ERROR, base, e, code);
    };
  }
}
