package io.moaiflow.swarmdb.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The fair method: the sides of a comparison run interleaved in this JVM (JMH {@code forks(0)}),
 * against stores that stay open and grow by the same rows each round. Round {@code r} runs the
 * sides rotated by {@code r + 1} places, so with two sides the raw side goes first in even rounds
 * and SwarmDB in odd ones; {@value #DEFAULT_ROUNDS} measured rounds by default (at least {@value
 * #MIN_ROUNDS}) after {@code bench.warmupRounds} (default 1) unreported ones. A write round is a
 * fixed amount of work timed as one JMH single shot; a read round samples each side for {@code
 * bench.sampleMillis} (default 1,000). Every ratio is taken within one round and summarised as the
 * median and min–max over the rounds. Not thread safe (used by the suite's thread).
 */
final class Rounds {
  static final int DEFAULT_ROUNDS = 7;
  static final int MIN_ROUNDS = 5;

  /** A write-path ratio above this (SwarmDB faster than the same work done by hand) is suspect. */
  static final double SUSPICIOUS = 1.05;

  private static final String PKG = "io.moaiflow.swarmdb.bench.";

  private Rounds() {}

  static int rounds() {
    int n = Integer.getInteger("bench.rounds", DEFAULT_ROUNDS);
    if (n < MIN_ROUNDS) {
      throw new IllegalArgumentException(
          "bench.rounds is "
              + n
              + "; the fair method needs at least "
              + MIN_ROUNDS
              + " rounds (default "
              + DEFAULT_ROUNDS
              + ")");
    }
    return n;
  }

  static int warmupRounds() {
    int n = Integer.getInteger("bench.warmupRounds", 1);
    if (n < 0) {
      throw new IllegalArgumentException("bench.warmupRounds is " + n + "; it must be 0 or more");
    }
    return n;
  }

  /** Rows in each side's prefilled event table (default 1,000,000; {@code bench.prefill}). */
  static long prefill() {
    long n = Long.getLong("bench.prefill", 1_000_000L);
    if (n < 0) {
      throw new IllegalArgumentException("bench.prefill is " + n + "; it must be 0 or more");
    }
    return n;
  }

  /** {@code rows} × {@code bench.scale} (default 1), a multiple of {@code multiple}, at least one. */
  static int scaled(int rows, int multiple) {
    double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
    if (!(scale > 0)) {
      throw new IllegalArgumentException("bench.scale is " + scale + "; it must be above 0");
    }
    long m = Math.max(1, Math.round(rows * scale / multiple));
    return Math.toIntExact(m * multiple);
  }

  static Duration sample() {
    return Duration.ofMillis(Long.getLong("bench.sampleMillis", 1_000L));
  }

  /** The order of {@code n} sides (index 0 is SwarmDB) in round {@code r}. */
  static int[] order(int n, int r) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.floorMod(i + r + 1, n);
    }
    return out;
  }

  /**
   * One side of a write comparison.
   *
   * @param tag its short name in per-round lists
   * @param label its name in the report
   * @param benchmark the {@link AppendBenchmarks} method
   * @param rowsPerTransaction rows per transaction by construction, or 0 for SwarmDB (counted)
   */
  record WriteSide(String tag, String label, String benchmark, double rowsPerTransaction) {
    boolean swarm() {
      return rowsPerTransaction == 0;
    }
  }

  /**
   * Per-round figures of a write comparison, side 0 being SwarmDB.
   *
   * @param sides the sides
   * @param rows rows each side wrote per round
   * @param rowsPerSecond [side][round]
   * @param rowsPerTransaction [side][round]; SwarmDB's from its writer's transaction counter
   * @param first the side that went first, per round
   */
  record Writes(
      List<WriteSide> sides,
      int rows,
      double[][] rowsPerSecond,
      double[][] rowsPerTransaction,
      String[] first) {
    /** SwarmDB rows/s ÷ side {@code raw}'s rows/s, per round. */
    double[] ratio(int raw) {
      double[] out = new double[first.length];
      for (int r = 0; r < out.length; r++) {
        out[r] = rowsPerSecond[0][r] / rowsPerSecond[raw][r];
      }
      return out;
    }
  }

  /** Runs the rounds of a write comparison; {@code callers} threads where a side uses them. */
  static Writes writes(WritePair pair, int rows, int callers, List<WriteSide> sides)
      throws Exception {
    int rounds = rounds();
    int n = sides.size();
    double[][] rate = new double[n][rounds];
    double[][] perTx = new double[n][rounds];
    String[] first = new String[rounds];
    return AppendBenchmarks.PAIR.during(
        pair,
        () -> {
          for (int r = -warmupRounds(); r < rounds; r++) {
            pair.newRound(rows, callers);
            int[] order = order(n, r);
            for (int s : order) {
              WriteSide side = sides.get(s);
              if (s > 0) {
                pair.useRaw(s);
              }
              long tx = pair.swarmTransactions();
              double micros = singleShot("AppendBenchmarks." + side.benchmark());
              long txDelta = pair.swarmTransactions() - tx;
              if (r >= 0) {
                rate[s][r] = rows / (micros / 1e6);
                perTx[s][r] = side.swarm() ? (double) rows / txDelta : side.rowsPerTransaction();
              }
            }
            if (r >= 0) {
              first[r] = sides.get(order[0]).tag();
            }
            System.out.printf(
                "[bench] %s: %s done (%,d rows per side)%n",
                sides.get(0).label(),
                r < 0 ? "warm-up round" : "round " + (r + 1) + " of " + rounds,
                rows);
          }
          return new Writes(List.copyOf(sides), rows, rate, perTx, first);
        });
  }

  /**
   * Per-round latency percentiles (µs) of a read or single-row comparison.
   *
   * @param p50 [0 SwarmDB, 1 raw][round]
   * @param p99 [0 SwarmDB, 1 raw][round]
   * @param samples [side][round] calls sampled
   */
  record Latencies(double[][] p50, double[][] p99, long[][] samples) {
    /** SwarmDB p50 ÷ raw p50 per round: how many times slower SwarmDB's median call is. */
    double[] p50Ratio() {
      double[] out = new double[p50[0].length];
      for (int r = 0; r < out.length; r++) {
        out[r] = p50[0][r] / p50[1][r];
      }
      return out;
    }
  }

  /** Samples both sides of a latency comparison, alternating which goes first. */
  static Latencies latencies(String clazz, String swarmBenchmark, String rawBenchmark)
      throws RunnerException {
    int rounds = rounds();
    double[][] p50 = new double[2][rounds];
    double[][] p99 = new double[2][rounds];
    long[][] samples = new long[2][rounds];
    String[] names = {swarmBenchmark, rawBenchmark};
    for (int r = -warmupRounds(); r < rounds; r++) {
      for (int s : order(2, r)) {
        RunResult result = jmh(sampled(clazz + "." + names[s]));
        if (r >= 0) {
          p50[s][r] = Report.percentile(result, 50);
          p99[s][r] = Report.percentile(result, 99);
          samples[s][r] = result.getPrimaryResult().getStatistics().getN();
        }
      }
    }
    return new Latencies(p50, p99, samples);
  }

  private static ChainedOptionsBuilder base(String benchmark) {
    return new OptionsBuilder()
        .include(PKG + benchmark + "$")
        .forks(0) // this JVM: both sides' open stores stay in the benchmarks' static holders
        .threads(1)
        .warmupIterations(0) // the warm-up rounds warm both sides alike
        .measurementIterations(1)
        .verbosity(VerboseMode.SILENT)
        .shouldFailOnError(true);
  }

  private static ChainedOptionsBuilder sampled(String benchmark) {
    return base(benchmark)
        .mode(Mode.SampleTime)
        .timeUnit(TimeUnit.MICROSECONDS)
        .measurementTime(TimeValue.milliseconds(sample().toMillis()));
  }

  /** One timed single shot of {@code benchmark}, in microseconds. */
  static double singleShot(String benchmark) throws RunnerException {
    RunResult r =
        jmh(
            base(benchmark)
                .mode(Mode.SingleShotTime)
                .timeUnit(TimeUnit.MICROSECONDS)
                .measurementBatchSize(1));
    return r.getPrimaryResult().getScore();
  }

  private static RunResult jmh(ChainedOptionsBuilder options) throws RunnerException {
    Collection<RunResult> results = new Runner(options.build()).run();
    if (results.size() != 1) {
      throw new IllegalStateException("expected one JMH result, got " + results.size());
    }
    return results.iterator().next();
  }

  /**
   * The median and range of per-round figures.
   *
   * @param median the median (the mean of the middle two for an even count)
   * @param min the smallest
   * @param max the largest
   */
  record Summary(double median, double min, double max) {
    static Summary of(double[] values) {
      double[] v = values.clone();
      Arrays.sort(v);
      int n = v.length;
      double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      return new Summary(median, v[0], v[n - 1]);
    }

    /** For example {@code 0.93 (0.85–0.99)}. */
    String ratio() {
      return Report.fmt("%.2f (%.2f–%.2f)", median, min, max);
    }

    String rate() {
      return Report.fmt("%,.0f (%,.0f–%,.0f)", median, min, max);
    }

    String perTransaction() {
      return Report.fmt("%,.1f (%,.1f–%,.1f)", median, min, max);
    }

    String micros() {
      return Report.fmt("%.0f (%.0f–%.0f)", median, min, max);
    }
  }

  /** Rounds whose ratio is above {@link #SUSPICIOUS}. */
  static long above(double[] ratios) {
    return Arrays.stream(ratios).filter(v -> v > SUSPICIOUS).count();
  }
}
