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

  public OpenState(String label, int shippedVersion, int schemaVersion) {
    this.label = label;
    this.shippedVersion = shippedVersion;
    this.schemaVersion = schemaVersion;
  }

  public void checkOpen(String op) {
    if (closed) {
      throw closedError(op);
    }
  }

  /** {@return whether the schema is the shipped version (the DAOs can work)} */
  public boolean isCurrent() {
    return schemaVersion == shippedVersion;
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

  public SwarmDbException closedError(String op) {
    return CommitQueue.closedError(op, label);
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  public void schemaVersion(int v) {
    this.schemaVersion = v;
  }

  public boolean isClosed() {
    return closed;
  }

  public void markClosed() {
    closed = true;
  }
}
