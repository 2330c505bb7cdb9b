package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SessionMemory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One session's memory on SQLite. Thread safe (it holds only the session id). */
final class SqliteSessionMemory implements SessionMemory {
  static final String SELECT =
      "SELECT session_id, memory_type, key, value, version, created_at, updated_at, expires_at"
          + " FROM session_memory";
  static final String UNEXPIRED = " AND (expires_at IS NULL OR expires_at > ?)";
  private static final String UPSERT =
      "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
          + " updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6)"
          + " ON CONFLICT (session_id, memory_type, key) DO UPDATE SET"
          + " value = excluded.value,"
          + " version = CASE WHEN session_memory.expires_at <= excluded.updated_at THEN 1"
          + " ELSE session_memory.version + 1 END,"
          + " created_at = CASE WHEN session_memory.expires_at <= excluded.updated_at"
          + " THEN excluded.created_at ELSE session_memory.created_at END,"
          + " updated_at = excluded.updated_at, expires_at = excluded.expires_at"
          + " RETURNING version, created_at";

  private final SqliteDatabase db;
  private final String sessionId;

  SqliteSessionMemory(SqliteDatabase db, String sessionId) {
    this.db = db;
    this.sessionId = sessionId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public MemoryEntry put(
      String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
    MemoryPut p = MemoryPut.of(memoryType, key, value, ttl);
    return db.write(
        "memory.put",
        h -> {
          requireSession(h);
          return upsert(h, memoryType, p);
        });
  }

  @Override
  public List<MemoryEntry> putAll(
      String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
    List<MemoryPut> puts = MemoryPut.all(memoryType, values, ttl);
    return db.write(
        "memory.putAll",
        h -> {
          requireSession(h);
          List<MemoryEntry> out = new ArrayList<>(puts.size());
          for (MemoryPut p : puts) {
            out.add(upsert(h, memoryType, p));
          }
          return List.copyOf(out);
        });
  }

  private void requireSession(Handle h) throws SQLException {
    PreparedStatement ps = h.prepare("SELECT 1 FROM sessions WHERE session_id = ?");
    ps.setString(1, sessionId);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw SqliteSessionStore.notFound(sessionId);
      }
    }
  }

  private MemoryEntry upsert(Handle h, String memoryType, MemoryPut p) throws SQLException {
    long now = h.now();
    Duration ttl = p.ttl();
    Long expires = ttl == null ? null : Checks.expiry(now, ttl);
    PreparedStatement ps = h.prepare(UPSERT);
    ps.setString(1, sessionId);
    ps.setString(2, memoryType);
    ps.setString(3, p.key());
    ps.setString(4, p.json());
    ps.setLong(5, now);
    if (expires == null) {
      ps.setNull(6, Types.INTEGER);
    } else {
      ps.setLong(6, expires);
    }
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new MemoryEntry(
          sessionId,
          memoryType,
          p.key(),
          p.json(),
          rs.getLong(1),
          Instant.ofEpochMilli(rs.getLong(2)),
          Instant.ofEpochMilli(now),
          expires == null ? null : Instant.ofEpochMilli(expires));
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
        h -> {
          PreparedStatement ps =
              h.prepare(
                  SELECT + " WHERE session_id = ? AND memory_type = ? AND key = ?" + UNEXPIRED);
          ps.setString(1, sessionId);
          ps.setString(2, memoryType);
          ps.setString(3, key);
          ps.setLong(4, h.now());
          List<MemoryEntry> rows = list(ps);
          return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
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
        h -> {
          Map<String, MemoryEntry> out = new LinkedHashMap<>();
          PreparedStatement ps =
              h.prepare(
                  SELECT + " WHERE session_id = ? AND memory_type = ? AND key = ?" + UNEXPIRED);
          for (String k : keys) {
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setString(3, k);
            ps.setLong(4, h.now());
            for (MemoryEntry e : list(ps)) {
              out.put(k, e);
            }
          }
          return java.util.Collections.unmodifiableMap(out);
        });
  }

  @Override
  public boolean delete(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.write(
        "memory.delete",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  "DELETE FROM session_memory WHERE session_id = ? AND memory_type = ? AND key = ?");
          ps.setString(1, sessionId);
          ps.setString(2, memoryType);
          ps.setString(3, key);
          return ps.executeUpdate() > 0;
        });
  }

  @Override
  public List<String> keys(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.read(
        "memory.keys",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  "SELECT key FROM session_memory WHERE session_id = ? AND memory_type = ?"
                      + UNEXPIRED
                      + " ORDER BY key");
          ps.setString(1, sessionId);
          ps.setString(2, memoryType);
          ps.setLong(3, h.now());
          List<String> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return List.copyOf(out);
        });
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

  @Override
  public List<MemoryEntry> findByPrefix(String memoryType, String prefix) {
    Checks.searchText("prefix", prefix, false);
    return glob("memory.findByPrefix", memoryType, escapeGlob(prefix) + "*");
  }

  @Override
  public List<MemoryEntry> findByGlob(String memoryType, String glob) {
    Checks.searchText("glob", glob, true);
    return glob("memory.findByGlob", memoryType, glob);
  }

  /**
   * Rejects an unpaired surrogate: the driver encodes it to UTF-8 as {@code ?}, which GLOB reads as
   * "any character", so a lookup for a literal prefix would match every key.
   */
  private List<MemoryEntry> glob(String op, String memoryType, String pattern) {
    Checks.type("memoryType", memoryType);
    return db.read(
        op,
        h -> {
          PreparedStatement ps =
              h.prepare(
                  SELECT
                      + " WHERE session_id = ? AND memory_type = ? AND key GLOB ?"
                      + UNEXPIRED
                      + " ORDER BY key");
          ps.setString(1, sessionId);
          ps.setString(2, memoryType);
          ps.setString(3, pattern);
          ps.setLong(4, h.now());
          return list(ps);
        });
  }

  @Override
  public List<MemoryEntry> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "memory.recent",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  SELECT
                      + " WHERE session_id = ?"
                      + UNEXPIRED
                      + " ORDER BY updated_at DESC LIMIT ?");
          ps.setString(1, sessionId);
          ps.setLong(2, h.now());
          ps.setInt(3, limit);
          return list(ps);
        });
  }

  @Override
  public int clear() {
    return db.write(
        "memory.clear",
        h -> {
          PreparedStatement ps = h.prepare("DELETE FROM session_memory WHERE session_id = ?");
          ps.setString(1, sessionId);
          return ps.executeUpdate();
        });
  }

  @Override
  public int clear(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.write(
        "memory.clear",
        h -> {
          PreparedStatement ps =
              h.prepare("DELETE FROM session_memory WHERE session_id = ? AND memory_type = ?");
          ps.setString(1, sessionId);
          ps.setString(2, memoryType);
          return ps.executeUpdate();
        });
  }

  @Override
  public String exportJson() {
    List<MemoryEntry> entries =
        db.read(
            "memory.export",
            h -> {
              PreparedStatement ps =
                  h.prepare(
                      SELECT + " WHERE session_id = ?" + UNEXPIRED + " ORDER BY memory_type, key");
              ps.setString(1, sessionId);
              ps.setLong(2, h.now());
              return list(ps);
            });
    return MemoryDocuments.write(sessionId, entries);
  }

  @Override
  public int importJson(String json) {
    List<MemoryDocuments.Item> items = MemoryDocuments.read(json);
    return db.write(
        "memory.import",
        h -> {
          requireSession(h);
          int written = 0;
          for (MemoryDocuments.Item item : items) {
            Long exp = item.expiresAt();
            if (exp != null && exp <= h.now()) {
              continue; // already expired: importing it would only hide it
            }
            Duration ttl = exp == null ? null : Duration.ofMillis(exp - h.now());
            upsert(h, item.memoryType(), new MemoryPut(item.key(), item.valueJson(), ttl));
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
                rs.getString(4),
                rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)),
                Instant.ofEpochMilli(rs.getLong(7)),
                hasExp ? Instant.ofEpochMilli(exp) : null));
      }
    }
    return out;
  }
}
