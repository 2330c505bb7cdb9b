package io.moaiflow.swarmdb.internal.pg;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Dialect;
import io.moaiflow.swarmdb.internal.Json;

/**
 * PostgreSQL's {@link Dialect}: JSON is JSONB (cast on the way in and out), rows read for an update
 * are locked because writers run concurrently, keys sort with {@code COLLATE "C"} like SQLite's,
 * and globs become anchored regular expressions. Stateless and thread safe.
 */
final class PgDialect {
  static final Dialect INSTANCE =
      new Dialect(
          "::text",
          "?::jsonb",
          PgDialect::compact,
          " FOR UPDATE",
          " FOR KEY SHARE",
          " COLLATE \"C\"",
          "greatest",
          "metadata || '{\"stale\": true}'::jsonb",
          "key = ANY(?::text[])",
          "starts_with(key, ?)",
          PgDialect::checkPrefix,
          "key ~ ?",
          glob -> globToRegex(checkGlob(glob)),
          "session_id, memory_type, key",
          "",
          e -> "23503".equals(e.getSQLState()),
          "scoped_memory",
          "json_build_object('c', (SELECT coalesce(json_agg(seq), '[]'::json)"
              + " FROM agent_events WHERE event_id IN (SELECT json_array_elements_text(?::json))),"
              + " 'r', ?::json)::text",
          "json_array_length(links::json -> 'c'), (SELECT count(*) FROM json_array_elements(?::json)"
              + " j WHERE EXISTS (SELECT 1 FROM memory_history h WHERE h.scope = j ->> 0"
              + " AND h.memory_type = j ->> 1 AND h.key = j ->> 2"
              + " AND h.version = (j ->> 3)::bigint AND NOT h.deleted))");

  private PgDialect() {}

  /** JSONB's text form ({@code {"a": 1}}) as compact JSON ({@code {"a":1}}), like SQLite's. */
  private static String compact(String jsonb) {
    try {
      return Json.mapper().writeValueAsString(Json.mapper().readTree(jsonb));
    } catch (JsonProcessingException e) {
      throw Json.corrupt("a session_memory row", "value", e.getOriginalMessage());
    }
  }

  /** The same checks as on SQLite: an unpaired surrogate would reach the server as {@code ?}. */
  private static String checkPrefix(String prefix) {
    return Checks.searchText("prefix", prefix, false);
  }

  private static String checkGlob(String glob) {
    return Checks.searchText("glob", glob, true);
  }

  /**
   * Translates a SQLite GLOB ({@code *}, {@code ?}, {@code [...]} with {@code ^} negation,
   * case-sensitive) into an anchored POSIX regular expression; every other character is literal.
   */
  static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder(glob.length() + 8).append('^');
    int i = 0;
    while (i < glob.length()) {
      char ch = glob.charAt(i);
      if (ch == '*') {
        sb.append(".*");
        i++;
      } else if (ch == '?') {
        sb.append('.');
        i++;
      } else if (ch == '[') {
        int end = classEnd(glob, i);
        if (end < 0) {
          sb.append("\\[");
          i++;
          continue;
        }
        sb.append('[');
        int j = i + 1;
        if (glob.charAt(j) == '^') {
          sb.append('^');
          j++;
        }
        for (; j < end; j++) {
          char k = glob.charAt(j);
          if (k == '\\' || k == '[') {
            sb.append('\\');
          }
          sb.append(k);
        }
        sb.append(']');
        i = end + 1;
      } else {
        if ("\\.+()|{}^$]".indexOf(ch) >= 0) {
          sb.append('\\');
        }
        sb.append(ch);
        i++;
      }
    }
    return sb.append('$').toString();
  }

  /** The index of the {@code ]} closing a class opened at {@code open}, or -1. */
  private static int classEnd(String glob, int open) {
    int j = open + 1;
    if (j < glob.length() && glob.charAt(j) == '^') {
      j++;
    }
    if (j < glob.length() && glob.charAt(j) == ']') {
      j++; // a leading ] is literal
    }
    while (j < glob.length()) {
      if (glob.charAt(j) == ']') {
        return j;
      }
      j++;
    }
    return -1;
  }
}
