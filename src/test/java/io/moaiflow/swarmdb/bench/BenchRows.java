package io.moaiflow.swarmdb.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * The row content both sides of every benchmark pair write and read: events built once by the
 * application (UUIDv7 id from {@link AgentEvent#of}, timestamp, metadata in a fixed key order), the
 * raw side's columns taken from that same event, metadata serialised by Jackson on the caller's
 * thread, and the raw SQL of each baseline. Shared by the JMH suite ({@code src/jmh}, compiled only
 * in the {@code bench} profile) and by {@code BaselineFairnessTest}, which proves in the default
 * build that both sides store identical rows. Stateless and thread safe.
 */
final class BenchRows {
  static final int AGENTS = 1_000;
  static final int EVENTS_PER_SESSION = 1_000;
  static final String[] TYPES = {
    "spawn", "running", "tool_call", "message", "checkpoint", "heartbeat", "complete", "error"
  };
  static final String AGENT_TYPE = "expert-backend";

  /** The raw insert of one event row, in {@link #bind} order. */
  static final String INSERT =
      "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) VALUES (?, ?, ?, ?, ?, ?, ?)";

  /** The selected columns, in {@link #readEvents} order (SQLite; PostgreSQL casts metadata). */
  static final String COLUMNS =
      "seq, event_id, event_type, agent_id, agent_type, session_id, ts, metadata";

  /** Raw baseline of {@code EventQuery.agent(a).limit(100)}; {@code %s} is the column list. */
  static final String AGENT_NEWEST =
      "SELECT %s FROM agent_events WHERE agent_id = ? ORDER BY ts DESC, seq DESC LIMIT 100";

  /** Raw baseline of {@code EventQuery.session(s).limit(100)}. */
  static final String SESSION_NEWEST =
      "SELECT %s FROM agent_events WHERE session_id = ? ORDER BY ts DESC, seq DESC LIMIT 100";

  /** Raw baseline of {@code EventQuery.type(t).withWindow(from, to).limit(100)}. */
  static final String TYPE_IN_WINDOW =
      "SELECT %s FROM agent_events WHERE event_type = ? AND ts >= ? AND ts < ?"
          + " ORDER BY ts DESC, seq DESC LIMIT 100";

  /** The session the memory benchmarks write into. */
  static final String MEMORY_SESSION = "bench-session";

  /** The memory type the memory benchmarks write. */
  static final String MEMORY_TYPE = SessionMemory.CONTEXT_HINT;

  /** Raw upsert of one memory value: a new key gets version 1, an update version + 1. */
  static final String MEMORY_UPSERT =
      "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
          + " updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6)"
          + " ON CONFLICT (session_id, memory_type, key) DO UPDATE SET value = excluded.value,"
          + " version = session_memory.version + 1, updated_at = excluded.updated_at,"
          + " expires_at = excluded.expires_at";

  /** Raw lookup of one unexpired memory value. */
  static final String MEMORY_GET =
      "SELECT value, version, created_at, updated_at, expires_at FROM session_memory"
          + " WHERE session_id = ? AND memory_type = ? AND key = ?"
          + " AND (expires_at IS NULL OR expires_at > ?)";

  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private BenchRows() {}

  static String type(int i) {
    return TYPES[Math.floorMod(i, TYPES.length)];
  }

  static String agent(int i) {
    return "agent-" + Math.floorMod(i, AGENTS);
  }

  static String session(int i) {
    return "session-" + (i / EVENTS_PER_SESSION);
  }

  /** Event metadata in a fixed key order, so its JSON bytes do not depend on map hashing. */
  static Map<String, Object> metadata(int i) {
    return inOrder("prompt", "Design the API", "step", i);
  }

  private static Map<String, Object> inOrder(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  /** A new event as an application would build it: UUIDv7 id, stamped now. */
  static AgentEvent event(int i) {
    return AgentEvent.of(type(i), agent(i), AGENT_TYPE, session(i), metadata(i));
  }

  static List<AgentEvent> events(int start, int count) {
    List<AgentEvent> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(event(start + i));
    }
    return out;
  }

  static String json(@Nullable Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> parse(String json) {
    try {
      return JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The columns a hand-written store writes for an event, metadata serialised here (on the caller's
   * thread, as SwarmDB serialises before queueing).
   */
  record RawRow(
      String eventId,
      String eventType,
      String agentId,
      @Nullable String agentType,
      @Nullable String sessionId,
      long ts,
      String metadataJson) {
    static RawRow of(AgentEvent e) {
      return new RawRow(
          e.eventId(),
          e.eventType(),
          e.agentId(),
          e.agentType(),
          e.sessionId(),
          e.timestamp().toEpochMilli(),
          json(e.metadata()));
    }
  }

  static void bind(PreparedStatement ps, RawRow r) throws SQLException {
    ps.setString(1, r.eventId());
    ps.setString(2, r.eventType());
    ps.setString(3, r.agentId());
    ps.setString(4, r.agentType());
    ps.setString(5, r.sessionId());
    ps.setLong(6, r.ts());
    ps.setString(7, r.metadataJson());
  }

  /** One autocommit insert of a row built beforehand. */
  static int insertOne(PreparedStatement ps, RawRow row) throws SQLException {
    bind(ps, row);
    return ps.executeUpdate();
  }

  /** A raw batched insert of {@code events} in one transaction. */
  static void insertBatch(Connection c, PreparedStatement ps, List<AgentEvent> events)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      for (AgentEvent e : events) {
        bind(ps, RawRow.of(e));
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** What a hand-written store maps a row to: the columns and the parsed metadata. */
  record RawEvent(
      long seq,
      String eventId,
      String eventType,
      String agentId,
      @Nullable String agentType,
      @Nullable String sessionId,
      long ts,
      Map<String, Object> metadata) {}

  static List<RawEvent> readEvents(PreparedStatement ps) throws SQLException {
    List<RawEvent> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new RawEvent(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getLong(7),
                parse(rs.getString(8))));
      }
    }
    return out;
  }

  /** A memory value in a fixed key order. */
  static Map<String, Object> memoryValue(int k) {
    return inOrder("lang", "java", "score", k);
  }

  /** Starts {@link #MEMORY_SESSION} by hand, as the raw side's memory rows need. */
  static void startSession(Connection c, long startedAt) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO sessions (session_id, status, started_at) VALUES (?, 'active', ?)")) {
      ps.setString(1, MEMORY_SESSION);
      ps.setLong(2, startedAt);
      ps.executeUpdate();
    }
  }

  static String memoryKey(int k) {
    return "key-" + k;
  }

  /** The raw upsert of {@link #memoryValue}{@code (k)}, serialised here, stamped {@code now}. */
  static int upsert(PreparedStatement ps, int k, long now, @Nullable Long ttlMillis)
      throws SQLException {
    ps.setString(1, MEMORY_SESSION);
    ps.setString(2, MEMORY_TYPE);
    ps.setString(3, memoryKey(k));
    ps.setString(4, json(memoryValue(k)));
    ps.setLong(5, now);
    if (ttlMillis == null) {
      ps.setNull(6, Types.INTEGER);
    } else {
      ps.setLong(6, now + ttlMillis);
    }
    return ps.executeUpdate();
  }

  /** The raw lookup of key {@code k}: the parsed value, or null when there is none. */
  static @Nullable Object get(PreparedStatement ps, int k, long now) throws SQLException {
    ps.setString(1, MEMORY_SESSION);
    ps.setString(2, MEMORY_TYPE);
    ps.setString(3, memoryKey(k));
    ps.setLong(4, now);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? JSON.readValue(rs.getString(1), Object.class) : null;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain sqlite-jdbc connection with the pragmas SwarmDB sets on its own connections. */
  static Connection rawConnection(Path file, SwarmDbConfig c, boolean readOnly) {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    sc.setCacheSize(c.pragmas().cacheSizePages());
    sc.setBusyTimeout((int) c.pragmas().busyTimeout().toMillis());
    sc.enforceForeignKeys(true);
    sc.setTempStore(SQLiteConfig.TempStore.MEMORY);
    sc.setPragma(
        SQLiteConfig.Pragma.JOURNAL_SIZE_LIMIT, Long.toString(c.pragmas().journalSizeLimitBytes()));
    sc.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(c.pragmas().mmapSizeBytes()));
    sc.setGetGeneratedKeys(false);
    if (readOnly) {
      sc.setReadOnly(true);
    }
    try {
      return sc.createConnection(Schema.jdbcUrl(file));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open " + file, e);
    }
  }
}
