package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SessionMemory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * One session's memory on either backend. A write to a session that does not exist fails with
 * {@code NOT_FOUND} through the foreign key to the sessions table (which on PostgreSQL also keeps
 * the session from being deleted until the write commits), not through a SELECT of its own. Values
 * are reported as compact JSON of what is stored. Thread safe (it holds only the session id and
 * immutable statements).
 */
record SqlSessionMemory(Backend db, SqlSessionMemory.Statements sql, String sessionId)
    implements SessionMemory {
  static final String UNEXPIRED = " AND (expires_at IS NULL OR expires_at > ?)";

  /** The memory statements of one dialect, built once per database. Immutable, thread safe. */
  static final class Statements {
    final Dialect dialect;
    final String select;
    final String entry;
    final @Nullable String entries;
    final String newest;
    final String upsert;
    final String sessionExists;
    final String keys;
    final String prefix;
    final String glob;
    final String recent;
    final String export;

    Statements(Dialect d) {
      this.dialect = d;
      this.select =
          "SELECT session_id, memory_type, key, "
              + d.jsonColumn("value")
              + ", version, created_at, updated_at, expires_at FROM session_memory";
      String ofType = " WHERE session_id = ? AND memory_type = ? AND ";
      this.entry = select + ofType + "key = ?" + UNEXPIRED;
      String anyKey = d.keyInArray();
      this.entries = anyKey == null ? null : select + ofType + anyKey + UNEXPIRED;
      this.newest =
          select
              + " WHERE memory_type = ? AND key = ?"
              + UNEXPIRED
              + " ORDER BY updated_at DESC"
              + " LIMIT 1";
      this.upsert =
          "INSERT INTO session_memory AS m (session_id, memory_type, key, value, version,"
              + " created_at, updated_at, expires_at) VALUES (?, ?, ?, "
              + d.jsonParameter()
              + ", 1, ?, ?, ?) ON CONFLICT (session_id, memory_type, key) DO UPDATE SET"
              + " value = excluded.value,"
              + " version = CASE WHEN m.expires_at <= excluded.updated_at THEN 1"
              + " ELSE m.version + 1 END,"
              + " created_at = CASE WHEN m.expires_at <= excluded.updated_at"
              + " THEN excluded.created_at ELSE m.created_at END,"
              + " updated_at = excluded.updated_at, expires_at = excluded.expires_at"
              + " RETURNING version, created_at, "
              + d.jsonColumn("value");
      this.sessionExists = "SELECT 1 FROM sessions WHERE session_id = ?" + d.forKeyShare();
      String byKey = " ORDER BY key" + d.binaryCollation();
      this.keys =
          "SELECT key FROM session_memory WHERE session_id = ? AND memory_type = ?"
              + UNEXPIRED
              + byKey;
      this.prefix = select + ofType + d.prefixPredicate() + UNEXPIRED + byKey;
      this.glob = select + ofType + d.globPredicate() + UNEXPIRED + byKey;
      this.recent =
          select + " WHERE session_id = ?" + UNEXPIRED + " ORDER BY updated_at DESC LIMIT ?";
      this.export =
          select
              + " WHERE session_id = ?"
              + UNEXPIRED
              + " ORDER BY memory_type"
              + d.binaryCollation()
              + ", key"
              + d.binaryCollation();
    }

    List<MemoryEntry> list(PreparedStatement ps) throws SQLException {
      return list(ps, true);
    }

    /**
     * The entries of a query.
     *
     * @param check whether to check each value's text (false only for a caller that parses the
     *     value strictly itself, which reports damage the same way)
     */
    List<MemoryEntry> list(PreparedStatement ps, boolean check) throws SQLException {
      List<MemoryEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String session = rs.getString(1);
          String type = rs.getString(2);
          String key = rs.getString(3);
          // entries hand the stored text on unparsed: damaged text must not pass as a value
          String stored = dialect.storedJson().apply(rs.getString(4));
          String value =
              check
                  ? Json.checkStored(() -> Rows.memoryRow(session, type, key), "value", stored)
                  : stored;
          out.add(
              new MemoryEntry(
                  session,
                  type,
                  key,
                  value,
                  rs.getLong(5),
                  Instant.ofEpochMilli(rs.getLong(6)),
                  Instant.ofEpochMilli(rs.getLong(7)),
                  Rows.nullableInstant(rs, 8)));
        }
      }
      return out;
    }

    /**
     * The live entry of a type and key: in one session, or the newest across sessions.
     *
     * @param sessionId the session, or null for the newest in any session
     * @param check as for {@link #list(PreparedStatement, boolean)}
     */
    Optional<MemoryEntry> lookup(
        Backend db,
        String op,
        String memoryType,
        String key,
        @Nullable String sessionId,
        boolean check) {
      Checks.type("memoryType", memoryType);
      Checks.key("key", key);
      return db.read(
          op,
          h ->
              Rows.first(
                  list(
                      sessionId == null
                          ? h.prepare(newest, memoryType, key, h.now())
                          : h.prepare(entry, sessionId, memoryType, key, h.now()),
                      check)));
    }
  }

  @Override
  public MemoryEntry put(
      String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
    MemoryPut p = MemoryPut.of(memoryType, key, value, ttl);
    return db.write(
        "memory.put",
        h -> upsert(h, memoryType, p)); // the foreign key answers "does the session exist"
  }

  @Override
  public List<MemoryEntry> putAll(
      String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
    List<MemoryPut> puts = MemoryPut.all(memoryType, values, ttl);
    return db.write(
        "memory.putAll",
        h -> {
          if (puts.isEmpty()) {
            requireSession(h); // no upsert whose foreign key would tell
          }
          List<MemoryEntry> out = new ArrayList<>(puts.size());
          for (MemoryPut p : puts) {
            out.add(upsert(h, memoryType, p));
          }
          return List.copyOf(out);
        });
  }

  private void requireSession(Handle h) throws SQLException {
    try (ResultSet rs = h.prepare(sql.sessionExists, sessionId).executeQuery()) {
      if (!rs.next()) {
        throw SqlSessionStore.notFound(sessionId);
      }
    }
  }

  private MemoryEntry upsert(Handle h, String memoryType, MemoryPut p) throws SQLException {
    long now = h.now();
    Duration ttl = p.ttl();
    Long expires = ttl == null ? null : Checks.expiry(now, ttl);
    PreparedStatement ps = h.prepare(sql.upsert);
    ps.setString(1, sessionId);
    ps.setString(2, memoryType);
    ps.setString(3, p.key());
    ps.setString(4, p.json());
    ps.setLong(5, now);
    ps.setLong(6, now);
    Rows.setNullable(ps, 7, expires);
    ResultSet result;
    try {
      result = ps.executeQuery();
    } catch (SQLException e) {
      if (db.dialect().foreignKeyViolation().test(e)) {
        throw SqlSessionStore.notFound(sessionId); // the session row is missing: nothing written
      }
      throw e;
    }
    try (ResultSet rs = result) {
      if (!rs.next()) {
        throw new SQLException("upsert of '" + p.key() + "' returned no row");
      }
      return new MemoryEntry(
          sessionId,
          memoryType,
          p.key(),
          sql.dialect.storedJson().apply(rs.getString(3)),
          rs.getLong(1),
          Instant.ofEpochMilli(rs.getLong(2)),
          Instant.ofEpochMilli(now),
          expires == null ? null : Instant.ofEpochMilli(expires));
    }
  }

  @Override
  public <T> Optional<T> get(String memoryType, String key, Class<T> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    // Json.read parses strictly (trailing text too) and reports damage as CORRUPT itself, so the
    // entry's separate token scan would read the value twice
    return sql.lookup(db, "memory.get", memoryType, key, sessionId, false)
        .map(
            e ->
                Json.read(
                    () -> Rows.memoryRow(sessionId, memoryType, key), e.valueJson(), valueType));
  }

  @Override
  public Optional<MemoryEntry> entry(String memoryType, String key) {
    return sql.lookup(db, "memory.get", memoryType, key, sessionId, true);
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
          Map<String, MemoryEntry> found = new LinkedHashMap<>();
          String entries = sql.entries;
          if (entries != null) { // one statement for all keys
            PreparedStatement ps = h.prepare(entries);
            ps.setString(1, sessionId);
            ps.setString(2, memoryType);
            ps.setArray(3, h.connection().createArrayOf("text", keys.toArray(new String[0])));
            ps.setLong(4, h.now());
            for (MemoryEntry e : sql.list(ps)) {
              found.put(e.key(), e);
            }
          } else { // one indexed lookup a key
            for (String k : keys) {
              for (MemoryEntry e :
                  sql.list(h.prepare(sql.entry, sessionId, memoryType, k, h.now()))) {
                found.put(k, e);
              }
            }
          }
          Map<String, MemoryEntry> out = new LinkedHashMap<>(); // in the order of the keys
          keys.stream().filter(found::containsKey).forEach(k -> out.put(k, found.get(k)));
          return Collections.unmodifiableMap(out);
        });
  }

  @Override
  public boolean delete(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    String delete =
        "DELETE FROM session_memory WHERE session_id = ? AND memory_type = ? AND key = ?";
    return db.write(
        "memory.delete", h -> h.prepare(delete, sessionId, memoryType, key).executeUpdate() > 0);
  }

  @Override
  public List<String> keys(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.read(
        "memory.keys",
        h -> List.copyOf(Rows.strings(h.prepare(sql.keys, sessionId, memoryType, h.now()))));
  }

  @Override
  public List<MemoryEntry> findByPrefix(String memoryType, String prefix) {
    String arg = sql.dialect.prefixArgument().apply(prefix);
    return match("memory.findByPrefix", memoryType, sql.prefix, arg);
  }

  @Override
  public List<MemoryEntry> findByGlob(String memoryType, String glob) {
    String arg = sql.dialect.globArgument().apply(glob);
    return match("memory.findByGlob", memoryType, sql.glob, arg);
  }

  private List<MemoryEntry> match(String op, String memoryType, String statement, String arg) {
    Checks.type("memoryType", memoryType);
    return db.read(op, h -> sql.list(h.prepare(statement, sessionId, memoryType, arg, h.now())));
  }

  @Override
  public List<MemoryEntry> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "memory.recent", h -> sql.list(h.prepare(sql.recent, sessionId, h.now(), limit)));
  }

  @Override
  public int clear() {
    return db.write(
        "memory.clear",
        h ->
            h.prepare("DELETE FROM session_memory WHERE session_id = ?", sessionId)
                .executeUpdate());
  }

  @Override
  public int clear(String memoryType) {
    Checks.type("memoryType", memoryType);
    String delete = "DELETE FROM session_memory WHERE session_id = ? AND memory_type = ?";
    return db.write("memory.clear", h -> h.prepare(delete, sessionId, memoryType).executeUpdate());
  }

  @Override
  public String exportJson() {
    List<MemoryEntry> entries =
        db.read("memory.export", h -> sql.list(h.prepare(sql.export, sessionId, h.now())));
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
}
