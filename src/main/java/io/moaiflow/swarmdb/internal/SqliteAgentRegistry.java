package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.AgentStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The agent registry on SQLite. Thread safe. */
public final class SqliteAgentRegistry implements AgentRegistry {
  private static final String COLUMNS =
      "agent_id, agent_type, status, session_id, spawned_at, completed_at, duration_ms,"
          + " updated_at, metadata";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM agents";
  private static final String LIVE = "status IN ('spawned', 'running')";

  private final SqliteDatabase db;

  /**
   * The registry of an open database.
   *
   * @param db the database
   */
  public SqliteAgentRegistry(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public Agent register(
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata) {
    Checks.id("agentId", agentId);
    Checks.type("agentType", agentType);
    if (sessionId != null) {
      Checks.id("sessionId", sessionId);
    }
    Map<String, @Nullable Object> given = Checks.metadata(metadata);
    String json = Json.writeMetadata(given);
    Map<String, @Nullable Object> meta = Json.asStored(given, json);
    return db.write(
        "agents.register",
        h -> {
          PreparedStatement ps =
              h.prepare(
                  "INSERT INTO agents (agent_id, agent_type, status, session_id, spawned_at,"
                      + " updated_at, metadata) VALUES (?, ?, 'spawned', ?, ?, ?, ?)"
                      + " ON CONFLICT (agent_id) DO NOTHING");
          ps.setString(1, agentId);
          ps.setString(2, agentType);
          SqliteEventStore.setNullable(ps, 3, sessionId);
          ps.setLong(4, h.now());
          ps.setLong(5, h.now());
          ps.setString(6, json);
          if (ps.executeUpdate() == 0) {
            Agent existing = find(h, agentId).orElseThrow();
            throw Checks.invalid(
                "agent '"
                    + agentId
                    + "' is already registered (status "
                    + existing.status().dbName()
                    + ", type "
                    + existing.agentType()
                    + "); register a new id or transition the existing agent");
          }
          Instant now = Instant.ofEpochMilli(h.now());
          return new Agent(
              agentId, agentType, AgentStatus.SPAWNED, sessionId, now, null, null, now, meta);
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
    Map<String, @Nullable Object> update = Checks.metadata(metadataUpdate);
    Json.writeMetadata(update); // reject unserialisable values before queuing
    return db.write("agents.transition", h -> update(h, agentId, target, update));
  }

  @Override
  public Agent heartbeat(String agentId) {
    Checks.id("agentId", agentId);
    return db.write("agents.heartbeat", h -> update(h, agentId, null, Map.of()));
  }

  private static Agent update(
      Handle h, String agentId, @Nullable AgentStatus target, Map<String, @Nullable Object> patch)
      throws SQLException {
    Agent current = find(h, agentId).orElseThrow(() -> AgentTransitions.notFound(agentId));
    Agent next = AgentTransitions.apply(current, target, patch, h.now());
    String json = Json.writeMetadata(next.metadata());
    PreparedStatement ps =
        h.prepare(
            "UPDATE agents SET status = ?, updated_at = ?, completed_at = ?, duration_ms = ?,"
                + " metadata = ? WHERE agent_id = ?");
    ps.setString(1, next.status().dbName());
    ps.setLong(2, next.updatedAt().toEpochMilli());
    Instant completed = next.completedAt();
    setLong(ps, 3, completed == null ? null : completed.toEpochMilli());
    setLong(ps, 4, next.durationMs());
    ps.setString(5, json);
    ps.setString(6, agentId);
    ps.executeUpdate();
    return AgentTransitions.asStored(next, json);
  }

  private static void setLong(PreparedStatement ps, int i, @Nullable Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setLong(i, v);
    }
  }

  private static Optional<Agent> find(Handle h, String agentId) throws SQLException {
    PreparedStatement ps = h.prepare(SELECT + " WHERE agent_id = ?");
    ps.setString(1, agentId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.agent(rs)) : Optional.empty();
    }
  }

  @Override
  public Optional<Agent> get(String agentId) {
    Checks.id("agentId", agentId);
    return db.read("agents.get", h -> find(h, agentId));
  }

  @Override
  public List<Agent> active() {
    return db.read(
        "agents.active",
        h -> Rows.agents(h.prepare(SELECT + " WHERE " + LIVE + " ORDER BY updated_at, agent_id")));
  }

  @Override
  public List<Agent> byType(String agentType) {
    Checks.type("agentType", agentType);
    return db.read(
        "agents.byType",
        h -> {
          PreparedStatement ps = h.prepare(SELECT + " WHERE agent_type = ? ORDER BY agent_id");
          ps.setString(1, agentType);
          return Rows.agents(ps);
        });
  }

  @Override
  public List<Agent> byType(String agentType, AgentStatus status) {
    Checks.type("agentType", agentType);
    if (status == null) {
      throw Checks.invalid("status is null; pass an AgentStatus");
    }
    return db.read(
        "agents.byType",
        h -> {
          PreparedStatement ps =
              h.prepare(SELECT + " WHERE agent_type = ? AND status = ? ORDER BY agent_id");
          ps.setString(1, agentType);
          ps.setString(2, status.dbName());
          return Rows.agents(ps);
        });
  }

  @Override
  public List<Agent> bySession(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read(
        "agents.bySession",
        h -> {
          PreparedStatement ps = h.prepare(SELECT + " WHERE session_id = ? ORDER BY agent_id");
          ps.setString(1, sessionId);
          return Rows.agents(ps);
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
          return java.util.Collections.unmodifiableMap(out);
        });
  }

  @Override
  public List<String> sweepStale(Duration silence) {
    long ms = Checks.positiveMillis("silence", silence);
    return db.write(
        "agents.sweepStale",
        h -> {
          long now = h.now();
          PreparedStatement ps =
              h.prepare(
                  "UPDATE agents SET status = 'error', completed_at = ?1,"
                      + " duration_ms = max(0, ?1 - spawned_at), updated_at = ?1,"
                      + " metadata = json_set(metadata, '$.stale', json('true'))"
                      + " WHERE "
                      + LIVE
                      + " AND updated_at < ?2 RETURNING agent_id");
          ps.setLong(1, now);
          ps.setLong(2, now - ms);
          List<String> ids = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
          }
          ids.sort(null);
          return List.copyOf(ids);
        });
  }
}
