package io.moaiflow.swarmdb.bench;

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
 * Benchmarks 1-3: one round of fixed work of each side of the write comparisons, timed by JMH as a
 * single shot. One op is the whole round: every row of the round's events ({@link
 * WritePair#events()}, built before the round and the same for every side) written and committed,
 * through {@link RoundWork} — the calls {@code BaselineFairnessTest} proves store identical rows.
 * The suite runs these with {@code forks(0)} so that both sides' stores stay open in {@link #PAIR}
 * for all rounds, alternating which side goes first (see {@link Rounds}); on SQLite or PostgreSQL,
 * whichever {@link BenchBackend} the pair was opened on. Not thread safe: each benchmark runs on
 * one JMH thread (the caller threads of a round are {@link RoundWork}'s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AppendBenchmarks {
  /** The comparison in progress; set by the suite (the benchmarks run in its JVM). */
  static final Handover<WritePair> PAIR = new Handover<>("AppendBenchmarks");

  private WritePair p;

  @Setup(Level.Trial)
  public void setUp() {
    p = PAIR.take();
  }

  /** 1: SwarmDB appendAll of the round in 1,000-row batches. */
  @Benchmark
  public int appendAll1000() {
    return RoundWork.appendAll(p.db.events(), p.events(), 1_000);
  }

  /** 1 and 3: raw batched insert of the same rows, 1,000 per transaction, one thread. */
  @Benchmark
  public int rawBatchInsert1000() throws Exception {
    return RoundWork.rawBatches(p.raw(), p.rawInsert(), p.events(), 1_000);
  }

  /** 2: every caller thread appending its share one {@code append} at a time (group commit). */
  @Benchmark
  public int append() throws Exception {
    return RoundWork.append(p.pool, p.db.events(), p.events(), p.threads());
  }

  /** 2(a): one thread committing raw batches as large as the caller count. */
  @Benchmark
  public int rawGroupBatch() throws Exception {
    return RoundWork.rawBatches(p.raw(), p.rawInsert(), p.events(), p.threads());
  }

  /** 2(b): every caller thread building its rows, then autocommit inserts through one lock. */
  @Benchmark
  public int rawAutocommitLocked() throws Exception {
    return RoundWork.rawAutocommitLocked(p.pool, p.rawInsert(), p.events(), p.threads());
  }

  /** 2(b) on PostgreSQL: every caller thread inserting in autocommit on its own connection. */
  @Benchmark
  public int rawAutocommitOwnConnection() throws Exception {
    return RoundWork.rawAutocommitOwnConnection(
        p.pool, p.ownInserts(p.threads()), p.events(), p.threads());
  }

  /** 3: one thread keeping up to 1,000 appendAsync calls in flight, until all have committed. */
  @Benchmark
  public int appendAsync1000() throws Exception {
    return RoundWork.appendAsync(p.db.events(), p.events());
  }
}
