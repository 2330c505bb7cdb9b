package io.moaiflow.swarmdb.internal;

import java.sql.SQLException;

/**
 * Work done with a {@link Handle}: a read, or one write inside the writer's transaction.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface SqlFunction<T> {
  /**
   * Does the work.
   *
   * @param handle the connection and its statement cache
   * @return the result
   * @throws SQLException when the database fails
   */
  T apply(Handle handle) throws SQLException;
}
