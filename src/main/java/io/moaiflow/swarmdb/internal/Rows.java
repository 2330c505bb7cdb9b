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
import java.util.function.Supplier;
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

  @FunctionalInterface
  interface Mapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  public static void setNullable(PreparedStatement ps, int i, @Nullable String v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  static void setNullable(PreparedStatement ps, int i, @Nullable Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  static @Nullable Long nullableLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  static @Nullable Instant nullableInstant(ResultSet rs, int i) throws SQLException {
    Long v = nullableLong(rs, i);
    return v == null ? null : Instant.ofEpochMilli(v);
  }

  static <T> Optional<T> first(List<T> rows) {
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  static List<String> strings(PreparedStatement ps) throws SQLException {
    return all(ps, rs -> rs.getString(1));
  }

  static <T> List<T> all(PreparedStatement ps, Mapper<T> mapper) throws SQLException {
    List<T> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
    }
    return out;
  }

  public static AgentEvent event(ResultSet rs) throws SQLException {
    long seq = rs.getLong(1);
    return undamaged(
        () -> eventRow(seq),
        rs.getString(8),
        metadata ->
            new AgentEvent(
                seq,
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Instant.ofEpochMilli(rs.getLong(7)),
                metadata));
  }

  public static List<AgentEvent> events(PreparedStatement ps) throws SQLException {
    return all(ps, Rows::event);
  }

  public static Agent agent(ResultSet rs) throws SQLException {
    String agentId = rs.getString(1);
    return agent(rs, () -> agentRow(agentId));
  }

  /** An agent from the columns of {@code agents} in table order, named in errors by {@code row}. */
  static Agent agent(ResultSet rs, Supplier<String> row) throws SQLException {
    String agentId = rs.getString(1);
    return undamaged(
        row,
        rs.getString(9),
        metadata ->
            new Agent(
                agentId,
                rs.getString(2),
                AgentStatus.parse(rs.getString(3)),
                rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)),
                nullableInstant(rs, 6),
                nullableLong(rs, 7),
                Instant.ofEpochMilli(rs.getLong(8)),
                metadata));
  }

  public static Session session(ResultSet rs) throws SQLException {
    String sessionId = rs.getString(1);
    return session(rs, () -> sessionRow(sessionId));
  }

  /** A session from the columns of {@code sessions} in order, named in errors by {@code row}. */
  static Session session(ResultSet rs, Supplier<String> row) throws SQLException {
    String sessionId = rs.getString(1);
    return undamaged(
        row,
        rs.getString(5),
        metadata ->
            new Session(
                sessionId,
                "active".equals(rs.getString(2)) ? SessionStatus.ACTIVE : SessionStatus.ENDED,
                Instant.ofEpochMilli(rs.getLong(3)),
                nullableInstant(rs, 4),
                metadata));
  }

  @FunctionalInterface
  private interface RowValue<T> {
    T build(Map<String, @Nullable Object> metadata) throws SQLException;
  }

  /**
   * A row built from its metadata column. A stored row that no write would have produced (its
   * metadata is not readable, or a field fails the checks every write makes) is damage, so {@link
   * ErrorCode#CORRUPT}, never the caller's {@link ErrorCode#INVALID_ARGUMENT}.
   */
  private static <T> T undamaged(
      Supplier<String> row, @Nullable String metadataJson, RowValue<T> value) throws SQLException {
    Map<String, @Nullable Object> metadata = Json.readMetadata(row, metadataJson);
    try {
      return value.build(metadata);
    } catch (SwarmDbException e) {
      if (e.code() != ErrorCode.INVALID_ARGUMENT) {
        throw e;
      }
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          row.get()
              + ": a stored field is damaged ("
              + e.getMessage()
              + "). 'swarmdb verify --full' checks every JSON column, 'swarmdb export"
              + " --skip-corrupt' saves the readable events, 'swarmdb restore' brings back a"
              + " backup",
          e);
    }
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
  public static String scopedMemoryRow(String scope, String memoryType, String key) {
    return "scoped_memory row scope '"
        + Checks.printable(scope)
        + "' type '"
        + memoryType
        + "' key '"
        + Checks.printable(key)
        + "'";
  }

  /** {@return how a CORRUPT message names a session memory row} */
  public static String memoryRow(String sessionId, String memoryType, String key) {
    return "session_memory row session '"
        + Checks.printable(sessionId)
        + "' type '"
        + memoryType
        + "' key '"
        + Checks.printable(key)
        + "'";
  }
}
