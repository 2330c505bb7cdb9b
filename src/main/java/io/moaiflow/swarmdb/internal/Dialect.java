package io.moaiflow.swarmdb.internal;

import org.jspecify.annotations.Nullable;

/**
 * The SQL that differs between the backends, and only that: JSON columns (SQLite text, PostgreSQL
 * JSONB), row locks (SQLite's single writer needs none), key collation and pattern matching. The
 * DAOs build every statement from constants and these fragments, so each statement text is fixed
 * per backend and stays cacheable. Implementations are stateless and thread safe.
 */
public interface Dialect {

  /**
   * A JSON column as a select-list item that reads as JSON text.
   *
   * @param column the column name
   * @return for example {@code metadata} or {@code metadata::text}
   */
  String jsonColumn(String column);

  /**
   * The placeholder for a JSON text parameter stored in a JSON column.
   *
   * @return for example {@code ?} or {@code ?::jsonb}
   */
  String jsonParameter();

  /**
   * A stored JSON value as the compact JSON text entries report.
   *
   * @param text the column as read
   * @return the compact JSON
   */
  String storedJson(String text);

  /**
   * The clause that locks a row read before it is updated in the same transaction.
   *
   * @return empty, or a leading-space locking clause
   */
  String forUpdate();

  /**
   * The clause that keeps a referenced row from being deleted until the transaction ends.
   *
   * @return empty, or a leading-space locking clause
   */
  String forKeyShare();

  /**
   * The collation that orders text by code point, as SQLite's default does.
   *
   * @return empty, or a leading-space {@code COLLATE} clause
   */
  String binaryCollation();

  /**
   * The two-argument maximum function.
   *
   * @return {@code max} or {@code greatest}
   */
  String greatest();

  /**
   * The agents' metadata with {@code "stale": true} set, as an expression.
   *
   * @return the expression
   */
  String markedStale();

  /**
   * The predicate matching {@code key} against a list of keys bound as one array parameter, or null
   * when the backend has no arrays (then the lookup runs once a key).
   *
   * @return for example {@code key = ANY(?::text[])}, or null
   */
  @Nullable String keyInArray();

  /**
   * The predicate on {@code key} for a literal prefix, with one parameter.
   *
   * @return the predicate
   */
  String prefixPredicate();

  /**
   * Checks a prefix and turns it into the argument of {@link #prefixPredicate()}.
   *
   * @param prefix the literal prefix
   * @return the argument to bind
   */
  String prefixArgument(String prefix);

  /**
   * The predicate on {@code key} for a SQLite-style glob, with one parameter.
   *
   * @return the predicate
   */
  String globPredicate();

  /**
   * Checks a glob and turns it into the argument of {@link #globPredicate()}.
   *
   * @param glob the glob ({@code *}, {@code ?}, {@code [...]})
   * @return the argument to bind
   */
  String globArgument(String glob);
}
