package io.moaiflow.swarmdb.internal;

import java.sql.SQLException;

/**
 * Work done with a {@link Handle}: a read, or one write inside the writer's transaction.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface SqlFunction<T> {
  T apply(Handle handle) throws SQLException;
}
