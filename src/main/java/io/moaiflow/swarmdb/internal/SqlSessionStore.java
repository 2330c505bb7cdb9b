package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.CreateResult;
import io.moaiflow.swarmdb.EraseResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Sessions on either backend. Ending a session reads and updates it in one transaction, with the
 * row locked on PostgreSQL. Thread safe.
 */
public final class SqlSessionStore implements SessionStore {
  private final Backend db;
  private final String byId;
  private final String byIdForUpdate;
  private final String insert;
  private final String openSessions;
  private final String recentSessions;
  private final String page;
  private final String openPage;
  static final String AGENTS_OF_SESSION = "SELECT agent_id FROM agents WHERE session_id = ?";
  static final String DELETE_AGENTS = "DELETE FROM agents WHERE session_id = ?";
  static final String DELETE_SESSION_EVENTS = "DELETE FROM agent_events WHERE session_id = ?";
  static final String DELETE_AGENT_EVENTS = "DELETE FROM agent_events WHERE agent_id = ?";
  static final String DELETE_SESSION = "DELETE FROM sessions WHERE session_id = ?";
  private final SqlMemory.Statements memory;
  private final SqlMemory.Statements scoped;

  public SqlSessionStore(Backend db) {
    this.db = db;
    Dialect d = db.dialect();
    String select =
        "SELECT session_id, status, started_at, ended_at, "
            + d.jsonColumn("metadata")
            + " FROM sessions";
    this.byId = select + " WHERE session_id = ?";
    this.byIdForUpdate = byId + d.forUpdate();
    this.openSessions =
        select + " WHERE status = 'active' ORDER BY started_at DESC, session_id LIMIT ?";
    this.recentSessions = select + " WHERE started_at <= ? ORDER BY started_at DESC LIMIT ?";
    // keyset: after (started_at, session_id) of the cursor in the order started_at DESC,
    // session_id; the first page passes Long.MAX_VALUE and "" (the index is searched, not scanned)
    String keyset =
        " started_at <= ? AND (started_at < ? OR session_id > ?)"
            + " ORDER BY started_at DESC, session_id LIMIT ?";
    this.page = select + " WHERE" + keyset;
    this.openPage = select + " WHERE status = 'active' AND" + keyset;
    this.memory = new SqlMemory.Statements(d, SqlMemory.Table.SESSION);
    this.scoped = new SqlMemory.Statements(d, SqlMemory.Table.SCOPED);
    this.insert =
        "INSERT INTO sessions (session_id, status, started_at, metadata) VALUES (?, 'active', ?, "
            + d.jsonParameter()
            + ") ON CONFLICT (session_id) DO NOTHING";
  }

  @Override
  public Session start(String sessionId, Map<String, ? extends @Nullable Object> metadata) {
    CreateResult<Session> r = create("sessions.start", sessionId, metadata);
    if (!r.created()) {
      throw new SwarmDbException(
          ErrorCode.ALREADY_EXISTS,
          "session '"
              + sessionId
              + "' already exists (started at "
              + r.value().startedAt()
              + ", "
              + r.value().status().name().toLowerCase(Locale.ROOT)
              + "); start a session with a new id, or use startIfAbsent");
    }
    return r.value();
  }

  @Override
  public CreateResult<Session> startIfAbsent(
      String sessionId, Map<String, ? extends @Nullable Object> metadata) {
    return create("sessions.startIfAbsent", sessionId, metadata);
  }

  /** Inserts the session, or reads the one that exists, in one transaction. */
  private CreateResult<Session> create(
      String op, String sessionId, Map<String, ? extends @Nullable Object> metadata) {
    Checks.id("sessionId", sessionId);
    StoredMetadata meta = StoredMetadata.of(db.json(), metadata);
    return db.write(
        op,
        h -> {
          while (h.prepare(insert, sessionId, h.now(), meta.json()).executeUpdate() == 0) {
            // ON CONFLICT waited for the other writer's commit: its row is visible now, unless
            // an erase deleted it since, and then the insert is tried again
            Optional<Session> existing = find(h, byId, sessionId);
            if (existing.isPresent()) {
              return new CreateResult<>(existing.get(), false);
            }
          }
          return new CreateResult<>(
              new Session(
                  sessionId,
                  SessionStatus.ACTIVE,
                  Instant.ofEpochMilli(h.now()),
                  null,
                  meta.stored()),
              true);
        });
  }

  @Override
  public Session end(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.write(
        "sessions.end",
        h -> {
          Session s = find(h, byIdForUpdate, sessionId).orElseThrow(() -> notFound(sessionId));
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

  @Override
  public EraseResult erase(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.write(
        "sessions.erase",
        h -> {
          // the row lock keeps memory writes and registrations of the session (which read it
          // FOR KEY SHARE on PostgreSQL) waiting until the erase commits, and then NOT_FOUND
          if (find(h, byIdForUpdate, sessionId).isEmpty()) {
            throw notFound(sessionId);
          }
          List<String> agentIds = Rows.strings(h.prepare(AGENTS_OF_SESSION, sessionId));
          long events = h.prepare(DELETE_SESSION_EVENTS, sessionId).executeUpdate();
          long agentMemory = 0;
          for (String agentId : agentIds) {
            events += h.prepare(DELETE_AGENT_EVENTS, agentId).executeUpdate();
            agentMemory += h.prepare(scoped.clear, Scope.agent(agentId).toString()).executeUpdate();
          }
          long agents = h.prepare(DELETE_AGENTS, sessionId).executeUpdate();
          long entries = h.prepare(memory.clear, sessionId).executeUpdate();
          h.prepare(DELETE_SESSION, sessionId).executeUpdate();
          // and their past (schema v3), tombstones of the deletes above included
          for (String sql : History.ERASE_SESSION) {
            h.prepare(sql, sessionId).executeUpdate();
          }
          for (String agentId : agentIds) {
            for (String sql : History.ERASE_AGENT) {
              h.prepare(sql, agentId).executeUpdate();
            }
          }
          History.recordRemoval(h);
          return new EraseResult(sessionId, entries, agents, agentMemory, events);
        });
  }

  /**
   * {@return the statement finding a session that rows of it are written for; on PostgreSQL it
   * keeps the session from being erased until the writing transaction ends}
   */
  static String sessionExists(Dialect d) {
    return "SELECT 1 FROM sessions WHERE session_id = ?" + d.forKeyShare();
  }

  /** Fails with NOT_FOUND, in the caller's transaction, unless the session exists. */
  static void requireSession(Handle h, String statement, String sessionId) throws SQLException {
    try (ResultSet rs = h.prepare(statement, sessionId).executeQuery()) {
      if (!rs.next()) {
        throw notFound(sessionId);
      }
    }
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

  private static Optional<Session> find(Handle h, String sql, String sessionId)
      throws SQLException {
    return Rows.first(Rows.all(h.prepare(sql, sessionId), Rows::session));
  }

  @Override
  public Optional<Session> get(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read("sessions.get", h -> find(h, byId, sessionId));
  }

  @Override
  public List<Session> open(int limit) {
    Checks.limit(limit);
    return db.read("sessions.open", h -> Rows.all(h.prepare(openSessions, limit), Rows::session));
  }

  @Override
  public List<Session> recent(int limit) {
    Checks.limit(limit);
    return db.read(
        "sessions.recent",
        h -> Rows.all(h.prepare(recentSessions, Long.MAX_VALUE, limit), Rows::session));
  }

  @Override
  public List<Session> page(boolean activeOnly, @Nullable String afterSessionId, int limit) {
    Checks.limit(limit);
    if (afterSessionId != null) {
      Checks.id("afterSessionId", afterSessionId);
    }
    return db.read(
        "sessions.page",
        h -> {
          long startedAt = Long.MAX_VALUE;
          String after = "";
          if (afterSessionId != null) {
            Session cursor =
                find(h, byId, afterSessionId)
                    .orElseThrow(
                        () ->
                            new SwarmDbException(
                                ErrorCode.NOT_FOUND,
                                "the cursor session '"
                                    + Checks.printable(afterSessionId)
                                    + "' does not exist (deleted since the previous page?);"
                                    + " start again from the first page"));
            startedAt = cursor.startedAt().toEpochMilli();
            after = afterSessionId;
          }
          return Rows.all(
              h.prepare(activeOnly ? openPage : page, startedAt, startedAt, after, limit),
              Rows::session);
        });
  }

  @Override
  public long count() {
    return db.read("sessions.count", h -> h.queryLong("SELECT count(*) FROM sessions"));
  }

  @Override
  public SessionMemory memory(String sessionId) {
    Checks.id("sessionId", sessionId);
    return new SqlSessionMemory(db, memory, sessionId, null);
  }

  /**
   * The memory of a scope: a session's as {@link #memory(String)} gives it, any other scope's over
   * {@code scoped_memory} (no registry row needed).
   *
   * @param scope the scope
   * @return its memory (a cheap view; no database access until used)
   */
  public Memory memory(Scope scope) {
    return memory(scope, null);
  }

  /**
   * The memory of a scope whose writes record a writer: {@link #memory(Scope)} for an agent's
   * handle ({@code SwarmDB.actingAs}).
   *
   * @param scope the scope
   * @param writer the agent id every write and delete records as its writer, or null for none
   * @return its memory (a cheap view; no database access until used)
   */
  public Memory memory(Scope scope, @Nullable String writer) {
    Objects.requireNonNull(scope, "scope");
    if (scope.kind() == Scope.Kind.SESSION) {
      String id = Objects.requireNonNull(scope.id());
      Checks.id("sessionId", id);
      return new SqlSessionMemory(db, memory, id, writer);
    }
    return new SqlMemory(db, scoped, scope, writer);
  }

  @Override
  public Session fork(String sourceId, String newId, long asOfSeq) {
    Checks.id("sourceId", sourceId);
    Checks.id("newId", newId);
    return db.write("sessions.fork", h -> db.history().fork(h, sourceId, newId, asOfSeq, insert));
  }

  @Override
  public Optional<MemoryEntry> newest(String memoryType, String key) {
    return memory.lookup(db, "memory.newest", memoryType, key, null, true);
  }
}
