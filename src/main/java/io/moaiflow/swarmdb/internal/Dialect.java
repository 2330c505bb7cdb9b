package io.moaiflow.swarmdb.internal;

import java.sql.SQLException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The SQL that differs between the backends, and only that: JSON columns (SQLite text, PostgreSQL
 * JSONB), row locks (SQLite's single writer needs none), key collation and pattern matching. The
 * DAOs build every statement once from constants and these fragments, so each statement text is
 * fixed per backend and stays cacheable. The instances are {@link SqliteDialect#INSTANCE} and
 * {@code pg.PgDialect.INSTANCE}. Immutable and thread safe (the functions are stateless).
 *
 * @param jsonCast appended to a JSON column in a select list so it reads as JSON text, or empty
 * @param jsonParameter the placeholder for JSON text stored in a JSON column ({@code ?} or {@code
 *     ?::jsonb})
 * @param storedJson a stored JSON value as the compact JSON text entries report
 * @param forUpdate empty, or the clause locking a row read before it is updated in the same
 *     transaction
 * @param forKeyShare empty, or the clause keeping a referenced row from being deleted until the
 *     transaction ends
 * @param binaryCollation empty, or the clause ordering text by code point as SQLite does
 * @param greatest the two-argument maximum function
 * @param markedStale the agents' metadata with {@code "stale": true} set, as an expression
 * @param keyInArray the predicate matching {@code key} against keys bound as one array parameter,
 *     or null when the backend has no arrays (then a lookup runs once a key)
 * @param prefixPredicate the predicate on {@code key} for a literal prefix, with one parameter
 * @param prefixArgument checks a prefix and turns it into the argument of {@code prefixPredicate}
 * @param globPredicate the predicate on {@code key} for a SQLite-style glob, with one parameter
 * @param globArgument checks a glob and turns it into the argument of {@code globPredicate}
 * @param memoryRowKey what identifies a {@code session_memory} row in a {@code DELETE ... WHERE key
 *     IN (SELECT key ... LIMIT ?)} ({@code rowid}, or the primary key as a row value)
 * @param primaryKeyOnly empty, or the clause after a table name that makes a range on its integer
 *     primary key the access path ({@code NOT INDEXED}: SQLite would otherwise walk a whole
 *     covering index to group a handful of new rows)
 * @param foreignKeyViolation whether an error is this backend's foreign-key violation (SQLite's
 *     {@code SQLITE_CONSTRAINT_FOREIGNKEY} 787, PostgreSQL's SQLSTATE 23503)
 * @param scopedExpiry the table whose {@code expires_at, scope, memory_type, key} rows, in expiry
 *     order, find the expired {@code scoped_memory} entries: SQLite's {@code scoped_memory_expiry}
 *     (kept by triggers; its primary key is that order), PostgreSQL's {@code scoped_memory} itself
 *     (its partial index {@code idx_scoped_memory_expires})
 * @param linksValue the expression stored in {@code agent_events.links} by a linked append, with
 *     two parameters (the causes' ids and the reads, each a JSON array): the causes' seqs the log
 *     holds and the reads as given, as JSON text {@code {"c": [seq, ...], "r": [[scope, type, key,
 *     version], ...]}}
 * @param linksFound the {@code RETURNING} items after {@code seq} of a linked append, with one
 *     parameter (the reads again): how many causes were found, and how many reads name a version
 *     the memory history holds
 */
public record Dialect(
    String jsonCast,
    String jsonParameter,
    UnaryOperator<String> storedJson,
    String forUpdate,
    String forKeyShare,
    String binaryCollation,
    String greatest,
    String markedStale,
    @Nullable String keyInArray,
    String prefixPredicate,
    UnaryOperator<String> prefixArgument,
    String globPredicate,
    UnaryOperator<String> globArgument,
    String memoryRowKey,
    String primaryKeyOnly,
    Predicate<SQLException> foreignKeyViolation,
    String scopedExpiry,
    String linksValue,
    String linksFound) {

  /**
   * A JSON column as a select-list item that reads as JSON text.
   *
   * @return for example {@code metadata} or {@code metadata::text}
   */
  public String jsonColumn(String column) {
    return column + jsonCast;
  }
}
