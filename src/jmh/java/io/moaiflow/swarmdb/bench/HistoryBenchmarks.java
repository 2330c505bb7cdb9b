package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 7 (issue 17): the flight recorder's costs. Session memory put with history (schema v3's
 * triggers) beside the same put on a database whose session-memory history triggers are dropped
 * (both sides otherwise identical, the same 1,000 keys written first, tables that do not grow in
 * number of rows on the without side); and an as-of view over the events fixture ({@link
 * Fixtures#queryRows()} events, 1,000,000 by default) with {@link #VERSIONS} memory versions (
 * {@link #KEYS} keys written {@code VERSIONS / KEYS} times each): the first read of a new view
 * ({@code asOf(seq)} and one key's entry, the target &lt; 50 ms) and each further key lookup on an
 * open view (the target &lt; 2 ms p99). The stores stay open in {@link #STORES} for all rounds
 * ({@code forks(0)}). Not thread safe: each benchmark runs on one JMH thread.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HistoryBenchmarks {
  static final int KEYS = 1_000;

  /** Memory versions in the as-of fixture: {@code bench.historyVersions}, default 100,000. */
  static final int VERSIONS = Integer.getInteger("bench.historyVersions", 100_000);

  /** The open stores; set by the suite (the benchmarks run in its JVM). */
  static final Handover<Stores> STORES = new Handover<>("HistoryBenchmarks");

  /** Both sides' stores and the as-of fixture. Not thread safe (one benchmark thread). */
  static final class Stores implements AutoCloseable {
    final SwarmDB recorded;
    final SwarmDB unrecorded;
    final SessionMemory withHistory;
    final SessionMemory withoutHistory;
    final SwarmDB history;
    final long[] seqs;
    final SwarmState open;

    Stores() throws SQLException {
      Path dir = Fixtures.freshDir("history");
      recorded = Fixtures.open(dir.resolve("recorded.db"));
      Path plain = dir.resolve("unrecorded.db");
      Fixtures.open(plain).close();
      try (Connection c =
              BenchRows.rawConnection(plain, SwarmDbConfig.builder(plain).build(), false);
          Statement st = c.createStatement()) {
        for (String t : List.of("insert", "update", "delete")) {
          st.execute("DROP TRIGGER session_memory_history_" + t);
        }
      }
      unrecorded = Fixtures.open(plain);
      recorded.sessions().start(BenchRows.MEMORY_SESSION);
      unrecorded.sessions().start(BenchRows.MEMORY_SESSION);
      withHistory = recorded.sessions().memory(BenchRows.MEMORY_SESSION);
      withoutHistory = unrecorded.sessions().memory(BenchRows.MEMORY_SESSION);
      for (int k = 0; k < KEYS; k++) {
        withHistory.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
        withoutHistory.put(
            BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
      }
      // the as-of fixture: the events fixture, then rounds of one putAll of every key
      Path events = Fixtures.fixture("history-events.db", Fixtures.queryRows(), 0);
      Path copy = dir.resolve("as-of.db");
      try {
        java.nio.file.Files.copy(events, copy);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("copying " + events + " failed", e);
      }
      history = Fixtures.open(copy);
      int rounds = Math.max(1, VERSIONS / KEYS);
      seqs = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
          values.put(BenchRows.memoryKey(k), Map.of("round", r, "key", k));
        }
        history.memory(Scope.swarm()).putAll(BenchRows.MEMORY_TYPE, values, null);
        seqs[r] = history.asOf(Instant.now().plusSeconds(86_400)).seq();
      }
      open = history.asOf(seqs[rounds / 2]);
    }

    @Override
    public void close() {
      recorded.close();
      unrecorded.close();
      history.close();
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
  public MemoryEntry putWithHistory() {
    int k = key();
    return s.withHistory.put(
        BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
  }

  @Benchmark
  public MemoryEntry putWithoutHistory() {
    int k = key();
    return s.withoutHistory.put(
        BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), BenchRows.memoryValue(k));
  }

  /** A new view at a random round's seq and its first read: what a caller waits for first. */
  @Benchmark
  public Optional<MemoryEntry> asOfFirstRead() {
    long seq = s.seqs[ThreadLocalRandom.current().nextInt(s.seqs.length)];
    return s.history
        .asOf(seq)
        .memory(Scope.swarm())
        .entry(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(key()));
  }

  /** One key's entry on an open view. */
  @Benchmark
  public Optional<MemoryEntry> asOfLookup() {
    return s.open.memory(Scope.swarm()).entry(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(key()));
  }

  /** The same key's live entry, for scale. */
  @Benchmark
  public Optional<MemoryEntry> liveLookup() {
    return s.history
        .memory(Scope.swarm())
        .entry(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(key()));
  }
}
