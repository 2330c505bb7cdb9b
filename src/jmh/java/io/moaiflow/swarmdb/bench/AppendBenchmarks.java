package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Benchmarks 1-3: batched, concurrent single and asynchronous appends, each beside its raw-JDBC
 * baseline on a store whose schema SwarmDB created, on SQLite ({@code backend=sqlite}) or
 * PostgreSQL ({@code backend=pg}, see {@link BenchBackend}). Every benchmark method gets fresh
 * stores per trial (fork), so the two sides start from the same empty tables.
 */
@State(Scope.Benchmark)
public class AppendBenchmarks {
  /** Rows per raw-JDBC transaction in the group-commit baseline (a): the thread count. */
  @Param({"1000"})
  public int rawBatch;

  /** The database: {@code sqlite} or {@code pg}. */
  @Param({"sqlite"})
  public String backend;

  private final AtomicInteger counter = new AtomicInteger();
  private final AtomicInteger asyncFailures = new AtomicInteger();
  private final Object lock = new Object();
  private SwarmDB db;
  private Connection raw;
  private PreparedStatement rawInsert;
  private Semaphore inFlight;
  private BenchBackend store;
  private final Queue<Connection> own = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<PreparedStatement> ownInsert =
      ThreadLocal.withInitial(this::openOwnConnection);

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    store = BenchBackend.of(backend);
    db = store.openFresh("append-swarm");
    raw = store.rawFresh("append-raw");
    rawInsert = raw.prepareStatement(store.insertSql());
    inFlight = new Semaphore(1_000);
  }

  private PreparedStatement openOwnConnection() {
    Connection c = store.connect("append-raw");
    own.add(c);
    try {
      return c.prepareStatement(store.insertSql());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for appendAsync calls still in flight so they land before the next iteration. */
  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    inFlight.acquire(1_000);
    inFlight.release(1_000);
    if (asyncFailures.get() > 0) {
      throw new IllegalStateException(asyncFailures.get() + " appendAsync calls failed");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    rawInsert.close();
    raw.close();
    for (Connection c : own) {
      c.close(); // closes its statement too
    }
    db.close();
  }

  /** 1: SwarmDB appendAll of a 1,000-row batch (one op = 1,000 rows). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public List<AgentEvent> appendAll1000() {
    return db.events().appendAll(Fixtures.events(counter.getAndAdd(1_000), 1_000));
  }

  /** 1 and 3: raw batched insert of the same 1,000 rows in one transaction. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int rawBatchInsert1000() throws SQLException {
    Fixtures.rawBatch(raw, rawInsert, counter.getAndAdd(1_000), 1_000);
    return 1_000;
  }

  /** 2: one append per op from every benchmark thread (group commit). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public AgentEvent append() {
    return db.events().append(Fixtures.event(counter.getAndIncrement()));
  }

  /** 2(a): one thread committing raw batches as large as the thread count (op = one batch). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int rawGroupBatch() throws SQLException {
    Fixtures.rawBatch(raw, rawInsert, counter.getAndAdd(rawBatch), rawBatch);
    return rawBatch;
  }

  /** 2(b): every thread doing one autocommit insert through a shared lock. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int rawAutocommitLocked() throws SQLException {
    int i = counter.getAndIncrement();
    synchronized (lock) {
      Fixtures.bindRaw(rawInsert, i);
      return rawInsert.executeUpdate();
    }
  }

  /**
   * 2(b) on PostgreSQL: every thread doing one autocommit insert on a connection of its own (the
   * server takes concurrent writers; no lock, no seq ordering).
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int rawAutocommitOwnConnection() throws SQLException {
    PreparedStatement ps = ownInsert.get();
    Fixtures.bindRaw(ps, counter.getAndIncrement());
    return ps.executeUpdate();
  }

  /**
   * 3: one thread keeping up to 1,000 appendAsync calls in flight (one op = 1,000 submitted
   * appends; the window is drained outside the measurement after each iteration).
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int appendAsync1000() throws InterruptedException {
    int start = counter.getAndAdd(1_000);
    for (int i = 0; i < 1_000; i++) {
      inFlight.acquire();
      CompletableFuture<AgentEvent> f = db.events().appendAsync(Fixtures.event(start + i));
      f.whenComplete(
          (e, t) -> {
            if (t != null) {
              asyncFailures.incrementAndGet();
            }
            inFlight.release();
          });
    }
    return 1_000;
  }
}
