package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionStatus;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Row mapping shared by both backends. Each method expects the columns in the order of its
 * backend's select list (events: seq, event_id, event_type, agent_id, agent_type, session_id, ts,
 * metadata; agents: agent_id, agent_type, status, session_id, spawned_at, completed_at,
 * duration_ms, updated_at, metadata; sessions: session_id, status, started_at, ended_at, metadata),
 * with metadata as JSON text. Stateless and thread safe.
 */
public final class Rows {
  private Rows() {}

  /** Maps one row of a result set. */
  @FunctionalInterface
  private interface Mapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /**
   * Binds a string parameter that may be SQL NULL.
   *
   * @param v the value, or null
   */
  public static void setNullable(PreparedStatement ps, int i, @Nullable String v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  /**
   * The first row of a result list.
   *
   * @return the first, or empty
   */
  public static <T> Optional<T> first(List<T> rows) {
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Every row's first column as text. */
  public static List<String> strings(PreparedStatement ps) throws SQLException {
    return all(ps, rs -> rs.getString(1));
  }

  private static <T> List<T> all(PreparedStatement ps, Mapper<T> mapper) throws SQLException {
    List<T> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
    }
    return out;
  }

  /** One event row. */
  public static AgentEvent event(ResultSet rs) throws SQLException {
    long seq = rs.getLong(1);
    Map<String, @Nullable Object> metadata =
        Json.readMetadata(() -> eventRow(seq), rs.getString(8));
    try {
      return new AgentEvent(
          seq,
          rs.getString(2),
          rs.getString(3),
          rs.getString(4),
          rs.getString(5),
          rs.getString(6),
          Instant.ofEpochMilli(rs.getLong(7)),
          metadata);
    } catch (SwarmDbException e) {
      throw damaged(eventRow(seq), e);
    }
  }

  /**
   * A stored row that no write would have produced (a field fails the checks every write makes):
   * damage, so {@link ErrorCode#CORRUPT}, never the caller's {@link ErrorCode#INVALID_ARGUMENT}.
   */
  private static SwarmDbException damaged(String row, SwarmDbException e) {
    if (e.code() != ErrorCode.INVALID_ARGUMENT) {
      return e;
    }
    return new SwarmDbException(
        ErrorCode.CORRUPT,
        row
            + ": a stored field is damaged ("
            + e.getMessage()
            + "). 'swarmdb verify --full' checks every JSON column, 'swarmdb export --skip-corrupt'"
            + " saves the readable events, 'swarmdb restore' brings back a backup",
        e);
  }

  /**
   * How messages name an event row.
   *
   * @return for example {@code agent_events row seq 3}
   */
  public static String eventRow(long seq) {
    return "agent_events row seq " + seq;
  }

  public static String agentRow(@Nullable String agentId) {
    return "agents row agent_id '" + Checks.printable(String.valueOf(agentId)) + "'";
  }

  public static String sessionRow(@Nullable String sessionId) {
    return "sessions row session_id '" + Checks.printable(String.valueOf(sessionId)) + "'";
  }

  /**
   * How messages name a memory row.
   *
   * @return for example {@code session_memory row session 's1' type 'semantic' key 'k'}
   */
  public static String memoryRow(String sessionId, String memoryType, String key) {
    return "session_memory row session '"
        + Checks.printable(sessionId)
        + "' type '"
        + memoryType
        + "' key '"
        + Checks.printable(key)
        + "'";
  }

  /** Every event row of a query. */
  public static List<AgentEvent> events(PreparedStatement ps) throws SQLException {
    return all(ps, Rows::event);
  }

  /** One agent row. */
  public static Agent agent(ResultSet rs) throws SQLException {
    String agentId = rs.getString(1);
    Map<String, @Nullable Object> metadata =
        Json.readMetadata(() -> agentRow(agentId), rs.getString(9));
    long completed = rs.getLong(6);
    boolean hasCompleted = !rs.wasNull();
    long duration = rs.getLong(7);
    boolean hasDuration = !rs.wasNull();
    try {
      return new Agent(
          agentId,
          rs.getString(2),
          AgentStatus.parse(rs.getString(3)),
          rs.getString(4),
          Instant.ofEpochMilli(rs.getLong(5)),
          hasCompleted ? Instant.ofEpochMilli(completed) : null,
          hasDuration ? duration : null,
          Instant.ofEpochMilli(rs.getLong(8)),
          metadata);
    } catch (SwarmDbException e) {
      throw damaged(agentRow(agentId), e);
    }
  }

  /** Every agent row of a query. */
  public static List<Agent> agents(PreparedStatement ps) throws SQLException {
    return all(ps, Rows::agent);
  }

  /** One session row. */
  public static Session session(ResultSet rs) throws SQLException {
    String sessionId = rs.getString(1);
    Map<String, @Nullable Object> metadata =
        Json.readMetadata(() -> sessionRow(sessionId), rs.getString(5));
    long ended = rs.getLong(4);
    boolean hasEnded = !rs.wasNull();
    try {
      return new Session(
          sessionId,
          "active".equals(rs.getString(2)) ? SessionStatus.ACTIVE : SessionStatus.ENDED,
          Instant.ofEpochMilli(rs.getLong(3)),
          hasEnded ? Instant.ofEpochMilli(ended) : null,
          metadata);
    } catch (SwarmDbException e) {
      throw damaged(sessionRow(sessionId), e);
    }
  }

  /** Every session row of a query. */
  public static List<Session> sessions(PreparedStatement ps) throws SQLException {
    return all(ps, Rows::session);
  }
}
