package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;

/**
 * Whether a database is still open and its schema is the one this library ships, with the errors
 * that say otherwise; every backend checks it before each unit of work. Thread safe (volatile
 * fields; the owner alone writes them).
 */
public final class OpenState {
  private final String label;
  private final int shippedVersion;
  private volatile int schemaVersion;
  private volatile boolean closed;

  /** The state of a database just opened. */
  public OpenState(String label, int shippedVersion, int schemaVersion) {
    this.label = label;
    this.shippedVersion = shippedVersion;
    this.schemaVersion = schemaVersion;
  }

  /** Fails once the database is closed. */
  public void checkOpen(String op) {
    if (closed) {
      throw closedError(op);
    }
  }

  /** Fails once the database is closed or while its schema is not the shipped version. */
  public void checkUsable(String op) {
    checkOpen(op);
    int v = schemaVersion;
    if (v != shippedVersion) {
      throw new SwarmDbException(
          ErrorCode.SCHEMA_OUTDATED,
          op
              + " failed: "
              + label
              + " is at schema version "
              + v
              + " and this library needs "
              + shippedVersion
              + "; run migrator().migrate() or 'swarmdb migrate'");
    }
  }

  /** The error for work on a closed database. */
  public SwarmDbException closedError(String op) {
    return CommitQueue.closedError(op, label);
  }

  /** The applied schema version as of the last open or migration. */
  public int schemaVersion() {
    return schemaVersion;
  }

  /** Records the schema version after a migration. */
  public void schemaVersion(int v) {
    this.schemaVersion = v;
  }

  /** Whether {@link #markClosed()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Refuses all further work. */
  public void markClosed() {
    closed = true;
  }
}
