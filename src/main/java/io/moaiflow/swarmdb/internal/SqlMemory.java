package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbException;
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
 * One scope's memory on either backend, over one of two tables: a session's in {@code
 * session_memory} (keyed by {@code session_id}, exactly as before scopes; {@link
 * SqlSessionMemory}), every other scope's in {@code scoped_memory} (keyed by the scope's written
 * form). A session write to a session that does not exist fails with {@code NOT_FOUND} through the
 * foreign key to the sessions table (which on PostgreSQL also keeps the session from being deleted
 * until the write commits), not through a SELECT of its own. Values are reported as compact JSON of
 * what is stored. Vectors of the configured embedder are computed before a write is queued ({@link
 * MemoryVectors}). Thread safe (it holds only its scope and immutable statements).
 */
class SqlMemory extends TypedMemory {
  static final String UNEXPIRED = " AND (expires_at IS NULL OR expires_at > ?)";

  /**
   * The last memory history row before a handle's delete: the tombstones the delete writes follow
   * it (a write transaction is the only writer of the history while it runs: SQLite's one writer,
   * PostgreSQL's append lock taken first).
   */
  static final String LAST_HISTORY_SEQ = "SELECT coalesce(max(seq), 0) FROM memory_history";

  /**
   * Records the deleter on the tombstones a handle's delete just wrote (a seq range, the rowid).
   */
  static final String STAMP_DELETER = "UPDATE memory_history SET writer = ? WHERE seq > ?";

  /** The two memory tables. */
  enum Table {
    /** A session's memory. */
    SESSION("session_memory", "session_id"),
    /** An agent's, the swarm's or a namespace's memory. */
    SCOPED("scoped_memory", "scope");

    final String name;
    final String owner;

    Table(String name, String owner) {
      this.name = name;
      this.owner = owner;
    }
  }

  /**
   * The memory statements of one dialect and table, built once per database. Immutable, thread
   * safe.
   */
  static final class Statements {
    final Dialect dialect;
    final Table table;
    final String select;
    final String entry;
    final @Nullable String entries;
    final String newest;
    final String upsert;
    final String upsertIfExpired;
    final String versionForUpdate;
    final String sessionExists;
    final String keys;
    final String prefix;
    final String glob;
    final String recent;
    final String export;
    final String delete;
    final @Nullable String deleteEntries;
    final String clear;
    final String clearType;
    final String count;
    final String countType;

    Statements(Dialect d, Table t) {
      this.dialect = d;
      this.table = t;
      String owner = t.owner;
      this.select =
          "SELECT "
              + owner
              + ", memory_type, key, "
              + d.jsonColumn("value")
              + ", version, created_at, updated_at, expires_at FROM "
              + t.name;
      String ofType = " WHERE " + owner + " = ? AND memory_type = ? AND ";
      this.entry = select + ofType + "key = ?" + UNEXPIRED;
      String anyKey = d.keyInArray();
      this.entries = anyKey == null ? null : select + ofType + anyKey + UNEXPIRED;
      this.newest =
          select
              + " WHERE memory_type = ? AND key = ?"
              + UNEXPIRED
              + " ORDER BY updated_at DESC"
              + " LIMIT 1";
      String upsert =
          "INSERT INTO "
              + t.name
              + " AS m ("
              + owner
              + ", memory_type, key, value, version,"
              + " created_at, updated_at, expires_at, embedding_model, embedding_q8, embedding,"
              + " writer) VALUES (?, ?, ?, "
              + d.jsonParameter()
              + ", 1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("
              + owner
              + ", memory_type, key) DO UPDATE SET"
              + " value = excluded.value,"
              + " version = CASE WHEN m.expires_at <= excluded.updated_at THEN 1"
              + " ELSE m.version + 1 END,"
              + " created_at = CASE WHEN m.expires_at <= excluded.updated_at"
              + " THEN excluded.created_at ELSE m.created_at END,"
              + " updated_at = excluded.updated_at, expires_at = excluded.expires_at,"
              + " embedding_model = excluded.embedding_model,"
              + " embedding_q8 = excluded.embedding_q8, embedding = excluded.embedding,"
              + " writer = excluded.writer";
      String returning = " RETURNING version, created_at, " + d.jsonColumn("value");
      this.upsertIfExpired = upsert + " WHERE m.expires_at <= excluded.updated_at" + returning;
      this.upsert = upsert + returning;
      this.versionForUpdate =
          "SELECT version, expires_at FROM "
              + t.name
              + " WHERE "
              + owner
              + " = ? AND memory_type = ? AND key = ?"
              + d.forUpdate();
      this.sessionExists = SqlSessionStore.sessionExists(d);
      String byKey = " ORDER BY key" + d.binaryCollation();
      this.keys =
          "SELECT key FROM "
              + t.name
              + " WHERE "
              + owner
              + " = ? AND memory_type = ?"
              + UNEXPIRED
              + byKey;
      this.prefix = select + ofType + d.prefixPredicate() + UNEXPIRED + byKey;
      this.glob = select + ofType + d.globPredicate() + UNEXPIRED + byKey;
      this.recent =
          select + " WHERE " + owner + " = ?" + UNEXPIRED + " ORDER BY updated_at DESC LIMIT ?";
      this.export =
          select
              + " WHERE "
              + owner
              + " = ?"
              + UNEXPIRED
              + " ORDER BY memory_type"
              + d.binaryCollation()
              + ", key"
              + d.binaryCollation();
      String deleteOfType =
          "DELETE FROM " + t.name + " WHERE " + owner + " = ? AND memory_type = ? AND ";
      this.delete = deleteOfType + "key = ?";
      this.deleteEntries = anyKey == null ? null : deleteOfType + anyKey;
      this.clear = "DELETE FROM " + t.name + " WHERE " + owner + " = ?";
      this.count = "SELECT count(*) FROM " + t.name + " WHERE " + owner + " = ?" + UNEXPIRED;
      this.countType =
          "SELECT count(*) FROM "
              + t.name
              + " WHERE "
              + owner
              + " = ? AND memory_type = ?"
              + UNEXPIRED;
      this.clearType = "DELETE FROM " + t.name + " WHERE " + owner + " = ? AND memory_type = ?";
    }

    /** {@return the scope a row's owner column names} */
    Scope scopeOf(String owner) {
      return table == Table.SESSION ? Scope.session(owner) : Scope.parse(owner);
    }

    /** {@return how a CORRUPT message names a row} */
    String rowName(String owner, String memoryType, String key) {
      return table == Table.SESSION
          ? Rows.memoryRow(owner, memoryType, key)
          : Rows.scopedMemoryRow(owner, memoryType, key);
    }

    List<MemoryEntry> list(PreparedStatement ps, @Nullable Scope known) throws SQLException {
      return list(ps, true, known);
    }

    /**
     * The entries of a query.
     *
     * @param check whether to check each value's text (false only for a caller that parses the
     *     value strictly itself, which reports damage the same way)
     * @param known the scope of every row, or null to read it from each row
     */
    List<MemoryEntry> list(PreparedStatement ps, boolean check, @Nullable Scope known)
        throws SQLException {
      List<MemoryEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String owner = rs.getString(1);
          String type = rs.getString(2);
          String key = rs.getString(3);
          // entries hand the stored text on unparsed: damaged text must not pass as a value
          String stored = dialect.storedJson().apply(rs.getString(4));
          String value =
              check ? Json.checkStored(() -> rowName(owner, type, key), "value", stored) : stored;
          out.add(
              new MemoryEntry(
                  known == null ? scopeOf(owner) : known,
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
     * The live entry of a type and key: of one owner, or the newest across sessions.
     *
     * @param scope the scope, or null for the newest in any session
     * @param check as for {@link #list(PreparedStatement, boolean, Scope)}
     */
    Optional<MemoryEntry> lookup(
        Backend db,
        String op,
        String memoryType,
        String key,
        @Nullable Scope scope,
        boolean check) {
      Checks.type("memoryType", memoryType);
      Checks.key("key", key);
      return db.read(
          op,
          h ->
              Rows.first(
                  list(
                      scope == null
                          ? h.prepare(newest, memoryType, key, h.now())
                          : h.prepare(entry, owner(scope), memoryType, key, h.now()),
                      check,
                      scope)));
    }

    /** {@return what the owner column holds for a scope} */
    String owner(Scope scope) {
      return table == Table.SESSION ? Objects.requireNonNull(scope.id()) : scope.toString();
    }
  }

  final Backend db;
  final Statements sql;
  private final Scope scope;
  final String owner;
  private final @Nullable String writer;

  /**
   * @param writer the agent every write records as its writer (a handle's memory), or null for
   *     plain writes
   */
  SqlMemory(Backend db, Statements sql, Scope scope, @Nullable String writer) {
    this.db = db;
    this.sql = sql;
    this.scope = scope;
    this.owner = sql.owner(scope);
    this.writer = writer;
  }

  @Override
  public Scope scope() {
    return scope;
  }

  private @Nullable Embedder embedder() {
    return db.config().embedder();
  }

  @Override
  public MemoryEntry put(
      String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
    MemoryPut p = MemoryPut.of(db.json(), memoryType, key, value, ttl);
    return store(
            "memory.put",
            memoryType,
            List.of(p),
            MemoryVectors.embed(embedder(), List.of(p.key()), List.of(p.json())))
        .get(0);
  }

  @Override
  public MemoryEntry put(
      String memoryType,
      String key,
      @Nullable Object value,
      @Nullable Duration ttl,
      String vectorModel,
      float[] vector) {
    MemoryPut p = MemoryPut.of(db.json(), memoryType, key, value, ttl);
    Objects.requireNonNull(vector, "vector");
    return store(
            "memory.put",
            memoryType,
            List.of(p),
            MemoryVectors.given(embedder(), vectorModel, List.of(p), Map.of(p.key(), vector)))
        .get(0);
  }

  @Override
  public MemoryEntry putIfVersion(
      String memoryType,
      String key,
      @Nullable Object value,
      @Nullable Duration ttl,
      long expectedVersion) {
    if (expectedVersion < 0) {
      throw Checks.invalid(
          "expectedVersion is "
              + expectedVersion
              + "; pass 0 for an entry that must not exist, or the version the entry was read at");
    }
    MemoryPut p = MemoryPut.of(db.json(), memoryType, key, value, ttl);
    List<MemoryVectors.Vector> v =
        MemoryVectors.embed(embedder(), List.of(p.key()), List.of(p.json()));
    MemoryVectors.Vector vector = MemoryVectors.at(v, 0);
    long generation = db.known().generation();
    MemoryEntry written =
        db.write(
            "memory.putIfVersion",
            h -> {
              if (vector != null) {
                MemoryVectors.requireModel(h, vector);
              }
              long actual = liveVersion(h, memoryType, key);
              if (actual == expectedVersion) {
                // version 0: no live row. A row that is there, expired, is locked now and replaced;
                // a missing one may be inserted by a concurrent transaction (PostgreSQL), whose
                // conflict the conditional upsert turns into no row
                String statement = expectedVersion == 0 ? sql.upsertIfExpired : sql.upsert;
                MemoryEntry e = upsert(h, statement, memoryType, p, vector);
                if (e != null) {
                  return e;
                }
                actual = liveVersion(h, memoryType, key);
              }
              requireOwner(h);
              throw conflict(memoryType, key, expectedVersion, actual);
            });
    remember(List.of(written), generation);
    return written;
  }

  /** {@return the version of the live entry, 0 when there is none; the row is locked} */
  private long liveVersion(Handle h, String memoryType, String key) throws SQLException {
    try (ResultSet rs = h.prepare(sql.versionForUpdate, owner, memoryType, key).executeQuery()) {
      if (!rs.next()) {
        return 0;
      }
      long version = rs.getLong(1);
      Long expires = Rows.nullableLong(rs, 2);
      return expires == null || expires > h.now() ? version : 0;
    }
  }

  private SwarmDbException conflict(String memoryType, String key, long expected, long actual) {
    return new SwarmDbException(
        ErrorCode.CONFLICT,
        sql.rowName(owner, memoryType, key)
            + ": expected "
            + (expected == 0 ? "no entry (version 0)" : "version " + expected)
            + ", but "
            + (actual == 0
                ? "there is no entry (version 0: never written, deleted or expired)"
                : "the entry is at version " + actual)
            + "; another writer got there first. Nothing was written: read the entry again and"
            + " retry with its version");
  }

  @Override
  public List<MemoryEntry> putAll(
      String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
    List<MemoryPut> puts = MemoryPut.all(db.json(), memoryType, values, ttl);
    return store(
        "memory.putAll",
        memoryType,
        puts,
        MemoryVectors.embed(
            embedder(),
            puts.stream().map(MemoryPut::key).toList(),
            puts.stream().map(MemoryPut::json).toList()));
  }

  @Override
  public List<MemoryEntry> putAll(
      String memoryType,
      Map<String, ? extends @Nullable Object> values,
      @Nullable Duration ttl,
      String vectorModel,
      Map<String, float[]> vectors) {
    List<MemoryPut> puts = MemoryPut.all(db.json(), memoryType, values, ttl);
    return store(
        "memory.putAll",
        memoryType,
        puts,
        MemoryVectors.given(embedder(), vectorModel, puts, vectors));
  }

  /** Writes checked puts and their vectors (null: none) in one transaction. */
  private List<MemoryEntry> store(
      String op,
      String memoryType,
      List<MemoryPut> puts,
      @Nullable List<MemoryVectors.Vector> vectors) {
    long generation = db.known().generation();
    List<MemoryEntry> written =
        db.write(
            op,
            h -> {
              if (puts.isEmpty()) {
                requireOwner(h); // no upsert whose foreign key would tell
              }
              if (vectors != null && !vectors.isEmpty()) {
                MemoryVectors.requireModel(h, vectors.get(0));
              }
              List<MemoryEntry> out = new ArrayList<>(puts.size());
              for (int i = 0; i < puts.size(); i++) {
                // for a session, the foreign key answers "does the session exist"
                out.add(upsert(h, memoryType, puts.get(i), MemoryVectors.at(vectors, i)));
              }
              return List.copyOf(out);
            });
    remember(written, generation);
    return written;
  }

  /** Remembers committed versions for linked appends that name them ({@link KnownLinks}). */
  private void remember(List<MemoryEntry> written, long generation) {
    List<MemoryRef> refs = new ArrayList<>(written.size());
    for (MemoryEntry e : written) {
      refs.add(MemoryRef.of(e));
    }
    db.known().seen(refs, generation);
  }

  /** Fails with NOT_FOUND when this is a session's memory and the session does not exist. */
  void requireOwner(Handle h) throws SQLException {
    // other scopes need no registry row
  }

  /** {@return the error for a write the sessions foreign key refused} */
  RuntimeException ownerMissing() {
    return new IllegalStateException("only a session's memory has a foreign key: " + scope);
  }

  private MemoryEntry upsert(
      Handle h, String memoryType, MemoryPut p, MemoryVectors.@Nullable Vector vector)
      throws SQLException {
    MemoryEntry e = upsert(h, sql.upsert, memoryType, p, vector);
    if (e == null) {
      throw new SQLException("upsert of '" + p.key() + "' returned no row");
    }
    return e;
  }

  /** {@return the stored entry, or null when {@code statement}'s conflict condition held} */
  private @Nullable MemoryEntry upsert(
      Handle h,
      String statement,
      String memoryType,
      MemoryPut p,
      MemoryVectors.@Nullable Vector vector)
      throws SQLException {
    long now = h.now();
    Duration ttl = p.ttl();
    Long expires = ttl == null ? null : Checks.expiry(now, ttl);
    PreparedStatement ps = h.prepare(statement);
    ps.setString(1, owner);
    ps.setString(2, memoryType);
    ps.setString(3, p.key());
    ps.setString(4, p.json());
    ps.setLong(5, now);
    ps.setLong(6, now);
    Rows.setNullable(ps, 7, expires);
    MemoryVectors.bind(ps, 8, vector);
    ps.setString(11, writer);
    ResultSet result;
    try {
      result = ps.executeQuery();
    } catch (SQLException e) {
      if (sql.table == Table.SESSION && db.dialect().foreignKeyViolation().test(e)) {
        throw ownerMissing(); // the session row is missing: nothing written
      }
      throw e;
    }
    try (ResultSet rs = result) {
      if (!rs.next()) {
        return null;
      }
      return new MemoryEntry(
          scope,
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
  ObjectMapper json() {
    return db.json();
  }

  @Override
  String rowName(String memoryType, String key) {
    return sql.rowName(owner, memoryType, key);
  }

  @Override
  Optional<MemoryEntry> unchecked(String memoryType, String key) {
    // the typed reads parse strictly (trailing text too) and report damage as CORRUPT themselves,
    // so the entry's separate token scan would read the value twice
    return sql.lookup(db, "memory.get", memoryType, key, scope, false);
  }

  @Override
  public Optional<MemoryEntry> entry(String memoryType, String key) {
    return sql.lookup(db, "memory.get", memoryType, key, scope, true);
  }

  @Override
  public Map<String, MemoryEntry> getAll(String memoryType, Collection<String> keys) {
    String[] checked = checkKeys("getAll", memoryType, keys);
    return db.read(
        "memory.getAll",
        h -> {
          Map<String, MemoryEntry> found = new LinkedHashMap<>();
          String entries = sql.entries;
          if (entries != null) { // one statement for all keys
            PreparedStatement ps = keysOf(h, entries, memoryType, checked);
            ps.setLong(4, h.now());
            for (MemoryEntry e : sql.list(ps, scope)) {
              found.put(e.key(), e);
            }
          } else { // one indexed lookup a key
            for (String k : checked) {
              for (MemoryEntry e :
                  sql.list(h.prepare(sql.entry, owner, memoryType, k, h.now()), scope)) {
                found.put(k, e);
              }
            }
          }
          Map<String, MemoryEntry> out = new LinkedHashMap<>(); // in the order of the keys
          keys.stream().filter(found::containsKey).forEach(k -> out.put(k, found.get(k)));
          return Collections.unmodifiableMap(out);
        });
  }

  /**
   * Checks the arguments of a multi-key call before any work.
   *
   * @return the keys, copied (so the statement binds what was checked)
   */
  private static String[] checkKeys(String op, String memoryType, Collection<String> keys) {
    Checks.type("memoryType", memoryType);
    String[] checked = Objects.requireNonNull(keys, "keys").toArray(new String[0]);
    if (checked.length > Checks.MAX_LIMIT) {
      throw Checks.invalid(
          op
              + " got "
              + checked.length
              + " keys; the limit is "
              + Checks.MAX_LIMIT
              + " a call: pass them in parts");
    }
    for (int i = 0; i < checked.length; i++) {
      Checks.key("keys[" + i + "]", checked[i]);
    }
    return checked;
  }

  @Override
  public boolean delete(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.write(
        "memory.delete",
        h -> deleting(h, () -> h.prepare(sql.delete, owner, memoryType, key).executeUpdate()) > 0);
  }

  @Override
  public int deleteAll(String memoryType, Collection<String> keys) {
    String[] checked = checkKeys("deleteAll", memoryType, keys);
    return db.write("memory.deleteAll", h -> deleting(h, () -> deleteAll(h, memoryType, checked)));
  }

  /**
   * {@return a statement over several keys of one type at once (PostgreSQL's array parameter) with
   * its first three parameters bound: the owner, the type, the keys}
   */
  private PreparedStatement keysOf(Handle h, String sql, String memoryType, String[] keys)
      throws SQLException {
    PreparedStatement ps = h.prepare(sql);
    ps.setString(1, owner);
    ps.setString(2, memoryType);
    ps.setArray(3, h.connection().createArrayOf("text", keys));
    return ps;
  }

  private int deleteAll(Handle h, String memoryType, String[] checked) throws SQLException {
    String entries = sql.deleteEntries;
    if (entries != null) { // one statement for all keys
      return keysOf(h, entries, memoryType, checked).executeUpdate();
    }
    int deleted = 0; // one indexed delete a key, in the one transaction
    for (String k : checked) {
      deleted += h.prepare(sql.delete, owner, memoryType, k).executeUpdate();
    }
    return deleted;
  }

  /** A delete statement's work, returning the rows it deleted. */
  @FunctionalInterface
  private interface Deletion {
    int run() throws SQLException;
  }

  /**
   * Runs a delete in its write transaction; through a handle, records the agent as the deleter on
   * the tombstones the delete wrote (the history rows after the last one before it).
   */
  private int deleting(Handle h, Deletion delete) throws SQLException {
    if (writer == null) {
      return delete.run();
    }
    long before = h.queryLong(LAST_HISTORY_SEQ);
    int deleted = delete.run();
    if (deleted > 0) {
      h.prepare(STAMP_DELETER, writer, before).executeUpdate();
    }
    return deleted;
  }

  @Override
  public List<String> keys(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.read(
        "memory.keys",
        h -> List.copyOf(Rows.strings(h.prepare(sql.keys, owner, memoryType, h.now()))));
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
    return db.read(op, h -> sql.list(h.prepare(statement, owner, memoryType, arg, h.now()), scope));
  }

  @Override
  public List<MemoryEntry> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "memory.recent", h -> sql.list(h.prepare(sql.recent, owner, h.now(), limit), scope));
  }

  @Override
  public long count() {
    return db.read("memory.count", h -> count(h.prepare(sql.count, owner, h.now())));
  }

  @Override
  public long count(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.read(
        "memory.count", h -> count(h.prepare(sql.countType, owner, memoryType, h.now())));
  }

  private static long count(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public int clear() {
    return db.write(
        "memory.clear", h -> deleting(h, () -> h.prepare(sql.clear, owner).executeUpdate()));
  }

  @Override
  public int clear(String memoryType) {
    Checks.type("memoryType", memoryType);
    return db.write(
        "memory.clear",
        h -> deleting(h, () -> h.prepare(sql.clearType, owner, memoryType).executeUpdate()));
  }

  @Override
  public String exportJson() {
    List<MemoryEntry> entries =
        db.read("memory.export", h -> sql.list(h.prepare(sql.export, owner, h.now()), scope));
    return MemoryDocuments.write(scope, entries);
  }

  @Override
  public int importJson(String json) {
    List<MemoryDocuments.Item> items = MemoryDocuments.read(json, scope);
    List<MemoryVectors.Vector> vectors =
        MemoryVectors.embed(
            embedder(),
            items.stream().map(MemoryDocuments.Item::key).toList(),
            items.stream().map(MemoryDocuments.Item::valueJson).toList());
    return db.write(
        "memory.import",
        h -> {
          requireOwner(h);
          if (vectors != null && !vectors.isEmpty()) {
            MemoryVectors.requireModel(h, vectors.get(0));
          }
          int written = 0;
          for (int i = 0; i < items.size(); i++) {
            MemoryDocuments.Item item = items.get(i);
            Long exp = item.expiresAt();
            if (exp != null && exp <= h.now()) {
              continue; // already expired: importing it would only hide it
            }
            Duration ttl = exp == null ? null : Duration.ofMillis(exp - h.now());
            upsert(
                h,
                item.memoryType(),
                new MemoryPut(item.key(), item.valueJson(), ttl),
                MemoryVectors.at(vectors, i));
            written++;
          }
          return written;
        });
  }

  @Override
  public List<MemoryVersion> history(String memoryType, String key, long afterSeq, int limit) {
    return db.history()
        .versions(scope.toString(), memoryType, key, afterSeq, Long.MAX_VALUE, limit);
  }

  @Override
  public String toString() {
    return "Memory[" + scope + "]";
  }
}
