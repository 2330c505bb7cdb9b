package io.moaiflow.swarmdb;

/**
 * Receives what a {@link SwarmDB} does, for metrics and tracing; register one with {@link
 * SwarmDB#addListener}. Methods are called on the thread that did the work (often the writer
 * thread), so they must be fast, non-blocking and thread safe; an exception they throw is logged
 * and otherwise ignored. Every method has an empty default.
 */
public interface SwarmDbListener {

  /**
   * Events were committed to the log.
   *
   * @param eventType their type
   * @param count how many (idempotent re-appends are not counted)
   */
  default void onEventsAppended(String eventType, int count) {}

  /**
   * A public operation finished.
   *
   * @param operation its name, such as {@code events.append} or {@code events.query}
   * @param nanos how long it took
   * @param error the error code, or null when it succeeded
   */
  default void onOperation(
      String operation, long nanos, @org.jspecify.annotations.Nullable ErrorCode error) {}

  /**
   * The writer committed a transaction. On SQLite it is called on the writer thread before the
   * transaction's callers return, so a caller that reads its metrics right after a write sees it.
   *
   * @param writes how many queued writes it held
   * @param nanos how long the transaction took, commit included
   */
  default void onCommit(int writes, long nanos) {}

  /** The writer retried a whole transaction after {@code SQLITE_BUSY_SNAPSHOT} or a busy lock. */
  default void onBusyRetry() {}
}
