package io.moaiflow.swarmdb.internal;

import static java.util.stream.Collectors.joining;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.CreateResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The agent registry on either backend. A transition reads the agent and writes it in one
 * transaction; on PostgreSQL the read is {@code SELECT ... FOR UPDATE}, so concurrent transitions
 * of one agent from any host are ordered by the row lock and cannot both win (SQLite's single
 * writer orders them anyway). Thread safe.
 */
public final class SqlAgentRegistry implements AgentRegistry {
  private static final String LIVE = "status IN ('spawned', 'running')";

  private final Backend db;
  private final String selectById;
  private final String selectByIdForUpdate;
  private final String selectLive;
  private final String selectByType;
  private final String selectByTypeAndStatus;
  private final String selectBySession;
  private final String selectPage;
  private final String selectPageByStatus;
  private final String selectPageBySession;
  private final String selectPageBySessionAndStatus;
  private final String insert;
  private final String sessionExists;
  private final String update;
  private final String sweep;

  public SqlAgentRegistry(Backend db) {
    this.db = db;
    Dialect d = db.dialect();
    String select =
        "SELECT agent_id, agent_type, status, session_id, spawned_at, completed_at, duration_ms,"
            + " updated_at, "
            + d.jsonColumn("metadata")
            + " FROM agents";
    this.selectById = select + " WHERE agent_id = ?";
    this.selectByIdForUpdate = selectById + d.forUpdate();
    this.selectLive = select + " WHERE " + LIVE + " ORDER BY updated_at, agent_id";
    this.selectByType = select + " WHERE agent_type = ? ORDER BY agent_id";
    this.selectByTypeAndStatus = select + " WHERE agent_type = ? AND status = ? ORDER BY agent_id";
    this.selectBySession = select + " WHERE session_id = ? ORDER BY agent_id";
    // the first page passes "" as the cursor: every id sorts after it, and the primary key is
    // searched, not scanned
    String page = " agent_id > ? ORDER BY agent_id LIMIT ?";
    this.selectPage = select + " WHERE" + page;
    this.selectPageByStatus = select + " WHERE status = ? AND" + page;
    this.selectPageBySession = select + " WHERE session_id = ? AND" + page;
    this.selectPageBySessionAndStatus = select + " WHERE session_id = ? AND status = ? AND" + page;
    this.sessionExists = SqlSessionStore.sessionExists(d);
    this.insert =
        "INSERT INTO agents (agent_id, agent_type, status, session_id, spawned_at, updated_at,"
            + " metadata) VALUES (?, ?, 'spawned', ?, ?, ?, "
            + d.jsonParameter()
            + ") ON CONFLICT (agent_id) DO NOTHING";
    this.update =
        "UPDATE agents SET status = ?, updated_at = ?, completed_at = ?, duration_ms = ?,"
            + " metadata = "
            + d.jsonParameter()
            + " WHERE agent_id = ?";
    this.sweep =
        "UPDATE agents SET status = 'error', completed_at = ?, duration_ms = "
            + d.greatest()
            + "(0, ? - spawned_at), updated_at = ?, metadata = "
            + d.markedStale()
            + " WHERE "
            + LIVE
            + " AND updated_at < ? RETURNING agent_id";
  }

  @Override
  public Agent register(
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata) {
    CreateResult<Agent> r = create("agents.register", agentId, agentType, sessionId, metadata);
    if (!r.created()) {
      Agent existing = r.value();
      throw new SwarmDbException(
          ErrorCode.ALREADY_EXISTS,
          "agent '"
              + agentId
              + "' is already registered (status "
              + existing.status().dbName()
              + ", type "
              + existing.agentType()
              + "); register a new id, transition the existing agent, or use registerIfAbsent");
    }
    return r.value();
  }

  @Override
  public CreateResult<Agent> registerIfAbsent(
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata) {
    return create("agents.registerIfAbsent", agentId, agentType, sessionId, metadata);
  }

  /** Inserts the agent, or reads the one registered, in one transaction. */
  private CreateResult<Agent> create(
      String op,
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata) {
    Checks.id("agentId", agentId);
    Checks.type("agentType", agentType);
    if (sessionId != null) {
      Checks.id("sessionId", sessionId);
    }
    StoredMetadata meta = StoredMetadata.of(db.json(), metadata);
    return db.write(
        op,
        h -> {
          if (sessionId != null) { // an agent's session is a session it belongs to: it must exist
            SqlSessionStore.requireSession(h, sessionExists, sessionId);
          }
          PreparedStatement ps = h.prepare(insert);
          ps.setString(1, agentId);
          ps.setString(2, agentType);
          Rows.setNullable(ps, 3, sessionId);
          ps.setLong(4, h.now());
          ps.setLong(5, h.now());
          ps.setString(6, meta.json());
          while (ps.executeUpdate() == 0) {
            // ON CONFLICT waited for the other writer's commit: its row is visible now, unless
            // an erase deleted it since, and then the insert is tried again
            Optional<Agent> existing = find(h, agentId, false);
            if (existing.isPresent()) {
              return new CreateResult<>(existing.get(), false);
            }
          }
          Instant now = Instant.ofEpochMilli(h.now());
          return new CreateResult<>(
              new Agent(
                  agentId,
                  agentType,
                  AgentStatus.SPAWNED,
                  sessionId,
                  now,
                  null,
                  null,
                  now,
                  meta.stored()),
              true);
        });
  }

  @Override
  public Agent transition(String agentId, AgentStatus target) {
    return transition(agentId, target, Map.of());
  }

  @Override
  public Agent transition(
      String agentId, AgentStatus target, Map<String, ? extends @Nullable Object> metadataUpdate) {
    Checks.id("agentId", agentId);
    if (target == null) {
      throw Checks.invalid("target status is null; pass an AgentStatus");
    }
    Map<String, @Nullable Object> patch = Checks.metadata(metadataUpdate);
    Json.writeMetadata(db.json(), patch); // reject unserialisable values before any work is queued
    return db.write("agents.transition", h -> update(h, agentId, null, target, patch));
  }

  @Override
  public Agent transition(String agentId, AgentStatus expected, AgentStatus target) {
    Checks.id("agentId", agentId);
    if (expected == null || target == null) {
      throw Checks.invalid("expected or target status is null; pass AgentStatus values");
    }
    return db.write("agents.transition", h -> update(h, agentId, expected, target, Map.of()));
  }

  @Override
  public Agent heartbeat(String agentId) {
    Checks.id("agentId", agentId);
    return db.write("agents.heartbeat", h -> update(h, agentId, null, null, Map.of()));
  }

  /**
   * A transition, or with a null target a heartbeat: the state-machine check, the metadata merge (a
   * null value removes the key) and the end-state bookkeeping (completedAt, duration), written in
   * the caller's transaction. The time of the change is never earlier than the last update.
   *
   * @param expected the state the agent must be in, or null for any
   */
  private Agent update(
      Handle h,
      String agentId,
      @Nullable AgentStatus expected,
      @Nullable AgentStatus target,
      Map<String, @Nullable Object> patch)
      throws SQLException {
    Agent current = find(h, agentId, true).orElseThrow(() -> notFound(agentId));
    AgentStatus from = current.status();
    if (expected != null && from != expected) {
      throw new SwarmDbException(
          ErrorCode.CONFLICT,
          "agent '"
              + current.agentId()
              + "' is "
              + from.dbName()
              + ", expected "
              + expected.dbName()
              + "; another caller moved it first. Nothing was written: read the agent again"
              + " and decide from its current state");
    }
    if (target == null && from.isFinal()) {
      throw new SwarmDbException(
          ErrorCode.ILLEGAL_TRANSITION,
          "agent '"
              + current.agentId()
              + "' already ended ("
              + from.dbName()
              + "); a heartbeat needs a spawned or running agent");
    }
    if (target != null && !from.canMoveTo(target)) {
      throw new SwarmDbException(
          ErrorCode.ILLEGAL_TRANSITION,
          "agent '"
              + current.agentId()
              + "' cannot move from "
              + from.dbName()
              + " to "
              + target.dbName()
              + "; allowed from "
              + from.dbName()
              + ": "
              + (from.isFinal()
                  ? "nothing (final state)"
                  : from.next().stream().map(AgentStatus::dbName).collect(joining(", "))));
    }
    AgentStatus next = target == null ? from : target;
    long now = Math.max(h.now(), current.updatedAt().toEpochMilli());
    Map<String, @Nullable Object> merged = new LinkedHashMap<>(current.metadata());
    for (Map.Entry<String, @Nullable Object> e : patch.entrySet()) {
      if (e.getValue() == null) {
        merged.remove(e.getKey());
      } else {
        merged.put(e.getKey(), e.getValue());
      }
    }
    StoredMetadata meta = StoredMetadata.of(db.json(), merged);
    Long completed = next.isFinal() ? now : null;
    Long duration =
        completed == null ? null : Math.max(0, now - current.spawnedAt().toEpochMilli());
    PreparedStatement ps = h.prepare(update);
    ps.setString(1, next.dbName());
    ps.setLong(2, now);
    Rows.setNullable(ps, 3, completed);
    Rows.setNullable(ps, 4, duration);
    ps.setString(5, meta.json());
    ps.setString(6, agentId);
    ps.executeUpdate();
    return new Agent(
        agentId,
        current.agentType(),
        next,
        current.sessionId(),
        current.spawnedAt(),
        completed == null ? null : Instant.ofEpochMilli(completed),
        duration,
        Instant.ofEpochMilli(now),
        meta.stored());
  }

  private static SwarmDbException notFound(String agentId) {
    return new SwarmDbException(
        ErrorCode.NOT_FOUND,
        "agent '" + agentId + "' is not registered; register it first with agents().register()");
  }

  private Optional<Agent> find(Handle h, String agentId, boolean forUpdate) throws SQLException {
    return Rows.first(
        Rows.all(h.prepare(forUpdate ? selectByIdForUpdate : selectById, agentId), Rows::agent));
  }

  @Override
  public Optional<Agent> get(String agentId) {
    Checks.id("agentId", agentId);
    return db.read("agents.get", h -> find(h, agentId, false));
  }

  @Override
  public List<Agent> active() {
    return db.read("agents.active", h -> Rows.all(h.prepare(selectLive), Rows::agent));
  }

  @Override
  public List<Agent> byType(String agentType) {
    Checks.type("agentType", agentType);
    return db.read("agents.byType", h -> Rows.all(h.prepare(selectByType, agentType), Rows::agent));
  }

  @Override
  public List<Agent> byType(String agentType, AgentStatus status) {
    Checks.type("agentType", agentType);
    if (status == null) {
      throw Checks.invalid("status is null; pass an AgentStatus");
    }
    return db.read(
        "agents.byType",
        h -> Rows.all(h.prepare(selectByTypeAndStatus, agentType, status.dbName()), Rows::agent));
  }

  @Override
  public List<Agent> bySession(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read(
        "agents.bySession", h -> Rows.all(h.prepare(selectBySession, sessionId), Rows::agent));
  }

  @Override
  public List<Agent> page(
      @Nullable AgentStatus status,
      @Nullable String sessionId,
      @Nullable String afterAgentId,
      int limit) {
    Checks.limit(limit);
    if (sessionId != null) {
      Checks.id("sessionId", sessionId);
    }
    String after = afterAgentId == null ? "" : Checks.id("afterAgentId", afterAgentId);
    return db.read(
        "agents.page",
        h -> {
          PreparedStatement ps;
          if (sessionId != null && status != null) {
            ps = h.prepare(selectPageBySessionAndStatus, sessionId, status.dbName(), after, limit);
          } else if (sessionId != null) {
            ps = h.prepare(selectPageBySession, sessionId, after, limit);
          } else if (status != null) {
            ps = h.prepare(selectPageByStatus, status.dbName(), after, limit);
          } else {
            ps = h.prepare(selectPage, after, limit);
          }
          return Rows.all(ps, Rows::agent);
        });
  }

  @Override
  public Map<AgentStatus, Long> countByStatus() {
    return db.read(
        "agents.countByStatus",
        h -> {
          Map<AgentStatus, Long> out = new EnumMap<>(AgentStatus.class);
          for (AgentStatus s : AgentStatus.values()) {
            out.put(s, 0L);
          }
          try (ResultSet rs =
              h.prepare("SELECT status, count(*) FROM agents GROUP BY status").executeQuery()) {
            while (rs.next()) {
              out.put(AgentStatus.parse(rs.getString(1)), rs.getLong(2));
            }
          }
          return Collections.unmodifiableMap(out);
        });
  }

  @Override
  public List<String> sweepStale(Duration silence) {
    long ms = Checks.positiveMillis("silence", silence);
    return db.write(
        "agents.sweepStale",
        h -> {
          long now = h.now();
          List<String> ids = Rows.strings(h.prepare(sweep, now, now, now, now - ms));
          ids.sort(null);
          return List.copyOf(ids);
        });
  }
}
