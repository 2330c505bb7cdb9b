package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 4: the three history queries over 1,000,000 events, SwarmDB beside the same query
 * written by hand on one plain JDBC connection (both map rows and parse the metadata JSON), on
 * SQLite ({@code backend=sqlite}) or PostgreSQL ({@code backend=pg}, see {@link BenchBackend}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueryBenchmarks {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long START = Fixtures.FIXTURE_END_MS - Fixtures.FIXTURE_SPAN_MS;

  /** The database: {@code sqlite} or {@code pg}. */
  @Param({"sqlite"})
  public String backend;

  private SwarmDB db;
  private Connection raw;
  private PreparedStatement rawAgent;
  private PreparedStatement rawSession;
  private PreparedStatement rawType;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    BenchBackend store = BenchBackend.of(backend);
    db = store.openQueryFixture();
    raw = store.rawQueryFixture();
    rawAgent =
        raw.prepareStatement(
            "SELECT "
                + store.columns()
                + " FROM agent_events WHERE agent_id = ? ORDER BY ts DESC, seq DESC LIMIT 100");
    rawSession =
        raw.prepareStatement(
            "SELECT "
                + store.columns()
                + " FROM agent_events WHERE session_id = ? ORDER BY ts DESC, seq DESC LIMIT 100");
    rawType =
        raw.prepareStatement(
            "SELECT "
                + store.columns()
                + " FROM agent_events WHERE event_type = ? AND ts >= ? AND ts < ?"
                + " ORDER BY ts DESC, seq DESC LIMIT 100");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    rawAgent.close();
    rawSession.close();
    rawType.close();
    raw.close();
    db.close();
  }

  private static long windowStart() {
    return START + Fixtures.random(29 * 24) * HOUR;
  }

  @Benchmark
  public List<AgentEvent> agentNewest100() {
    return db.events().query(EventQuery.agent(Fixtures.agent(Fixtures.random(1_000))).limit(100));
  }

  @Benchmark
  public List<Fixtures.RawEvent> rawAgentNewest100() throws SQLException {
    rawAgent.setString(1, Fixtures.agent(Fixtures.random(1_000)));
    return Fixtures.readRaw(rawAgent);
  }

  @Benchmark
  public List<AgentEvent> sessionTimeline100() {
    return db.events().query(EventQuery.session("session-" + Fixtures.random(1_000)).limit(100));
  }

  @Benchmark
  public List<Fixtures.RawEvent> rawSessionTimeline100() throws SQLException {
    rawSession.setString(1, "session-" + Fixtures.random(1_000));
    return Fixtures.readRaw(rawSession);
  }

  @Benchmark
  public List<AgentEvent> typeInHourWindow() {
    long from = windowStart();
    return db.events()
        .query(
            EventQuery.type(Fixtures.type(Fixtures.random(8)))
                .withWindow(Instant.ofEpochMilli(from), Instant.ofEpochMilli(from + HOUR))
                .limit(100));
  }

  @Benchmark
  public List<Fixtures.RawEvent> rawTypeInHourWindow() throws SQLException {
    long from = windowStart();
    rawType.setString(1, Fixtures.type(Fixtures.random(8)));
    rawType.setLong(2, from);
    rawType.setLong(3, from + HOUR);
    return Fixtures.readRaw(rawType);
  }
}
