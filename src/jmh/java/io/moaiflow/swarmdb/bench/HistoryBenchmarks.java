package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryRef;
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
import java.util.ArrayList;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Benchmark 7 (issue 17): the flight recorder's costs. Session memory put with history (schema v3's
 * triggers) beside the same put on a database whose session-memory history triggers are dropped
 * (both sides otherwise identical, the same 1,000 keys written first, tables that do not grow in
 * number of rows on the without side); and an as-of view over the events fixture ({@link
 * Fixtures#queryRows()} events, 1,000,000 by default) with {@link #VERSIONS} memory versions (
 * {@link #KEYS} keys written {@code VERSIONS / KEYS} times each): the first read of a new view
 * ({@code asOf(seq)} and one key's entry, the target &lt; 50 ms) and each further key lookup on an
 * open view (the target &lt; 2 ms p99); an append with causal links (two earlier events as causes,
 * two memory versions read, schema v4) beside the same append without them, on two databases with
 * the same {@link #CAUSES} earlier events and {@link #READ_KEYS} entries, the same event ids on
 * both (the target ≤ 1.1 ×). The stores stay open in {@link #STORES} for all rounds
 * ({@code forks(0)}). Not thread safe: each benchmark runs on one JMH thread.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HistoryBenchmarks {
  static final int KEYS = 1_000;

  /** Earlier events the linked appends name as causes (and the unlinked side holds too). */
  static final int CAUSES = 1_000;

  /** Memory entries the linked appends name as read. */
  static final int READ_KEYS = 100;

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
    final SwarmDB linked;
    final SwarmDB unlinked;
    final List<String> causeIds = new ArrayList<>();
    final List<MemoryRef> reads = new ArrayList<>();
    long linkedNext;
    long unlinkedNext;

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
      linked = Fixtures.open(dir.resolve("linked.db"));
      unlinked = Fixtures.open(dir.resolve("unlinked.db"));
      for (SwarmDB db : List.of(linked, unlinked)) {
        List<AgentEvent> earlier = new ArrayList<>();
        for (int i = 0; i < CAUSES; i++) {
          earlier.add(AgentEvent.of("step", "agent-" + (i % 10), null, Map.of()).withEventId("c-" + i));
        }
        db.events().appendAll(earlier);
        for (int k = 0; k < READ_KEYS; k++) {
          MemoryEntry e = db.memory(Scope.swarm()).put(BenchRows.MEMORY_TYPE, "read-" + k, k);
          if (db == linked) {
            reads.add(MemoryRef.of(e));
          }
        }
      }
      for (int i = 0; i < CAUSES; i++) {
        causeIds.add("c-" + i);
      }
    }

    @Override
    public void close() {
      recorded.close();
      unrecorded.close();
      history.close();
      linked.close();
      unlinked.close();
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

  /** The links of one append: two earlier events and two memory versions, drawn at random. */
  private CausalLinks links() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int c = r.nextInt(CAUSES - 1);
    int k = r.nextInt(READ_KEYS - 1);
    return new CausalLinks(
        List.of(s.causeIds.get(c), s.causeIds.get(c + 1)),
        List.of(s.reads.get(k), s.reads.get(k + 1)));
  }

  private static AgentEvent event(long n) {
    return AgentEvent.of("step", "agent-" + (n % 10), null, Map.of()).withEventId("b-" + n);
  }

  /** An append naming two causes and two reads (the links drawn on both sides alike). */
  @Benchmark
  public AgentEvent appendWithLinks() {
    CausalLinks links = links();
    return s.linked.events().append(event(s.linkedNext++), links);
  }

  /** The same append without links (the links drawn and not passed). */
  @Benchmark
  public AgentEvent appendWithoutLinks(Blackhole bh) {
    bh.consume(links());
    return s.unlinked.events().append(event(s.unlinkedNext++));
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
