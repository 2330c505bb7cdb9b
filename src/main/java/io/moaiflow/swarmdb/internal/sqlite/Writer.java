package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.CommitQueue;
import io.moaiflow.swarmdb.internal.CommitQueue.Failure;
import io.moaiflow.swarmdb.internal.CommitQueue.Task;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Listeners;
import io.moaiflow.swarmdb.internal.SqlFunction;
import io.moaiflow.swarmdb.internal.StatementCache;
import io.moaiflow.swarmdb.internal.TimeSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

/**
 * The single writer: one thread owns the one writable connection and runs every write, through a
 * {@link CommitQueue} with the fill wait and the idle path (see there).
 *
 * <p>A batch runs in one {@code BEGIN IMMEDIATE} transaction. When a write fails for its own
 * reasons (bad input found late, a constraint, a state-machine rule) the transaction is rolled back
 * and replayed without it; when the database fails (disk full, I/O, busy past the timeout) every
 * write of the transaction gets that error. {@code SQLITE_BUSY_SNAPSHOT} retries the whole
 * transaction.
 *
 * <p>Thread safe: any thread may submit to {@link #queue}, whose close drains it.
 */
final class Writer implements CommitQueue.Committer<SqlFunction<?>> {
  private static final Logger LOG = LoggerFactory.getLogger(Writer.class);
  // a changed row rarely dirties more WAL than this: rows changed between two looks at its size
  // are the threshold over it
  private static final long WAL_BYTES_PER_ROW = 64 * 1024;

  private final Connection connection;
  private final StatementCache cache;
  private final String file;
  private final @Nullable Path wal;
  private final long walThreshold;
  private final long rowsPerWalCheck;
  private final TimeSource time;
  private final Listeners listeners;
  final CommitQueue<SqlFunction<?>> queue;
  private long rowsAtWalCheck; // the rest: under the queue's commit lock
  private boolean walLarge;

  Writer(
      Connection connection,
      String file,
      @Nullable Path wal,
      TimeSource time,
      Listeners listeners,
      SwarmDbConfig.WriteQueue settings) {
    this.connection = connection;
    this.cache = new StatementCache(connection);
    this.file = file;
    this.wal = wal;
    this.walThreshold = settings.walCheckpointThresholdBytes();
    this.rowsPerWalCheck = Math.max(1, walThreshold / WAL_BYTES_PER_ROW);
    this.time = time;
    this.listeners = listeners;
    this.queue = new CommitQueue<>("swarmdb-writer", file, this, listeners, settings, true);
  }

  /** The SQL texts in the writer's statement cache, read on the writer thread. */
  Set<String> preparedSql() {
    return queue.call("preparedSql", h -> cache.sqlTexts(), true);
  }

  @Override
  public void closed() {
    cache.close();
  }

  void closeConnection() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing the writer connection of {} failed: {}", file, e.getMessage());
    }
  }

  @Override
  public @Nullable Object runAlone(Task<SqlFunction<?>> task) {
    try {
      return task.work().apply(new Handle(connection, cache, time.now()));
    } catch (SQLException e) {
      throw SqliteErrors.map(task.op, file, e);
    }
  }

  @Override
  public @Nullable Failure commit(List<Task<SqlFunction<?>>> batch, @Nullable Object[] results) {
    Handle handle = new Handle(connection, cache, time.now());
    int at = -1; // the write running when it failed
    try {
      // prepared once and reused: parsing BEGIN and COMMIT per transaction cost ~20 us of a
      // ~95 us one-row commit (docs/performance.md)
      cache.get("BEGIN IMMEDIATE").execute();
      for (at = 0; at < batch.size(); at++) {
        results[at] = batch.get(at).work().apply(handle);
      }
      at = -1;
      cache.get("COMMIT").execute();
      return null;
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly();
      // a BEGIN or COMMIT statement that failed (e.g. SQLITE_FULL) is left unusable by the
      // driver ("statement is not executing"): prepare both afresh for the next transaction
      cache.evict("BEGIN IMMEDIATE");
      cache.evict("COMMIT");
      if (at >= 0 && isOwnFault(e)) {
        return new Failure(at, asSwarm(batch.get(at).op, e), false);
      }
      String op =
          batch.size() == 1 ? batch.get(0).op : "a transaction of " + batch.size() + " writes";
      boolean busySnapshot =
          e instanceof SQLException s && SqliteErrors.resultCode(s) == SqliteErrors.BUSY_SNAPSHOT;
      return new Failure(Failure.ALL, asSwarm(op, e), busySnapshot);
    }
  }

  @Override
  public void committed(int writes, long nanos) {
    listeners.onCommit(writes, nanos);
  }

  private static boolean isOwnFault(Throwable failure) {
    if (failure instanceof SQLException e) {
      return SqliteErrors.isConstraint(e);
    }
    if (failure instanceof SwarmDbException e) {
      return !e.code().isDatabaseError();
    }
    return failure instanceof RuntimeException;
  }

  private SwarmDbException asSwarm(String op, Throwable failure) {
    return failure instanceof SQLException e
        ? SqliteErrors.map(op, file, e)
        : CommitQueue.unexpected(op, failure);
  }

  private void rollbackQuietly() {
    try (Statement st = connection.createStatement()) {
      st.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite already rolled back (for example after SQLITE_FULL), or nothing was begun
    }
  }

  /**
   * Truncates the WAL once it passed the threshold. Its size is read only after enough rows changed
   * since the last look (SQLite's own count, no system call); while a reader keeps it past the
   * threshold, after every commit.
   */
  @Override
  public void afterCommit() {
    if (wal == null) {
      return;
    }
    try {
      SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
      long rows = sqlite.getDatabase().total_changes();
      if (!walLarge && rows - rowsAtWalCheck < rowsPerWalCheck) {
        return;
      }
      rowsAtWalCheck = rows;
      walLarge = FileSecurity.size(wal) > walThreshold;
      if (!walLarge) {
        return;
      }
      // TRUNCATE must wait for every reader to leave the WAL, and it waits through the busy
      // handler: with the connection's busy timeout, one long reader would stall the writer (and
      // every queued write) for the whole timeout after each commit. Try without waiting instead;
      // while a reader holds an old snapshot the WAL keeps growing, and the first commit after it
      // ends truncates.
      int busyTimeout = sqlite.getBusyTimeout();
      sqlite.setBusyTimeout(0);
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        walLarge = rs.next() && rs.getLong(1) != 0;
        LOG.debug(
            walLarge
                ? "WAL of {} passed {} bytes; a reader holds it, retrying later"
                : "WAL of {} passed {} bytes; truncated",
            file,
            walThreshold);
      } finally {
        sqlite.setBusyTimeout(busyTimeout);
      }
    } catch (SQLException e) {
      LOG.warn("checkpoint of {} failed: {}", file, e.getMessage());
    }
  }
}
