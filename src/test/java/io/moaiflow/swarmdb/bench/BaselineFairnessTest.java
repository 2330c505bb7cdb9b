package io.moaiflow.swarmdb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark suite's pairs are fair on content: for each pair, the SwarmDB side and the raw JDBC
 * side run the very calls the JMH benchmarks time ({@link RoundWork}, {@link BenchRows}) on the
 * same events, each into its own fresh file, and the stored rows are compared column by column
 * (value and SQLite storage class): the same UUIDv7 ids, types, agent, session, timestamps and
 * metadata bytes. Not a benchmark: nothing is timed.
 */
class BaselineFairnessTest {
  private static final int THREADS = 4;
  private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir Path dir;
  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static SwarmDbConfig.Builder config(Path file) {
    return SwarmDbConfig.builder(file).backupBeforeMigrate(false);
  }

  private SwarmDB swarm(String name) {
    return SwarmDB.open(config(dir.resolve(name)).build());
  }

  /** A file whose schema SwarmDB created, and a plain connection to it with the library pragmas. */
  private Connection raw(String name) {
    Path file = dir.resolve(name);
    SwarmDB.open(config(file).build()).close();
    return BenchRows.rawConnection(file, config(file).build(), false);
  }

  /** What a raw side does with its connection and prepared insert; returns the rows it wrote. */
  private interface RawWork {
    int run(Connection c, PreparedStatement insert) throws Exception;
  }

  /** Runs {@code work} on a new raw file {@code name} (see {@link #raw}). */
  private int rawInsert(String name, RawWork work) throws Exception {
    try (Connection c = raw(name);
        PreparedStatement ps = c.prepareStatement(BenchRows.INSERT)) {
      return work.run(c, ps);
    }
  }

  /**
   * Every event row, ordered by event id, as (column, storage class, value) with metadata as its
   * bytes in hex; {@code seq} only when both sides must also agree on the order.
   */
  private List<List<Object>> eventRows(String name, boolean withSeq) throws SQLException {
    String cols =
        "event_id, event_type, agent_id, agent_type, session_id, ts, hex(metadata) AS metadata";
    return rows(
        name,
        "SELECT "
            + (withSeq ? "seq, " : "")
            + cols
            + ", typeof(event_id), typeof(event_type), typeof(agent_id), typeof(agent_type),"
            + " typeof(session_id), typeof(ts), typeof(metadata) FROM agent_events ORDER BY"
            + " event_id");
  }

  private List<List<Object>> rows(String name, String sql) throws SQLException {
    Path file = dir.resolve(name);
    List<List<Object>> out = new ArrayList<>();
    try (Connection c = BenchRows.rawConnection(file, config(file).build(), true);
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(md.getColumnLabel(i) + "=" + rs.getString(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  private static void assertUuidV7(List<List<Object>> rows, int count) {
    assertThat(rows).hasSize(count);
    for (List<Object> row : rows) {
      String id =
          row.stream()
              .map(String::valueOf)
              .filter(v -> v.startsWith("event_id="))
              .findFirst()
              .orElseThrow()
              .substring("event_id=".length());
      assertThat(UUID.fromString(id).version()).as("version of event_id %s", id).isEqualTo(7);
    }
  }

  private void assertSameEvents(String swarmFile, String rawFile, int count, boolean withSeq)
      throws SQLException {
    List<List<Object>> s = eventRows(swarmFile, withSeq);
    List<List<Object>> r = eventRows(rawFile, withSeq);
    assertUuidV7(s, count);
    assertUuidV7(r, count);
    assertThat(r).containsExactlyElementsOf(s);
  }

  @Test
  void appendAllAndRawBatchesStoreIdenticalRows() throws Exception {
    List<AgentEvent> events = BenchRows.events(0, 2_500);
    try (SwarmDB db = swarm("swarm.db")) {
      assertThat(RoundWork.appendAll(db.events(), events, 1_000)).isEqualTo(2_500);
    }
    assertThat(rawInsert("raw.db", (c, ps) -> RoundWork.rawBatches(c, ps, events, 1_000)))
        .isEqualTo(2_500);
    assertSameEvents("swarm.db", "raw.db", 2_500, true);
  }

  @Test
  void concurrentAppendAndBothRawBaselinesStoreIdenticalRows() throws Exception {
    List<AgentEvent> events = BenchRows.events(10_000, 400);
    try (SwarmDB db = swarm("swarm.db")) {
      assertThat(RoundWork.append(pool, db.events(), events, THREADS)).isEqualTo(400);
    }
    assertThat(
            rawInsert(
                "locked.db", (c, ps) -> RoundWork.rawAutocommitLocked(pool, ps, events, THREADS)))
        .isEqualTo(400);
    assertThat(rawInsert("batches.db", (c, ps) -> RoundWork.rawBatches(c, ps, events, THREADS)))
        .isEqualTo(400);
    // threads interleave differently on each side, so seq order is not compared here
    assertSameEvents("swarm.db", "locked.db", 400, false);
    assertSameEvents("swarm.db", "batches.db", 400, false);
  }

  @Test
  void singleThreadAppendAndRawAutocommitStoreIdenticalRowsInOrder() throws Exception {
    List<AgentEvent> events = BenchRows.events(20_000, 300);
    try (SwarmDB db = swarm("swarm.db")) {
      RoundWork.append(pool, db.events(), events, 1);
    }
    rawInsert("raw.db", (c, ps) -> RoundWork.rawAutocommitLocked(pool, ps, events, 1));
    assertSameEvents("swarm.db", "raw.db", 300, true);
  }

  @Test
  void appendAsyncAndRawBatchesStoreIdenticalRows() throws Exception {
    List<AgentEvent> events = BenchRows.events(30_000, 2_500);
    try (SwarmDB db = swarm("swarm.db")) {
      assertThat(RoundWork.appendAsync(db.events(), events)).isEqualTo(2_500);
      // counted when committed: every row is readable the moment the call returns
      assertThat(db.events().since(0, 10_000)).hasSize(2_500);
    }
    rawInsert("raw.db", (c, ps) -> RoundWork.rawBatches(c, ps, events, 1_000));
    assertSameEvents("swarm.db", "raw.db", 2_500, true);
  }

  @Test
  void memoryPutAndRawUpsertStoreIdenticalRowsAndGetReadsTheSameValues() throws Exception {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(config(file).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
        Connection c = raw("raw.db");
        PreparedStatement upsert = c.prepareStatement(BenchRows.MEMORY_UPSERT);
        PreparedStatement get = c.prepareStatement(BenchRows.MEMORY_GET)) {
      db.sessions().start(BenchRows.MEMORY_SESSION);
      BenchRows.startSession(c, NOW.toEpochMilli());
      SessionMemory memory = db.sessions().memory(BenchRows.MEMORY_SESSION);
      Duration ttl = Duration.ofHours(24);
      for (int round = 0; round < 2; round++) { // the second round updates: version 2
        for (int k = 0; k < 50; k++) {
          Duration t = k % 2 == 0 ? null : ttl;
          memory.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k), t);
          BenchRows.upsert(upsert, k, NOW.toEpochMilli(), t == null ? null : t.toMillis());
        }
      }
      for (int k = 0; k < 51; k++) {
        Optional<Object> s =
            memory.get(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), Object.class);
        Object r = BenchRows.get(get, k, NOW.toEpochMilli());
        assertThat(s.orElse(null)).as("key %d", k).isEqualTo(r);
        assertThat(r == null).isEqualTo(k == 50);
      }
    }
    String sql =
        "SELECT session_id, memory_type, key, hex(value) AS value, version, created_at,"
            + " updated_at, expires_at, typeof(value), typeof(version), typeof(created_at),"
            + " typeof(expires_at) FROM session_memory ORDER BY session_id, memory_type, key";
    List<List<Object>> s = rows("swarm.db", sql);
    assertThat(s).hasSize(50);
    assertThat(s.get(0)).contains("version=2");
    assertThat(rows("raw.db", sql)).containsExactlyElementsOf(s);
  }

  @Test
  void rawQueriesReadTheRowsSwarmDbQueriesReturn() throws Exception {
    List<AgentEvent> events = new ArrayList<>();
    long start = NOW.toEpochMilli() - Duration.ofDays(1).toMillis();
    for (int i = 0; i < 3_000; i++) {
      // 20 agents of 150 events; three events share each millisecond (the seq tie-break)
      events.add(
          AgentEvent.of(
                  BenchRows.type(i),
                  BenchRows.agent(i % 20),
                  BenchRows.AGENT_TYPE,
                  BenchRows.session(i),
                  BenchRows.metadata(i))
              .withTimestamp(Instant.ofEpochMilli(start + (i / 3) * 60_000L)));
    }
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = swarm("swarm.db")) {
      RoundWork.appendAll(db.events(), events, 1_000);
      try (Connection c = BenchRows.rawConnection(file, config(file).build(), true);
          PreparedStatement agent = c.prepareStatement(query(BenchRows.AGENT_NEWEST));
          PreparedStatement session = c.prepareStatement(query(BenchRows.SESSION_NEWEST));
          PreparedStatement type = c.prepareStatement(query(BenchRows.TYPE_IN_WINDOW))) {
        agent.setString(1, BenchRows.agent(7));
        assertSameRows(db.events().query(EventQuery.agent(BenchRows.agent(7)).limit(100)), agent);
        session.setString(1, BenchRows.session(1_500));
        assertSameRows(
            db.events().query(EventQuery.session(BenchRows.session(1_500)).limit(100)), session);
        long from = start + 100 * 60_000L;
        long to = from + Duration.ofHours(10).toMillis();
        type.setString(1, BenchRows.type(3));
        type.setLong(2, from);
        type.setLong(3, to);
        assertSameRows(
            db.events()
                .query(
                    EventQuery.type(BenchRows.type(3))
                        .withWindow(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                        .limit(100)),
            type);
      }
    }
  }

  private static String query(String template) {
    return String.format(template, BenchRows.COLUMNS);
  }

  private static void assertSameRows(List<AgentEvent> swarm, PreparedStatement raw)
      throws SQLException {
    List<BenchRows.RawEvent> rows = BenchRows.readEvents(raw);
    assertThat(swarm).hasSize(100);
    List<BenchRows.RawEvent> expected = new ArrayList<>();
    for (AgentEvent e : swarm) {
      expected.add(
          new BenchRows.RawEvent(
              e.seq(),
              e.eventId(),
              e.eventType(),
              e.agentId(),
              e.agentType(),
              e.sessionId(),
              e.timestamp().toEpochMilli(),
              e.metadata()));
    }
    assertThat(rows).containsExactlyElementsOf(expected);
  }
}
