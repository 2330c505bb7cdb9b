package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.internal.AgentTransitions;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Json;
import io.moaiflow.swarmdb.internal.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The agent registry on PostgreSQL. A transition reads the agent with {@code SELECT ... FOR UPDATE}
 * and writes it in the same transaction, so concurrent transitions of one agent from any host are
 * ordered by the row lock and cannot both win. Thread safe.
 */
final class PgAgentRegistry implements AgentRegistry {
  private static final String COLUMNS =
      "agent_id, agent_type, status, session_id, spawned_at, completed_at, duration_ms,"
          + " updated_at, metadata::text";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM agents";
  private static final String LIVE = "status IN ('spawned', 'running')";

  private final PgDatabase db;

  PgAgentRegistry(PgDatabase db) {
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
    Map<String, @Nullable Object> meta = Checks.metadata(metadata);
    String json = Json.writeMetadata(meta);
    return db.write(
        "agents.register",
        c -> {
          long now = db.time().now();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO agents (agent_id, agent_type, status, session_id, spawned_at,"
                      + " updated_at, metadata) VALUES (?, ?, 'spawned', ?, ?, ?, ?::jsonb)"
                      + " ON CONFLICT (agent_id) DO NOTHING")) {
            ps.setString(1, agentId);
            ps.setString(2, agentType);
            PgEventStore.setNullable(ps, 3, sessionId);
            ps.setLong(4, now);
            ps.setLong(5, now);
            ps.setString(6, json);
            if (ps.executeUpdate() == 0) {
              Agent existing = find(c, agentId, false).orElseThrow();
              throw Checks.invalid(
                  "agent '"
                      + agentId
                      + "' is already registered (status "
                      + existing.status().dbName()
                      + ", type "
                      + existing.agentType()
                      + "); register a new id or transition the existing agent");
            }
          }
          Instant at = Instant.ofEpochMilli(now);
          return new Agent(
              agentId, agentType, AgentStatus.SPAWNED, sessionId, at, null, null, at, meta);
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
    Json.writeMetadata(update); // reject unserialisable values before borrowing a connection
    return db.write("agents.transition", c -> update(c, agentId, target, update));
  }

  @Override
  public Agent heartbeat(String agentId) {
    Checks.id("agentId", agentId);
    return db.write("agents.heartbeat", c -> update(c, agentId, null, Map.of()));
  }

  private Agent update(
      Connection c,
      String agentId,
      @Nullable AgentStatus target,
      Map<String, @Nullable Object> patch)
      throws SQLException {
    Agent current = find(c, agentId, true).orElseThrow(() -> AgentTransitions.notFound(agentId));
    Agent next = AgentTransitions.apply(current, target, patch, db.time().now());
    String json = Json.writeMetadata(next.metadata());
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE agents SET status = ?, updated_at = ?, completed_at = ?, duration_ms = ?,"
                + " metadata = ?::jsonb WHERE agent_id = ?")) {
      ps.setString(1, next.status().dbName());
      ps.setLong(2, next.updatedAt().toEpochMilli());
      Instant completed = next.completedAt();
      setLong(ps, 3, completed == null ? null : completed.toEpochMilli());
      setLong(ps, 4, next.durationMs());
      ps.setString(5, json);
      ps.setString(6, agentId);
      ps.executeUpdate();
    }
    return AgentTransitions.asStored(next, json);
  }

  private static void setLong(PreparedStatement ps, int i, @Nullable Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static Optional<Agent> find(Connection c, String agentId, boolean forUpdate)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(SELECT + " WHERE agent_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      ps.setString(1, agentId);
      List<Agent> rows = Rows.agents(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  @Override
  public Optional<Agent> get(String agentId) {
    Checks.id("agentId", agentId);
    return db.read("agents.get", c -> find(c, agentId, false));
  }

  @Override
  public List<Agent> active() {
    return db.read(
        "agents.active",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE " + LIVE + " ORDER BY updated_at, agent_id")) {
            return Rows.agents(ps);
          }
        });
  }

  @Override
  public List<Agent> byType(String agentType) {
    Checks.type("agentType", agentType);
    return db.read(
        "agents.byType",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE agent_type = ? ORDER BY agent_id")) {
            ps.setString(1, agentType);
            return Rows.agents(ps);
          }
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
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  SELECT + " WHERE agent_type = ? AND status = ? ORDER BY agent_id")) {
            ps.setString(1, agentType);
            ps.setString(2, status.dbName());
            return Rows.agents(ps);
          }
        });
  }

  @Override
  public List<Agent> bySession(String sessionId) {
    Checks.id("sessionId", sessionId);
    return db.read(
        "agents.bySession",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE session_id = ? ORDER BY agent_id")) {
            ps.setString(1, sessionId);
            return Rows.agents(ps);
          }
        });
  }

  @Override
  public Map<AgentStatus, Long> countByStatus() {
    return db.read(
        "agents.countByStatus",
        c -> {
          Map<AgentStatus, Long> out = new EnumMap<>(AgentStatus.class);
          for (AgentStatus s : AgentStatus.values()) {
            out.put(s, 0L);
          }
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery("SELECT status, count(*) FROM agents GROUP BY status")) {
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
        c -> {
          long now = db.time().now();
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE agents SET status = 'error', completed_at = ?,"
                      + " duration_ms = greatest(0, ? - spawned_at), updated_at = ?,"
                      + " metadata = metadata || '{\"stale\": true}'::jsonb"
                      + " WHERE "
                      + LIVE
                      + " AND updated_at < ? RETURNING agent_id")) {
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setLong(3, now);
            ps.setLong(4, now - ms);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          ids.sort(null);
          return List.copyOf(ids);
        });
  }
}
