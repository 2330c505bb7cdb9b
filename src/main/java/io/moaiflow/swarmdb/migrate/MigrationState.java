package io.moaiflow.swarmdb.migrate;

/** Where one migration stands. This enum is immutable and thread safe. */
public enum MigrationState {
  /** Applied, and its checksum matches the shipped script. */
  APPLIED,
  /** Shipped with this library and not yet applied. */
  PENDING,
  /** Applied, but the shipped script's checksum differs from the recorded one. */
  CHECKSUM_MISMATCH,
  /** Applied by a newer library; this version does not ship it. */
  FUTURE
}
