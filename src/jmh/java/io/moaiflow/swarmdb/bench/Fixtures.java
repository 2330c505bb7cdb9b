package io.moaiflow.swarmdb.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * Databases, rows and raw-JDBC baselines shared by the benchmarks. The baseline files get their
 * schema from {@link SwarmDB#open} and are then written through a plain sqlite-jdbc connection with
 * the library's pragmas, so both sides write the same schema on the same disk.
 */
final class Fixtures {
  static final int AGENTS = 1_000;
  static final int EVENTS_PER_SESSION = 1_000;
  static final String[] TYPES = {
    "spawn", "running", "tool_call", "message", "checkpoint", "heartbeat", "complete", "error"
  };

  /** Newest fixture event time; the query fixture spans 30 days before it. */
  static final long FIXTURE_END_MS = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  static final long FIXTURE_SPAN_MS = Duration.ofDays(30).toMillis();

  static final String RAW_INSERT =
      "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) VALUES (?, ?, ?, ?, ?, ?, ?)";

  static final String COLUMNS =
      "seq, event_id, event_type, agent_id, agent_type, session_id, ts, metadata";

  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private Fixtures() {}

  /** The directory benchmark databases live in: {@code target/bench-data}, or a temp dir. */
  static Path dataDir() {
    String dir = System.getProperty("bench.dataDir", "target/bench-data");
    try {
      return Files.createDirectories(Path.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh, empty directory under {@link #dataDir()}. */
  static Path freshDir(String name) {
    Path dir = dataDir().resolve(name);
    deleteTree(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SwarmDbConfig.Builder config(Path file) {
    return SwarmDbConfig.builder(file).backupBeforeMigrate(false);
  }

  static SwarmDB open(Path file) {
    return SwarmDB.open(config(file).build());
  }

  /** Creates the schema with SwarmDB, then opens a plain connection with the library pragmas. */
  static Connection raw(Path file) {
    open(file).close();
    return rawConnection(file, SwarmDbConfig.builder(file).build(), false);
  }

  /** A plain sqlite-jdbc connection with the pragmas SwarmDB sets on its own connections. */
  static Connection rawConnection(Path file, SwarmDbConfig c, boolean readOnly) {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    sc.setCacheSize(c.cacheSizePages());
    sc.setBusyTimeout((int) c.busyTimeout().toMillis());
    sc.enforceForeignKeys(true);
    sc.setTempStore(SQLiteConfig.TempStore.MEMORY);
    sc.setPragma(SQLiteConfig.Pragma.JOURNAL_SIZE_LIMIT, Long.toString(c.journalSizeLimitBytes()));
    sc.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(c.mmapSizeBytes()));
    sc.setGetGeneratedKeys(false);
    if (readOnly) {
      sc.setReadOnly(true);
    }
    try {
      return sc.createConnection(SwarmDbConfig.sqliteJdbcUrl(file));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open " + file, e);
    }
  }

  static String type(int i) {
    return TYPES[Math.floorMod(i, TYPES.length)];
  }

  static String agent(int i) {
    return "agent-" + Math.floorMod(i, AGENTS);
  }

  static Map<String, Object> metadata(int i) {
    return Map.of("prompt", "Design the API", "step", i);
  }

  /** A new event as an application would build it. */
  static AgentEvent event(int i) {
    return AgentEvent.of(
        type(i), agent(i), "expert-backend", "session-" + (i / EVENTS_PER_SESSION), metadata(i));
  }

  static List<AgentEvent> events(int start, int count) {
    List<AgentEvent> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(event(start + i));
    }
    return out;
  }

  static String json(Object value) {
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
   * Binds the same row a hand-written JDBC store would write for {@link #event(int)}: a fresh UUID,
   * Jackson-serialised metadata, the current time.
   */
  static void bindRaw(PreparedStatement ps, int i) throws SQLException {
    ps.setString(1, UUID.randomUUID().toString());
    ps.setString(2, type(i));
    ps.setString(3, agent(i));
    ps.setString(4, "expert-backend");
    ps.setString(5, "session-" + (i / EVENTS_PER_SESSION));
    ps.setLong(6, System.currentTimeMillis());
    ps.setString(7, json(metadata(i)));
  }

  /** A raw-JDBC batched insert of {@code count} rows in one transaction. */
  static void rawBatch(Connection c, PreparedStatement ps, int start, int count)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      for (int i = 0; i < count; i++) {
        bindRaw(ps, start + i);
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } catch (SQLException e) {
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
      String agentType,
      String sessionId,
      long ts,
      Map<String, Object> metadata) {}

  static List<RawEvent> readRaw(PreparedStatement ps) throws SQLException {
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

  /**
   * Fills {@code agent_events} with {@code count} generated rows inside SQLite (fast: no JDBC per
   * row), committing every 100,000 rows. Event {@code i} belongs to agent {@code i % 1000}, session
   * {@code i / 1000}, type {@code i % 8}; times rise evenly from {@code startMs} over {@code
   * spanMs}. {@code pad} extra characters of metadata make rows larger.
   */
  static void fill(Connection c, long count, long startMs, long spanMs, int pad)
      throws SQLException {
    StringBuilder types = new StringBuilder("CASE i % 8");
    for (int t = 0; t < TYPES.length; t++) {
      types.append(" WHEN ").append(t).append(" THEN '").append(TYPES[t]).append('\'');
    }
    types.append(" END");
    String sql =
        "WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)"
            + " INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id,"
            + " ts, metadata) SELECT printf('fx-%012d', i), "
            + types
            + ", 'agent-' || (i % 1000), 'expert-backend', 'session-' || (i / 1000),"
            + " ? + (i * ?) / ?, '{\"prompt\":\"Design the API\",\"step\":' || i"
            + " || CASE WHEN ? > 0 THEN ',\"pad\":\"' || printf('%.*c', ?, 'x') || '\"' ELSE ''"
            + " END || '}' FROM c";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (long from = 0; from < count; from += 100_000) {
        long to = Math.min(count, from + 100_000);
        c.setAutoCommit(false);
        ps.setLong(1, from);
        ps.setLong(2, to);
        ps.setLong(3, startMs);
        ps.setLong(4, spanMs);
        ps.setLong(5, count);
        ps.setInt(6, pad);
        ps.setInt(7, pad);
        ps.executeUpdate();
        c.commit();
        c.setAutoCommit(true);
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      st.execute("ANALYZE");
    }
  }

  /**
   * The 1,000,000-event query fixture (1,000 agents, 1,000 sessions, 8 types, 30 days), built once
   * and reused while its row count matches.
   */
  static Path queryFixture() {
    return fixture("query-1m.db", 1_000_000, 0);
  }

  static Path fixture(String name, long rows, int pad) {
    Path file = dataDir().resolve(name);
    if (Files.exists(file)) {
      try (Connection c = rawConnection(file, SwarmDbConfig.builder(file).build(), true);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
        if (rs.next() && rs.getLong(1) == rows) {
          return file;
        }
      } catch (SQLException | RuntimeException e) {
        // rebuilt below
      }
      deleteDatabase(file);
    }
    try (Connection c = raw(file)) {
      fill(c, rows, FIXTURE_END_MS - FIXTURE_SPAN_MS, FIXTURE_SPAN_MS, pad);
    } catch (SQLException e) {
      throw new IllegalStateException("building " + file + " failed", e);
    }
    return file;
  }

  static void deleteDatabase(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(Path.of(file + "-wal"));
      Files.deleteIfExists(Path.of(file + "-shm"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int random(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  static void setNullableLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setLong(i, v);
    }
  }
}
