package io.moaiflow.swarmdb.internal.pg;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Json;
import io.moaiflow.swarmdb.internal.MemoryDocuments;
import io.moaiflow.swarmdb.internal.MemoryPut;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One session's memory on PostgreSQL. Values are JSONB, which normalises objects (key order,
 * whitespace); entries report the value as compact JSON of what is stored. Thread safe (it holds
 * only the session id).
 */
final class PgSessionMemory implements SessionMemory {
  static final String SELECT =
      "SELECT session_id, memory_type, key, value::text, version, created_at, updated_at,"
          + " expires_at FROM session_memory";
  static final String UNEXPIRED = " AND (expires_at IS NULL OR expires_at > ?)";
  private static final String UPSERT =
      "INSERT INTO session_memory AS m (session_id, memory_type, key, value, version, created_at,"
          + " updated_at, expires_at) VALUES (?, ?, ?, ?::jsonb, 1, ?, ?, ?)"
          + " ON CONFLICT (session_id, memory_type, key) DO UPDATE SET"
          + " value = excluded.value,"
          + " version = CASE WHEN m.expires_at <= excluded.updated_at THEN 1"
          + " ELSE m.version + 1 END,"
          + " created_at = CASE WHEN m.expires_at <= excluded.updated_at"
          + " THEN excluded.created_at ELSE m.created_at END,"
          + " updated_at = excluded.updated_at, expires_at = excluded.expires_at"
          + " RETURNING version, created_at, value::text";

  private final PgDatabase db;
  private final String sessionId;

  PgSessionMemory(PgDatabase db, String sessionId) {
    this.db = db;
    this.sessionId = sessionId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  /** A value checked and serialised before a connection is borrowed. */
  @Override
  public MemoryEntry put(
      String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
    MemoryPut p = MemoryPut.of(memoryType, key, value, ttl);
    return db.write(
        "memory.put",
        c -> {
          requireSession(c);
          return upsert(c, memoryType, p);
        });
  }

  @Override
  public List<MemoryEntry> putAll(
      String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
    List<MemoryPut> puts = MemoryPut.all(memoryType, values, ttl);
    return db.write(
        "memory.putAll",
        c -> {
          requireSession(c);
          List<MemoryEntry> out = new ArrayList<>(puts.size());
          for (MemoryPut p : puts) {
            out.add(upsert(c, memoryType, p));
          }
          return List.copyOf(out);
        });
  }

  /** Checks the session exists and keeps it from being deleted until the transaction ends. */
  private void requireSession(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM sessions WHERE session_id = ? FOR KEY SHARE")) {
      ps.setString(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw PgSessionStore.notFound(sessionId);
        }
      }
    }
  }

  private MemoryEntry upsert(Connection c, String memoryType, MemoryPut p) throws SQLException {
    long now = db.time().now();
    Duration ttl = p.ttl();
    Long expires = ttl == null ? null : Checks.expiry(now, ttl);
    try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
      ps.setString(1, sessionId);
      ps.setString(2, memoryType);
      ps.setString(3, p.key());
      ps.setString(4, p.json());
      ps.setLong(5, now);
      ps.setLong(6, now);
      if (expires == null) {
        ps.setNull(7, Types.BIGINT);
      } else {
        ps.setLong(7, expires);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("upsert of '" + p.key() + "' returned no row");
        }
        return new MemoryEntry(
            sessionId,
            memoryType,
            p.key(),
            compact(rs.getString(3)),
            rs.getLong(1),
            Instant.ofEpochMilli(rs.getLong(2)),
            Instant.ofEpochMilli(now),
            expires == null ? null : Instant.ofEpochMilli(expires));
      }
    }
  }

  /** JSONB's text form ({@code {"a": 1}}) as compact JSON ({@code {"a":1}}), like SQLite's. */
  static String compact(String jsonb) {
    try {
      return Json.mapper().writeValueAsString(Json.mapper().readTree(jsonb));
    } catch (JsonProcessingException e) {
      throw Checks.invalid("stored value is not JSON: " + e.getOriginalMessage());
    }
  }

  @Override
  public <T> Optional<T> get(String memoryType, String key, Class<T> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    return entry(memoryType, key)
        .map(e -> Json.read("memory value '" + key + "'", e.valueJson(), valueType));
  }

  @Override
  public Optional<MemoryEntry> entry(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.read(
        "memory.get",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT + " WHERE session_id = ? AND memory_type = ? AND key = ?" + UNEXPIRED)) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setString(3, key);
            ps.setLong(4, db.time().now());
            List<MemoryEntry> rows = list(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
          }
        });
  }

  @Override
  public Map<String, MemoryEntry> getAll(String memoryType, Collection<String> keys) {
    Checks.type("memoryType", memoryType);
    Objects.requireNonNull(keys, "keys");
    if (keys.size() > Checks.MAX_LIMIT) {
      throw Checks.invalid("getAll got " + keys.size() + " keys; the limit is " + Checks.MAX_LIMIT);
    }
    for (String k : keys) {
      Checks.key("key", k);
    }
    return db.read(
        "memory.getAll",
        c -> {
          Map<String, MemoryEntry> found = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT
                      + " WHERE session_id = ? AND memory_type = ? AND key = ANY(?::text[])"
                      + UNEXPIRED)) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setArray(3, c.createArrayOf("text", keys.toArray(new String[0])));
            ps.setLong(4, db.time().now());
            for (MemoryEntry e : list(ps)) {
              found.put(e.key(), e);
            }
          }
          Map<String, MemoryEntry> out = new LinkedHashMap<>();
          for (String k : keys) {
            MemoryEntry e = found.get(k);
            if (e != null) {
              out.put(k, e);
            }
          }
          return Collections.unmodifiableMap(out);
        });
  }

  @Override
  public boolean delete(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.write(
        "memory.delete",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM session_memory WHERE session_id = ? AND memory_type = ? AND key = ?")) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setString(3, key);
            return ps.executeUpdate() > 0;
          }
        });
  }

  @Override
  public List<String> keys(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.read(
        "memory.keys",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT key FROM session_memory WHERE session_id = ? AND memory_type = ?"
                      + UNEXPIRED
                      + " ORDER BY key COLLATE \"C\"")) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setLong(3, db.time().now());
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
            return List.copyOf(out);
          }
        });
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

  @Override
  public List<MemoryEntry> findByPrefix(String memoryType, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.length() > Checks.MAX_KEY_LENGTH || prefix.indexOf('\0') >= 0) {
      throw Checks.invalid(
          "prefix must be at most " + Checks.MAX_KEY_LENGTH + " characters without NUL");
    }
    return match("memory.findByPrefix", memoryType, "starts_with(key, ?)", prefix);
  }

  @Override
  public List<MemoryEntry> findByGlob(String memoryType, String glob) {
    Objects.requireNonNull(glob, "glob");
    if (glob.isEmpty() || glob.length() > Checks.MAX_KEY_LENGTH || glob.indexOf('\0') >= 0) {
      throw Checks.invalid(
          "glob must be 1 to " + Checks.MAX_KEY_LENGTH + " characters without NUL");
    }
    return match("memory.findByGlob", memoryType, "key ~ ?", globToRegex(glob));
  }

  private List<MemoryEntry> match(String op, String memoryType, String predicate, String arg) {
    Checks.type("memoryType", memoryType);
    return db.read(
        op,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT
                      + " WHERE session_id = ? AND memory_type = ? AND "
                      + predicate
                      + UNEXPIRED
                      + " ORDER BY key COLLATE \"C\"")) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setString(3, arg);
            ps.setLong(4, db.time().now());
            return list(ps);
          }
        });
  }

  @Override
  public List<MemoryEntry> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "memory.recent",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT
                      + " WHERE session_id = ?"
                      + UNEXPIRED
                      + " ORDER BY updated_at DESC LIMIT ?")) {
            ps.setString(1, sessionId);
            ps.setLong(2, db.time().now());
            ps.setInt(3, limit);
            return list(ps);
          }
        });
  }

  @Override
  public int clear() {
    return db.write(
        "memory.clear",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM session_memory WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public int clear(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.write(
        "memory.clear",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM session_memory WHERE session_id = ? AND memory_type = ?")) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public String exportJson() {
    List<MemoryEntry> entries =
        db.read(
            "memory.export",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      SELECT
                          + " WHERE session_id = ?"
                          + UNEXPIRED
                          + " ORDER BY memory_type COLLATE \"C\", key COLLATE \"C\"")) {
                ps.setString(1, sessionId);
                ps.setLong(2, db.time().now());
                return list(ps);
              }
            });
    return MemoryDocuments.write(sessionId, entries);
  }

  @Override
  public int importJson(String json) {
    List<MemoryDocuments.Item> items = MemoryDocuments.read(json);
    return db.write(
        "memory.import",
        c -> {
          requireSession(c);
          long now = db.time().now();
          int written = 0;
          for (MemoryDocuments.Item item : items) {
            Long exp = item.expiresAt();
            if (exp != null && exp <= now) {
              continue; // already expired: importing it would only hide it
            }
            Duration ttl = exp == null ? null : Duration.ofMillis(exp - now);
            upsert(c, item.memoryType(), new MemoryPut(item.key(), item.valueJson(), ttl));
            written++;
          }
          return written;
        });
  }

  static List<MemoryEntry> list(PreparedStatement ps) throws SQLException {
    List<MemoryEntry> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long exp = rs.getLong(8);
        boolean hasExp = !rs.wasNull();
        out.add(
            new MemoryEntry(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                compact(rs.getString(4)),
                rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)),
                Instant.ofEpochMilli(rs.getLong(7)),
                hasExp ? Instant.ofEpochMilli(exp) : null));
      }
    }
    return out;
  }
}
