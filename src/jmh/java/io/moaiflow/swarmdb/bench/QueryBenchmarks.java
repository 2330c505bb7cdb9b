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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 4: the three history queries over 1,000,000 events, SwarmDB beside the same query
 * written by hand on one plain JDBC connection ({@link BenchRows#AGENT_NEWEST} and friends; both map
 * rows and parse the metadata JSON), on SQLite or PostgreSQL (see {@link BenchBackend}). Both read
 * the same fixture, so the tables are the same size by construction; the suite keeps them open in
 * {@link #STORES} for all rounds ({@code forks(0)}). Not thread safe: each benchmark runs on one
 * JMH thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueryBenchmarks {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long START = Fixtures.FIXTURE_END_MS - Fixtures.FIXTURE_SPAN_MS;

  /** The open stores; set by the suite (the benchmarks run in its JVM). */
  static final Handover<Stores> STORES = new Handover<>("QueryBenchmarks");

  /** SwarmDB and a plain connection on one backend's query fixture. Not thread safe. */
  static final class Stores implements AutoCloseable {
    final SwarmDB db;
    final Connection raw;
    final PreparedStatement rawAgent;
    final PreparedStatement rawSession;
    final PreparedStatement rawType;
    private final boolean ownsDb;

    /** Both sides on a backend's query fixture; closing closes both. */
    Stores(BenchBackend store) throws SQLException {
      this(store.openQueryFixture(), store.rawQueryFixture(), store.columns(), true);
    }

    /**
     * SwarmDB as given (closed by its owner unless {@code ownsDb}) and a raw connection on a store
     * with the same rows (closed with this).
     */
    Stores(SwarmDB db, Connection raw, String columns, boolean ownsDb) throws SQLException {
      this.db = db;
      this.raw = raw;
      this.ownsDb = ownsDb;
      rawAgent = raw.prepareStatement(String.format(BenchRows.AGENT_NEWEST, columns));
      rawSession = raw.prepareStatement(String.format(BenchRows.SESSION_NEWEST, columns));
      rawType = raw.prepareStatement(String.format(BenchRows.TYPE_IN_WINDOW, columns));
    }

    @Override
    public void close() throws SQLException {
      rawAgent.close();
      rawSession.close();
      rawType.close();
      raw.close();
      if (ownsDb) {
        db.close();
      }
    }
  }

  private Stores s;

  @Setup(Level.Trial)
  public void setUp() {
    s = STORES.take();
  }

  private static long windowStart() {
    return START + Fixtures.random(29 * 24) * HOUR;
  }

  @Benchmark
  public List<AgentEvent> agentNewest100() {
    return s.db.events()
        .query(EventQuery.agent(BenchRows.agent(Fixtures.random(1_000))).limit(100));
  }

  @Benchmark
  public List<BenchRows.RawEvent> rawAgentNewest100() throws SQLException {
    s.rawAgent.setString(1, BenchRows.agent(Fixtures.random(1_000)));
    return BenchRows.readEvents(s.rawAgent);
  }

  @Benchmark
  public List<AgentEvent> sessionTimeline100() {
    return s.db.events()
        .query(EventQuery.session("session-" + Fixtures.random(1_000)).limit(100));
  }

  @Benchmark
  public List<BenchRows.RawEvent> rawSessionTimeline100() throws SQLException {
    s.rawSession.setString(1, "session-" + Fixtures.random(1_000));
    return BenchRows.readEvents(s.rawSession);
  }

  @Benchmark
  public List<AgentEvent> typeInHourWindow() {
    long from = windowStart();
    return s.db.events()
        .query(
            EventQuery.type(BenchRows.type(Fixtures.random(8)))
                .withWindow(Instant.ofEpochMilli(from), Instant.ofEpochMilli(from + HOUR))
                .limit(100));
  }

  @Benchmark
  public List<BenchRows.RawEvent> rawTypeInHourWindow() throws SQLException {
    long from = windowStart();
    s.rawType.setString(1, BenchRows.type(Fixtures.random(8)));
    s.rawType.setLong(2, from);
    s.rawType.setLong(3, from + HOUR);
    return BenchRows.readEvents(s.rawType);
  }
}
