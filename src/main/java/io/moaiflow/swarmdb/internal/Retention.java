package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.HistoryPruneResult;
import io.moaiflow.swarmdb.Maintenance;
import io.moaiflow.swarmdb.health.CheckResult;
import java.time.Duration;
import java.util.List;

/**
 * The retention half of {@link Maintenance}, the same on both backends: old events and expired
 * memory are deleted in chunks, one write transaction each, so appenders never queue behind one
 * long delete. Each backend's maintenance extends it with its own checks, compaction and backups.
 * Thread safe when the database is (both are).
 */
public abstract class Retention implements Maintenance {

  /** Memory rows deleted per purge transaction. */
  static final int MEMORY_CHUNK = 2_000;

  /** First event-retention chunk; later chunks adapt to {@link #EVENT_CHUNK_TARGET_NANOS}. */
  static final int EVENT_CHUNK_START = 500;

  static final int EVENT_CHUNK_MIN = 50;
  static final int EVENT_CHUNK_MAX = 20_000;

  /**
   * Aimed time of one event-retention write (docs/performance.md: on the 1,000-agent fixture a
   * 2,000-row chunk took 125-134 ms, a 500-row chunk 21-54 ms), leaving room under the 100 ms an
   * appender may wait.
   */
  static final long EVENT_CHUNK_TARGET_NANOS = 20_000_000L;

  private static final String DELETE_EVENTS =
      "DELETE FROM agent_events WHERE seq IN (SELECT seq FROM agent_events WHERE ts < ? ORDER BY"
          + " ts LIMIT ?)";

  private final Backend db;
  private final TimeSource time;
  private final String purgeMemory;
  private final String purgeScopedMemory;

  protected Retention(BackendBase db) {
    this.db = db;
    this.time = db.time();
    String key = db.dialect().memoryRowKey();
    this.purgeMemory =
        "DELETE FROM session_memory WHERE ("
            + key
            + ") IN (SELECT "
            + key
            + " FROM session_memory WHERE expires_at <= ? LIMIT ?)";
    this.purgeScopedMemory =
        "DELETE FROM scoped_memory WHERE (scope, memory_type, key) IN (SELECT scope, memory_type,"
            + " key FROM "
            + db.dialect().scopedExpiry()
            + " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)";
  }

  /** Deletes the events older than {@code age}, oldest first, in chunks sized by the last one. */
  @Override
  public final long deleteEventsOlderThan(Duration age) {
    long ms = Checks.positiveMillis("age", age);
    long cutoff = time.now() - ms;
    long total = 0;
    int chunk = EVENT_CHUNK_START;
    while (true) {
      int limit = chunk;
      long start = System.nanoTime();
      int deleted =
          db.write(
              "maintenance.deleteEvents",
              h -> {
                int n = h.prepare(DELETE_EVENTS, cutoff, limit).executeUpdate();
                if (n > 0) {
                  History.recordRemoval(h); // in the deleting transaction (KnownLinks)
                }
                return n;
              });
      // the round trip includes the commit (and on SQLite any WAL checkpoint it triggered): what
      // appenders queued behind this chunk waited for
      long nanos = System.nanoTime() - start;
      total += deleted;
      if (deleted < limit) {
        return total;
      }
      chunk = nextEventChunk(chunk, nanos);
    }
  }

  /**
   * Deletes the memory entries that have expired, of sessions and of every other scope, in chunks
   * of {@value #MEMORY_CHUNK}; their full-text index rows go in the same transaction (SQLite's
   * triggers, PostgreSQL's generated column).
   */
  @Override
  public final long purgeExpiredMemory() {
    long now = time.now();
    return purge(purgeMemory, now) + purge(purgeScopedMemory, now);
  }

  private long purge(String statement, long now) {
    long total = 0;
    while (true) {
      int deleted =
          db.write(
              "maintenance.purgeExpiredMemory",
              h -> h.prepare(statement, now, MEMORY_CHUNK).executeUpdate());
      total += deleted;
      if (deleted < MEMORY_CHUNK) {
        return total;
      }
    }
  }

  @Override
  public final long pruneHistory(long horizon) {
    return db.history().prune(horizon);
  }

  @Override
  public final HistoryPruneResult pruneHistoryToBudget() {
    return db.history().pruneToBudget();
  }

  /** Runs a read-only check as the operation {@code maintenance.<op>}, timed. */
  protected final CheckResult timedCheck(String op, String name, SqlFunction<List<String>> fn) {
    long start = System.nanoTime();
    List<String> problems = db.readUnchecked("maintenance." + op, fn);
    return new CheckResult(name, problems, TimeSource.millisSince(start));
  }

  /**
   * The next retention chunk size: each chunk is one write transaction that appenders queue behind,
   * so its size follows the measured time of the last one towards {@link
   * #EVENT_CHUNK_TARGET_NANOS}. What a row costs depends on how many index pages it shares with its
   * neighbours (1,000 agents spread over the log touch ~1 agent-index page per row), so a fixed row
   * count cannot bound the time.
   *
   * @return the next chunk size, between {@link #EVENT_CHUNK_MIN} and {@link #EVENT_CHUNK_MAX}
   */
  static int nextEventChunk(int chunk, long nanos) {
    if (nanos > 2 * EVENT_CHUNK_TARGET_NANOS) {
      return Math.max(EVENT_CHUNK_MIN, chunk / 2);
    }
    if (nanos < EVENT_CHUNK_TARGET_NANOS / 2) {
      return Math.min(EVENT_CHUNK_MAX, chunk * 2);
    }
    return chunk;
  }
}
