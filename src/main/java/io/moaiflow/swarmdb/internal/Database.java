package io.moaiflow.swarmdb.internal;

/**
 * The seam the DAOs run on (DESIGN §12): a read, or a write in its own committed transaction, each
 * done with a {@link Handle}, plus the backend's {@link Dialect}. {@link SqliteDatabase} implements
 * it with the single group-committing writer and the read-only pool, {@code pg.PgDatabase} with
 * pooled PostgreSQL transactions. Both map errors to {@code SwarmDbException}s, refuse work once
 * closed or while the schema is outdated, and report each operation to the listeners.
 * Implementations are thread safe.
 */
public interface Database {

  /**
   * Runs a read and returns its result.
   *
   * @param <T> the result type
   * @param op the operation name for errors and metrics
   * @param fn the read
   * @return its result
   */
  <T> T read(String op, SqlFunction<T> fn);

  /**
   * Runs a write in a transaction and returns its result once committed.
   *
   * @param <T> the result type
   * @param op the operation name for errors and metrics
   * @param fn the write
   * @return its result
   */
  <T> T write(String op, SqlFunction<T> fn);

  /**
   * The SQL spellings of this backend.
   *
   * @return the dialect
   */
  Dialect dialect();

  /**
   * The registered listeners.
   *
   * @return the listeners
   */
  Listeners listeners();

  /**
   * The database for messages.
   *
   * @return the label
   */
  String label();
}
