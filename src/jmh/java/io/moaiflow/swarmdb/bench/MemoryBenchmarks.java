package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
 * Benchmark 5: session memory get and put (with and without TTL) from one thread, SwarmDB beside
 * the same upsert and lookup by hand on sqlite-jdbc ({@link BenchRows#MEMORY_UPSERT}, {@link
 * BenchRows#MEMORY_GET}; autocommit, JSON via Jackson on both sides). Both stores stay open in
 * {@link #STORES} for all rounds (the suite runs these with {@code forks(0)}); the tables do not
 * grow (1,000 keys, all written before the first round), so time-based sampling is fair. Not
 * thread safe: each benchmark runs on one JMH thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MemoryBenchmarks {
  static final int KEYS = 1_000;
  private static final Duration TTL = Duration.ofHours(24);

  /** The open stores; set by the suite (the benchmarks run in its JVM). */
  static final Handover<Stores> STORES = new Handover<>("MemoryBenchmarks");

  /** Both sides' stores. Not thread safe (one benchmark thread at a time). */
  static final class Stores implements AutoCloseable {
    final SwarmDB db;
    final SessionMemory memory;
    final Connection raw;
    final PreparedStatement rawUpsert;
    final PreparedStatement rawGet;

    Stores() throws SQLException {
      Path dir = Fixtures.freshDir("memory");
      db = Fixtures.open(dir.resolve("swarm.db"));
      db.sessions().start(BenchRows.MEMORY_SESSION);
      memory = db.sessions().memory(BenchRows.MEMORY_SESSION);
      raw = Fixtures.raw(dir.resolve("raw.db"));
      BenchRows.startSession(raw, System.currentTimeMillis());
      rawUpsert = raw.prepareStatement(BenchRows.MEMORY_UPSERT);
      rawGet = raw.prepareStatement(BenchRows.MEMORY_GET);
      for (int k = 0; k < KEYS; k++) {
        memory.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
        BenchRows.upsert(rawUpsert, k, System.currentTimeMillis(), null);
      }
    }

    @Override
    public void close() throws SQLException {
      rawUpsert.close();
      rawGet.close();
      raw.close();
      db.close();
    }
  }

  private Stores s;

  @Setup(Level.Trial)
  public void setUp() {
    s = STORES.take();
  }

  private static int key() {
    return ThreadLocalRandom.current().nextInt(KEYS);
  }

  @Benchmark
  public MemoryEntry put() {
    int k = key();
    return s.memory.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
  }

  @Benchmark
  public int rawPut() throws SQLException {
    return BenchRows.upsert(s.rawUpsert, key(), System.currentTimeMillis(), null);
  }

  @Benchmark
  public MemoryEntry putWithTtl() {
    int k = key();
    return s.memory.put(
        BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k), TTL);
  }

  @Benchmark
  public int rawPutWithTtl() throws SQLException {
    return BenchRows.upsert(s.rawUpsert, key(), System.currentTimeMillis(), TTL.toMillis());
  }

  @Benchmark
  public Optional<Object> get() {
    return s.memory.get(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(key()), Object.class);
  }

  @Benchmark
  public Object rawGet() throws SQLException {
    Object v = BenchRows.get(s.rawGet, key(), System.currentTimeMillis());
    return v == null ? Optional.empty() : v;
  }
}
