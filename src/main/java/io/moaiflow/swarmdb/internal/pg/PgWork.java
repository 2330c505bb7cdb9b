package io.moaiflow.swarmdb.internal.pg;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on a borrowed PostgreSQL connection: a read, or a write inside its own transaction.
 *
 * @param <T> the result type
 */
@FunctionalInterface
interface PgWork<T> {
  /**
   * Does the work.
   *
   * @param c the connection; do not close it or change its transaction state
   * @return the result
   * @throws SQLException when PostgreSQL fails
   */
  T apply(Connection c) throws SQLException;
}
