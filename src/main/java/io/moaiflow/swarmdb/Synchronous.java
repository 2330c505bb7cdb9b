package io.moaiflow.swarmdb;

/**
 * SQLite's {@code PRAGMA synchronous} levels that SwarmDB supports in WAL mode. This enum is
 * immutable and thread safe.
 */
public enum Synchronous {
  /**
   * Commits are durable against application crashes; a power loss may roll back the last
   * transactions but never corrupts the file. The default, and SQLite's advice for WAL.
   */
  NORMAL,
  /** Every commit is synced to disk before it returns: durable against power loss too. */
  FULL
}
