package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SessionStatus;
import io.moaiflow.swarmdb.SessionStore;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Sessions on SQLite. Thread safe. */
public final class SqliteSessionStore implements SessionStore {
  private static final String SELECT =
      "SELECT session_id, status, started_at, ended_at, metadata FROM sessions";

  private final SqliteDatabase db;

  /**
   * The sessions of an open database.
   *
   * @param db the database
   */
  public SqliteSessionStore(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public Session start(String sessionId, Map<String, ? extends @Nullable Object> metadata) {
    Checks.id("sessionId", sessionId);
    Map<String, @Nullable Object> given = Checks.metadata(metadata);
    String json = Json.writeMetadata(given);
    Map<String, @Nullable Object> meta = Json.asStored(given, json);
    return db.write(
        "sessions.start",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  "INSERT INTO sessions (session_id, status, started_at, metadata)"
                      + " VALUES (?, 'active', ?, ?) ON CONFLICT (session_id) DO NOTHING");
          ps.setString(1, sessionId);
          ps.setLong(2, h.now());
          ps.setString(3, json);
          if (ps.executeUpdate() == 0) {
            throw Checks.invalid(
                "session '" + sessionId + "' already exists; start a session with a new id");
          }
          return new Session(
              sessionId, SessionStatus.ACTIVE, Instant.ofEpochMilli(h.now()), null, meta);
        });
  }

  @Override
  public Session end(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.write(
        "sessions.end",
        h -> {
          Session s = find(h, sessionId).orElseThrow(() -> notFound(sessionId));
          if (!s.isActive()) {
            throw new SwarmDbException(
                ErrorCode.ILLEGAL_TRANSITION,
                "session '" + sessionId + "' already ended at " + s.endedAt());
          }
          long now = Math.max(h.now(), s.startedAt().toEpochMilli());
          PreparedStatement ps =
              h.prepare("UPDATE sessions SET status = 'ended', ended_at = ? WHERE session_id = ?");
          ps.setLong(1, now);
          ps.setString(2, sessionId);
          ps.executeUpdate();
          return new Session(
              sessionId,
              SessionStatus.ENDED,
              s.startedAt(),
              Instant.ofEpochMilli(now),
              s.metadata());
        });
  }

  static SwarmDbException notFound(String sessionId) {
    return new SwarmDbException(
        ErrorCode.NOT_FOUND,
        "session '"
            + sessionId
            + "' does not exist; start it first with sessions().start(\""
            + Checks.printable(sessionId)
            + "\")");
  }

  static Optional<Session> find(Handle h, String sessionId) throws SQLException {
    PreparedStatement ps = h.prepare(SELECT + " WHERE session_id = ?");
    ps.setString(1, sessionId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.session(rs)) : Optional.empty();
    }
  }

  @Override
  public Optional<Session> get(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read("sessions.get", h -> find(h, sessionId));
  }

  @Override
  public List<Session> open(int limit) {
    Checks.limit(limit);
    return db.read(
        "sessions.open",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  SELECT + " WHERE status = 'active' ORDER BY started_at DESC, session_id LIMIT ?");
          ps.setInt(1, limit);
          return Rows.sessions(ps);
        });
  }

  @Override
  public List<Session> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "sessions.recent",
        h -> {
          PreparedStatement ps =
              h.prepare(SELECT + " WHERE started_at <= ? ORDER BY started_at DESC LIMIT ?");
          ps.setLong(1, Long.MAX_VALUE);
          ps.setInt(2, limit);
          return Rows.sessions(ps);
        });
  }

  @Override
  public long count() {
    return db.read("sessions.count", h -> h.queryLong("SELECT count(*) FROM sessions"));
  }

  @Override
  public SessionMemory memory(String sessionId) {
    Checks.id("sessionId", sessionId);
    return new SqliteSessionMemory(db, sessionId);
  }

  @Override
  public Optional<MemoryEntry> newest(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.read(
        "memory.newest",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  SqliteSessionMemory.SELECT
                      + " WHERE memory_type = ? AND key = ?"
                      + SqliteSessionMemory.UNEXPIRED
                      + " ORDER BY updated_at DESC LIMIT 1");
          ps.setString(1, memoryType);
          ps.setString(2, key);
          ps.setLong(3, h.now());
          List<MemoryEntry> rows = SqliteSessionMemory.list(ps);
          return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        });
  }
}
