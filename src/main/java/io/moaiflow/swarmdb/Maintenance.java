package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.health.CheckResult;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Retention, checks, compaction and backups. Obtain it from {@link SwarmDB#maintenance()}.
 * Implementations are thread safe; long operations are split so that concurrent writers are never
 * blocked for long.
 */
public interface Maintenance {

  /**
   * Deletes events with a timestamp older than {@code age}, in chunks of a few thousand rows, each
   * in its own short transaction, so concurrent appends are never stalled.
   *
   * @param age positive age
   * @return events deleted
   */
  long deleteEventsOlderThan(Duration age);

  /**
   * Deletes the memory entries whose TTL has passed, of every scope (sessions, agents, the swarm,
   * namespaces), in chunks of one transaction each; each entry's full-text index row goes in the
   * same transaction. Expired entries are never returned before this runs either.
   *
   * @return entries deleted
   */
  long purgeExpiredMemory();

  /**
   * Prunes the flight recorder's history (docs/history.md) so that replay keeps working: of every
   * memory entry, agent and session, the version in force at {@code horizon} (its snapshot) and
   * every later version are kept; older versions, and entities deleted by then, are deleted. The
   * horizon is recorded first, so from then on {@link SwarmDB#asOf(long)} before it fails with
   * {@link ErrorCode#INVALID_ARGUMENT} naming it, and every view at or after it reads exactly what
   * it read before. Deletes in chunks of one write transaction each, so writers never queue behind
   * one long delete. Events are not touched ({@link #deleteEventsOlderThan} removes them; no view
   * needs them).
   *
   * @param horizon the earliest seq views can be built at from now on; a horizon at or before the
   *     recorded one changes nothing
   * @return history rows deleted
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a negative horizon or one after
   *     the latest change (the message names it); nothing is changed then
   */
  long pruneHistory(long horizon);

  /**
   * Prunes the history to the configured budget ({@link SwarmDbConfig.Builder#historyBudgetBytes}):
   * when its bytes ({@link io.moaiflow.swarmdb.health.HistoryInfo}) exceed the budget, {@link
   * #pruneHistory} at the smallest horizon after the recorded one whose pruning brings them within
   * it, so every view from that horizon on stays exact and as much history as fits is kept. Finding
   * the horizon is one read of every history row (docs/history.md, "The history budget"), outside
   * any write transaction; the deletes go in chunks as {@link #pruneHistory} does. Versions written
   * meanwhile count in {@link HistoryPruneResult#bytesAfter()} and in the next run.
   *
   * @return what it did; nothing when the history is within the budget already
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when no budget is configured, or
   *     when even pruning at the latest change would keep more than the budget (the state then
   *     alone exceeds it; the message names both figures and the fixes); nothing is changed then
   */
  HistoryPruneResult pruneHistoryToBudget();

  /**
   * Runs {@code PRAGMA quick_check}: a fast structural check (O(N)), without index content checks.
   *
   * @return the result
   */
  CheckResult quickCheck();

  /**
   * Runs {@code PRAGMA integrity_check}: the full check, including indexes. Slow on large files.
   *
   * @return the result
   */
  CheckResult integrityCheck();

  /**
   * Checks that every stored JSON column holds readable JSON: event, agent and session metadata (a
   * JSON object) and memory values, row by row. {@link #integrityCheck} cannot see this: bytes
   * changed inside a row's text leave the file's structure intact, and such a row fails every
   * reader with {@link ErrorCode#CORRUPT}. Reads every row (O(N)); changes nothing. On PostgreSQL,
   * JSONB columns cannot hold invalid JSON and the check reads nothing.
   *
   * @return {@code json_valid}, with one problem per damaged row naming its table and row (at most
   *     {@value #MAX_LISTED_ROWS} a table, then how many more)
   */
  CheckResult jsonCheck();

  /** Most damaged rows of one table that {@link #jsonCheck} lists by name. */
  int MAX_LISTED_ROWS = 100;

  /**
   * Checkpoints the WAL into the main file and truncates it ({@code wal_checkpoint(TRUNCATE)}).
   *
   * @return WAL bytes after the checkpoint
   */
  long checkpoint();

  /**
   * Rebuilds the file to reclaim free pages ({@code VACUUM}). Blocks writers while it runs.
   *
   * @return bytes on disk after the vacuum
   */
  long vacuum();

  /**
   * Writes an online, consistent copy of the database to {@code target} ({@code VACUUM INTO}),
   * created with mode 0600, then verifies it with {@code integrity_check}. Safe while other threads
   * and processes write. SQLite file databases only.
   *
   * @param target a new file (it must not exist, or be empty); not a {@code file:} URI
   * @return what was written
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a URI or an existing non-empty
   *     target; {@link ErrorCode#CORRUPT} when the copy fails verification (it is deleted)
   */
  BackupResult backupTo(Path target);
}
