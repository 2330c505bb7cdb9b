package io.moaiflow.swarmdb.health;

/**
 * Size, health and introspection of an open database. Obtain it from {@code SwarmDB.inspect()}.
 * Implementations are thread safe; none of these calls writes or runs a full integrity check.
 */
public interface Inspector {

  /**
   * {@return the bytes on disk: the main file plus {@code -wal} and {@code -shm}; 0 for an
   * in-memory database}
   */
  long sizeBytes();

  /** {@return the bytes of the {@code -wal} file (0 when absent or in memory)} */
  long walSizeBytes();

  /**
   * {@return a report of the schema version, row counts, indexes, effective pragmas, page figures,
   * file sizes and the history's size ({@link #history()}: like the row counts, one pass over the
   * history tables)}
   */
  DatabaseInfo info();

  /**
   * The flight recorder's size: its rows, its bytes by the budget's formula, the configured budget
   * and the recorded horizon. One read of every history row (O(history rows); PostgreSQL renders
   * each JSON value as text to count it); zeros on a database older than schema v3.
   *
   * @return the figures
   */
  HistoryInfo history();

  /**
   * Cheap liveness of the database: a read on a pooled connection, a write probe on the writer, and
   * the schema version. Never runs an integrity check.
   *
   * @return the report; {@link HealthReport#healthy()} is false with the reasons when not healthy
   */
  HealthReport health();

  /**
   * {@return the counters of the single writer: queue depth, transactions, writes, busy retries}
   */
  WriterStats writerStats();
}
