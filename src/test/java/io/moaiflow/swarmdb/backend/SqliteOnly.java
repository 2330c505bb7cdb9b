package io.moaiflow.swarmdb.backend;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits a {@link BackendTest} to its SQLite invocation, for a test that is SQLite-specific by
 * nature (file modes, {@code EXPLAIN QUERY PLAN}, pragmas, the single-writer queue). The reason is
 * required and shown in the invocation's display name.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface SqliteOnly {
  /**
   * Why the test cannot run on PostgreSQL.
   *
   * @return the reason
   */
  String value();
}
