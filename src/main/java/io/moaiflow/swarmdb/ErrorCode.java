package io.moaiflow.swarmdb;

/**
 * What went wrong, as a stable code that callers can switch on and that the CLI maps to exit codes.
 * This enum is immutable and thread safe.
 */
public enum ErrorCode {
  /** The caller passed a value the library rejects; nothing was written. */
  INVALID_ARGUMENT(false),
  /** The named row (agent, session, memory entry) does not exist. */
  NOT_FOUND(false),
  /**
   * The row a create call names (a session to start, an agent to register) exists already; nothing
   * was written. Distinct from {@link #INVALID_ARGUMENT} so that a lost creation race is told apart
   * from bad input ({@link SessionStore#startIfAbsent} and {@link AgentRegistry#registerIfAbsent}
   * never fail with it).
   */
  ALREADY_EXISTS(false),
  /**
   * A conditional write found the row changed by another writer (a memory entry at another version,
   * an agent in another state than expected); nothing was written. Read the row again and retry.
   */
  CONFLICT(false),
  /** An agent or session status change that the state machine does not allow. */
  ILLEGAL_TRANSITION(false),
  /** The database stayed locked by another connection or process beyond the busy timeout. */
  BUSY(true),
  /** A write waited longer than the configured timeout for room in the writer's queue. */
  TIMEOUT(true),
  /** The file is not a SQLite database or is damaged. */
  CORRUPT(true),
  /** The file, its directory or the filesystem does not allow writing. */
  READ_ONLY(true),
  /** The disk (or a quota) is full; the failed transaction was rolled back. */
  DISK_FULL(true),
  /** The file or its directory could not be read, created or secured. */
  IO_ERROR(true),
  /** The database was written by a newer SwarmDB with a schema this version does not know. */
  SCHEMA_TOO_NEW(true),
  /** An applied migration's recorded checksum differs from the one this version ships. */
  MIGRATION_CHECKSUM_MISMATCH(true),
  /** A migration failed and was rolled back; the schema is as it was before. */
  MIGRATION_FAILED(true),
  /** The SQLite native library could not be loaded on this machine. */
  NATIVE_LIBRARY(true),
  /** The calling thread was interrupted while it waited; a queued write may still commit. */
  INTERRUPTED(false),
  /** The database's schema is older than this library needs and was not migrated. */
  SCHEMA_OUTDATED(true),
  /** The {@code SwarmDB} was closed before or during the call. */
  CLOSED(false),
  /** An operation this backend does not offer (for example a SQLite-only file operation). */
  UNSUPPORTED(false),
  /** A database error without a more specific code; the cause holds SQLite's result. */
  DATABASE_ERROR(true);

  private final boolean databaseError;

  ErrorCode(boolean databaseError) {
    this.databaseError = databaseError;
  }

  /**
   * {@return whether this code describes the database or its environment rather than the caller's
   * input} The CLI exits with 3 for these and with 2 for the others.
   */
  public boolean isDatabaseError() {
    return databaseError;
  }
}
