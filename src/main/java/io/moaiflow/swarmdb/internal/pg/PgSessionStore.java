package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SessionStatus;
import io.moaiflow.swarmdb.SessionStore;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Json;
import io.moaiflow.swarmdb.internal.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Sessions on PostgreSQL. Thread safe. */
final class PgSessionStore implements SessionStore {
  private static final String SELECT =
      "SELECT session_id, status, started_at, ended_at, metadata::text FROM sessions";

  private final PgDatabase db;

  PgSessionStore(PgDatabase db) {
    this.db = db;
  }

  @Override
  public Session start(String sessionId, Map<String, ? extends @Nullable Object> metadata) {
    Checks.id("sessionId", sessionId);
    Map<String, @Nullable Object> meta = Checks.metadata(metadata);
    String json = Json.writeMetadata(meta);
    return db.write(
        "sessions.start",
        c -> {
          long now = db.time().now();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO sessions (session_id, status, started_at, metadata)"
                      + " VALUES (?, 'active', ?, ?::jsonb) ON CONFLICT (session_id) DO NOTHING")) {
            ps.setString(1, sessionId);
            ps.setLong(2, now);
            ps.setString(3, json);
            if (ps.executeUpdate() == 0) {
              throw Checks.invalid(
                  "session '" + sessionId + "' already exists; start a session with a new id");
            }
          }
          return new Session(
              sessionId, SessionStatus.ACTIVE, Instant.ofEpochMilli(now), null, meta);
        });
  }

  @Override
  public Session end(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.write(
        "sessions.end",
        c -> {
          Session s = find(c, sessionId, true).orElseThrow(() -> notFound(sessionId));
          if (!s.isActive()) {
            throw new SwarmDbException(
                ErrorCode.ILLEGAL_TRANSITION,
                "session '" + sessionId + "' already ended at " + s.endedAt());
          }
          long now = Math.max(db.time().now(), s.startedAt().toEpochMilli());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE sessions SET status = 'ended', ended_at = ? WHERE session_id = ?")) {
            ps.setLong(1, now);
            ps.setString(2, sessionId);
            ps.executeUpdate();
          }
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

  static Optional<Session> find(Connection c, String sessionId, boolean forUpdate)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(SELECT + " WHERE session_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      ps.setString(1, sessionId);
      List<Session> rows = Rows.sessions(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  @Override
  public Optional<Session> get(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read("sessions.get", c -> find(c, sessionId, false));
  }

  @Override
  public List<Session> open(int limit) {
    Checks.limit(limit);
    return db.read(
        "sessions.open",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT
                      + " WHERE status = 'active' ORDER BY started_at DESC, session_id LIMIT ?")) {
            ps.setInt(1, limit);
            return Rows.sessions(ps);
          }
        });
  }

  @Override
  public List<Session> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "sessions.recent",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " ORDER BY started_at DESC LIMIT ?")) {
            ps.setInt(1, limit);
            return Rows.sessions(ps);
          }
        });
  }

  @Override
  public long count() {
    return db.read(
        "sessions.count", c -> PgEventStore.queryLong(c, "SELECT count(*) FROM sessions"));
  }

  @Override
  public SessionMemory memory(String sessionId) {
    Checks.id("sessionId", sessionId);
    return new PgSessionMemory(db, sessionId);
  }

  @Override
  public Optional<MemoryEntry> newest(String memoryType, String key) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return db.read(
        "memory.newest",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  PgSessionMemory.SELECT
                      + " WHERE memory_type = ? AND key = ?"
                      + PgSessionMemory.UNEXPIRED
                      + " ORDER BY updated_at DESC LIMIT 1")) {
            ps.setString(1, memoryType);
            ps.setString(2, key);
            ps.setLong(3, db.time().now());
            List<MemoryEntry> rows = PgSessionMemory.list(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
          }
        });
  }
}
