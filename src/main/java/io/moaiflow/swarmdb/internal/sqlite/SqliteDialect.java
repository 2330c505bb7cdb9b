package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Dialect;
import java.util.function.UnaryOperator;

/**
 * SQLite's {@link Dialect}: JSON is stored as text, the single writer needs no row locks, text
 * compares by code point, and keys match with {@code GLOB}. Stateless and thread safe.
 */
public final class SqliteDialect {
  public static final Dialect INSTANCE =
      new Dialect(
          "",
          "?",
          UnaryOperator.identity(),
          "",
          "",
          "",
          "max",
          "json_set(metadata, '$.stale', json('true'))",
          null,
          "key GLOB ?",
          SqliteDialect::prefixPattern,
          "key GLOB ?",
          glob -> Checks.searchText("glob", glob, true),
          "rowid",
          " NOT INDEXED",
          e -> SqliteErrors.resultCode(e) == 787,
          "scoped_memory_expiry",
          "json_object('c', (SELECT json_group_array(seq) FROM agent_events"
              + " WHERE event_id IN (SELECT value FROM json_each(?))), 'r', json(?))",
          "json_array_length(links, '$.c'), (SELECT count(*) FROM json_each(?) j WHERE EXISTS"
              + " (SELECT 1 FROM memory_history h WHERE h.scope = j.value ->> 0"
              + " AND h.memory_type = j.value ->> 1 AND h.key = j.value ->> 2"
              + " AND h.version = j.value ->> 3 AND NOT h.deleted))");

  private SqliteDialect() {}

  /**
   * A glob matching a literal prefix. Rejects an unpaired surrogate: the driver encodes it to UTF-8
   * as {@code ?}, which GLOB reads as "any character", so a lookup for a literal prefix would match
   * every key.
   */
  private static String prefixPattern(String prefix) {
    Checks.searchText("prefix", prefix, false);
    return escapeGlob(prefix) + "*";
  }

  /**
   * Escapes GLOB metacharacters so user text matches literally: {@code *}, {@code ?} and {@code [}
   * become one-character classes.
   */
  static String escapeGlob(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        sb.append('[').append(c).append(']');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
