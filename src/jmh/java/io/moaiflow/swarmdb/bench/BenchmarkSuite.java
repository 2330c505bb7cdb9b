package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.SwarmDB;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Runs the whole suite (or the parts named on the command line) and writes {@code
 * target/bench/report.md}. Started by {@code ./mvnw -B -Pbench -DskipTests package}; parts: {@code
 * appendall, concurrent, async, query, memory, scale, retention, heap, size, tuning, pg} (default
 * {@code all}; {@code scale10m} adds a 10,000,000-event size to {@code scale} and runs only when
 * named, since building it is slow). {@code pg} runs sections 1, 2 and 4 on the PostgreSQL
 * server named by {@value BenchBackend#PG_URL} (environment variable or system property) beside
 * raw pgjdbc; {@code all} includes it only when that variable is set, and {@code pg} without it
 * fails naming it. Every comparison follows {@link Rounds}: both sides interleaved in this JVM on
 * same-sized tables, the ratio taken per round and reported as median (min–max). Sizes: {@code
 * -Dbench.rounds} (default 7, at least 5), {@code -Dbench.warmupRounds} (1), {@code
 * -Dbench.prefill} (rows in each write table before the first round, 1,000,000), {@code
 * -Dbench.scale} (rows per round × this, 1), {@code -Dbench.sampleMillis} (sampling per side per
 * round of the latency comparisons, 1,000), {@code -Dbench.queryRows} (events in the query
 * fixture, 1,000,000). Not thread safe (a program's entry point).
 */
public final class BenchmarkSuite {
  private static final String PKG = "io.moaiflow.swarmdb.bench.";
  private static final int[] THREADS = {1, 4, 16, 64};

  /**
   * One backend's run of the shared sections: its report heading decoration, raw driver, the
   * per-thread autocommit baseline (b) of section 2, and whether the design targets apply.
   */
  private record Side(
      String backend,
      String prefix,
      String suffix,
      String driver,
      String autocommitBenchmark,
      String autocommitLabel,
      boolean targets) {
    BenchBackend store() {
      return BenchBackend.of(backend);
    }
  }

  private static final Side SQLITE =
      new Side(
          "sqlite",
          "",
          "",
          "sqlite-jdbc",
          "rawAutocommitLocked",
          "autocommit through a lock",
          true);
  private static final Side PG =
      new Side(
          "pg",
          "PG ",
          " — PostgreSQL",
          "pgjdbc",
          "rawAutocommitOwnConnection",
          "autocommit, connection per thread",
          false);

  private BenchmarkSuite() {}

  /**
   * Entry point.
   *
   * @param args the target directory, then an optional comma-separated list of parts
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args.length > 0 ? args[0] : "target").toAbsolutePath();
    Set<String> parts =
        new HashSet<>(Arrays.asList((args.length > 1 ? args[1] : "all").split(",")));
    boolean all = parts.contains("all");
    Path data = target.resolve("bench-data");
    System.setProperty("bench.dataDir", data.toString());
    Report report = new Report();
    if (parts.contains("pg") || (all && BenchBackend.pgUrl() != null)) {
      BenchBackend.requirePgUrl(); // fails early, naming the variable
      parts.add("pg");
    } else if (all) {
      report.note(
          "PostgreSQL part skipped: "
              + BenchBackend.PG_URL
              + " is not set (see docs/performance.md)");
    }
    Map<String, String> env = environment(data);
    env.put("load average at start", Report.loadAverage());

    if (parts.contains("pg")) {
      BenchBackend.Postgres pg = (BenchBackend.Postgres) BenchBackend.of("pg");
      for (Map.Entry<String, String> e : pg.settings().entrySet()) {
        env.put("PostgreSQL " + e.getKey(), e.getValue());
      }
    }

    if (all || parts.contains("appendall")) {
      appendAll(report, SQLITE);
    }
    if (all || parts.contains("concurrent")) {
      concurrent(report, SQLITE);
    }
    if (all || parts.contains("async")) {
      async(report, SQLITE);
    }
    if (all || parts.contains("query")) {
      queries(report, SQLITE);
    }
    if (parts.contains("pg")) {
      appendAll(report, PG);
      concurrent(report, PG);
      queries(report, PG);
    }
    if (all || parts.contains("memory")) {
      memory(report);
    }
    if (all || parts.contains("history")) {
      history(report);
    }
    if (all || parts.contains("recall") || parts.contains("recalltext")) {
      recall(report, !parts.contains("recalltext"));
    }
    if (all || parts.contains("scale") || parts.contains("scale10m")) {
      scale(
          report,
          parts.contains("scale10m")
              ? new long[] {10_000, 100_000, 1_000_000, 10_000_000}
              : new long[] {10_000, 100_000, 1_000_000});
    }
    if (all || parts.contains("retention")) {
      RetentionHarness.run(report, 1_000_000);
    }
    if (all || parts.contains("heap")) {
      heap(report);
    }
    if (all || parts.contains("size")) {
      size(report, target);
    }
    if (all || parts.contains("tuning")) {
      report.heading("Tuning sweep (timed loops, not JMH)");
      TuningHarness.run(report);
    }
    env.put("load average at end", Report.loadAverage());
    List<String> header = new ArrayList<>();
    header.add("## Run of " + Instant.now());
    header.add("");
    for (Map.Entry<String, String> e : env.entrySet()) {
      header.add("- " + e.getKey() + ": " + e.getValue());
    }
    header.add("- parts: " + String.join(",", parts));
    report.write(target.resolve("bench/report.md"), header);
  }

  private static void appendAll(Report report, Side side) throws Exception {
    long prefill = Rounds.prefill();
    Rounds.Writes w =
        oneThreadVersusRawBatches(
            side,
            "appendall",
            Rounds.scaled(50_000, 1_000),
            new Rounds.WriteSide("SwarmDB", "SwarmDB appendAll", "appendAll1000", 0),
            "raw " + side.driver() + " batched insert");
    report.heading(
        Report.fmt(
            "%s1. appendAll, 1,000-row batches into a %,d-event table%s",
            side.prefix(), prefill, side.suffix()));
    report.method(w);
    report.writeRounds(w);
    report.suspicious("1. appendAll vs raw batched insert", w.ratio(1));
    if (side.targets()) {
      report.verdict("1. appendAll 1,000-row batches ≥ 0.95 × raw", w.ratio(1), 0.95, true);
    }
  }

  /** Rounds of {@code swarm} beside raw 1,000-row batches, one thread, on fresh stores. */
  private static Rounds.Writes oneThreadVersusRawBatches(
      Side side, String name, int rows, Rounds.WriteSide swarm, String rawLabel) throws Exception {
    try (WritePair pair = WritePair.open(side.store(), name, Rounds.prefill(), 1)) {
      return Rounds.writes(
          pair,
          rows,
          1,
          List.of(swarm, new Rounds.WriteSide("raw", rawLabel, "rawBatchInsert1000", 1_000)));
    }
  }

  private static void async(Report report, Side side) throws Exception {
    long prefill = Rounds.prefill();
    Rounds.Writes w =
        oneThreadVersusRawBatches(
            side,
            "async",
            Rounds.scaled(20_000, 1_000),
            new Rounds.WriteSide("SwarmDB", "SwarmDB appendAsync", "appendAsync1000", 0),
            "raw " + side.driver() + " 1,000-row batches");
    report.heading(
        Report.fmt(
            "%s3. appendAsync from one thread, up to 1,000 in flight, into a %,d-event table%s",
            side.prefix(), prefill, side.suffix()));
    report.method(w);
    report.line(
        "A round ends when every appendAsync future of the round has completed: rows are counted"
            + " when committed, not when submitted.");
    report.line("");
    report.writeRounds(w);
    report.suspicious("3. appendAsync vs raw 1,000-row batches", w.ratio(1));
    if (side.targets()) {
      report.verdict("3. appendAsync ≥ 0.9 × raw 1,000-row batches", w.ratio(1), 0.9, true);
    }
  }

  private static void queries(Report report, Side side) throws Exception {
    BenchBackend store = side.store();
    store.buildQueryFixture();
    report.heading(
        Report.fmt(
            "%s4. Queries over %,d events (µs, one thread)%s",
            side.prefix(), Fixtures.queryRows(), side.suffix()));
    String[][] rows = {
      {"agent's newest 100", "agentNewest100", "rawAgentNewest100"},
      {"session timeline (newest 100)", "sessionTimeline100", "rawSessionTimeline100"},
      {"type in a 1-hour window (≤ 100)", "typeInHourWindow", "rawTypeInHourWindow"}
    };
    List<Rounds.Latencies> results;
    try (QueryBenchmarks.Stores stores = new QueryBenchmarks.Stores(store)) {
      results =
          QueryBenchmarks.STORES.during(
              stores, () -> latencyTable(report, "QueryBenchmarks", rows));
    }
    if (side.targets()) {
      Rounds.Latencies agent = results.get(0);
      report.verdict(
          "4. agent's newest 100: p50 ≤ 1.1 × raw+Jackson", agent.p50Ratio(), 1.1, false);
      Rounds.Summary p99 = Rounds.Summary.of(agent.p99()[0]);
      report.verdict(
          "4. agent's newest 100: p99 < 2 ms",
          p99.median() < 2_000,
          "median of per-round p99 " + p99.micros() + " µs");
    }
  }

  /**
   * Measures each row's pair of benchmarks ({label, SwarmDB method, raw method}) and prints the
   * latency table; returns the measurements in row order.
   */
  private static List<Rounds.Latencies> latencyTable(
      Report report, String benchmarks, String[][] rows) throws Exception {
    List<Rounds.Latencies> results = new ArrayList<>();
    for (String[] row : rows) {
      results.add(Rounds.latencies(benchmarks, row[1], row[2]));
    }
    report.latencyMethod();
    report.latencyHeader();
    for (int i = 0; i < rows.length; i++) {
      report.latencyRow(rows[i][0], results.get(i));
    }
    return results;
  }

  private static void memory(Report report) throws Exception {
    report.heading("5. Session memory (µs, one thread)");
    String[][] rows = {
      {"get", "get", "rawGet"},
      {"put, no TTL", "put", "rawPut"},
      {"put with TTL", "putWithTtl", "rawPutWithTtl"}
    };
    List<Rounds.Latencies> results;
    try (MemoryBenchmarks.Stores stores = new MemoryBenchmarks.Stores()) {
      results =
          MemoryBenchmarks.STORES.during(
              stores, () -> latencyTable(report, "MemoryBenchmarks", rows));
    }
    for (int i = 1; i < rows.length; i++) {
      // a write path: SwarmDB's median put faster than the same upsert by hand is suspect
      double[] speed = results.get(i).p50Ratio().clone();
      for (int r = 0; r < speed.length; r++) {
        speed[r] = 1 / speed[r];
      }
      report.suspicious("5. memory " + rows[i][0] + " (raw p50 ÷ SwarmDB p50)", speed);
    }
    report.verdict("5. memory put: p50 ≤ 1.2 × raw upsert", results.get(1).p50Ratio(), 1.2, false);
    report.verdict(
        "5. memory get: p50 ≤ 1.15 × raw select", results.get(0).p50Ratio(), 1.15, false);
  }

  /**
   * Issue 17's costs: memory put with and without the history triggers (side by side); an as-of
   * view over the events fixture and {@link HistoryBenchmarks#VERSIONS} memory versions, its first
   * read and each lookup (absolute targets, the live lookup beside for scale).
   */
  private static void history(Report report) throws Exception {
    report.heading("Flight recorder (issue 17; µs, one thread)");
    try (HistoryBenchmarks.Stores stores = new HistoryBenchmarks.Stores()) {
      HistoryBenchmarks.STORES.during(
          stores,
          () -> {
            List<Rounds.Latencies> r =
                latencyTable(
                    report,
                    "HistoryBenchmarks",
                    new String[][] {
                      {"memory put, history on (vs its triggers dropped)",
                        "putWithHistory", "putWithoutHistory"},
                      {Report.fmt("as-of first read over %,d events, %,d versions (vs live)",
                          Fixtures.queryRows(), HistoryBenchmarks.VERSIONS),
                        "asOfFirstRead", "liveLookup"},
                      {"as-of key lookup on an open view (vs live)", "asOfLookup", "liveLookup"},
                      {"append with causal links, 2 causes + 2 reads (vs without)",
                        "appendWithLinks", "appendWithoutLinks"}
                    });
            report.verdict(
                "history: memory put with history: p50 ≤ 1.25 × without",
                r.get(0).p50Ratio(),
                1.25,
                false);
            Rounds.Summary first = Rounds.Summary.of(r.get(1).p99()[0]);
            report.verdict(
                "history: as-of first read p99 < 50 ms",
                first.median() < 50_000,
                "median of per-round p99 " + first.micros() + " µs");
            Rounds.Summary lookup = Rounds.Summary.of(r.get(2).p99()[0]);
            report.verdict(
                "history: as-of lookup p99 < 2 ms",
                lookup.median() < 2_000,
                "median of per-round p99 " + lookup.micros() + " µs");
            report.verdict(
                "history: append with causal links: p50 ≤ 1.1 × without",
                r.get(3).p50Ratio(),
                1.1,
                false);
            return r;
          });
    }
  }

  /**
   * Issue 15's costs: full-text top 10 over the event fixture beside the same FTS5 query by hand;
   * memory put with and without the full-text triggers; appendAll with event indexing on and off
   * (fixed work per round, interleaved); with {@code semantic}, vector top 10 over 100,000 vectors
   * beside sqlite-vec and the same filtered to one 10,000-vector scope.
   */
  private static void recall(Report report, boolean semantic) throws Exception {
    report.heading("Recall (issue 15; µs, one thread)");
    try (RecallBenchmarks.Stores stores = new RecallBenchmarks.Stores(semantic)) {
      RecallBenchmarks.STORES.during(
          stores,
          () -> {
            List<Rounds.Latencies> text =
                latencyTable(
                    report,
                    "RecallBenchmarks",
                    new String[][] {
                      {Report.fmt("full-text top 10 over %,d events (vs the FTS5 query by hand)",
                          Fixtures.queryRows()),
                        "textTop10", "rawTextTop10"},
                      {"memory put, full-text index on (vs triggers dropped)",
                        "putIndexed", "putUnindexed"}
                    });
            Rounds.Summary p99 = Rounds.Summary.of(text.get(0).p99()[0]);
            report.verdict(
                Report.fmt("recall: full-text top 10 over %,d events: p99 < 5 ms",
                    Fixtures.queryRows()),
                p99.median() < 5_000,
                "median of per-round p99 " + p99.micros() + " µs");
            report.verdict(
                "recall: memory put with FTS indexing: p50 ≤ 1.3 × without",
                text.get(1).p50Ratio(),
                1.3,
                false);
            int rounds = Rounds.rounds();
            double[] ratio = new double[rounds];
            double[][] micros = new double[2][rounds];
            String[] names = {"appendIndexed", "appendUnindexed"};
            for (int r = -Rounds.warmupRounds(); r < rounds; r++) {
              stores.newAppendRound();
              for (int side : Rounds.order(2, r)) {
                double t = Rounds.singleShot("RecallBenchmarks." + names[side]);
                if (r >= 0) {
                  micros[side][r] = t;
                }
              }
              if (r >= 0) {
                ratio[r] = micros[0][r] / micros[1][r];
              }
            }
            report.line("");
            report.line(
                Report.fmt(
                    "appendAll of %d × %,d events per round into 100,000-event tables, sides"
                        + " interleaved: indexing on %s µs, off %s µs per round; ratio on/off %s.",
                    RecallBenchmarks.APPEND_BATCHES,
                    RecallBenchmarks.APPEND_BATCH,
                    Rounds.Summary.of(micros[0]).micros(),
                    Rounds.Summary.of(micros[1]).micros(),
                    Rounds.Summary.of(ratio).ratio()));
            report.verdict("recall: appendAll, event indexing on ≤ 1.5 × off", ratio, 1.5, false);
            if (semantic) {
              List<Rounds.Latencies> vec =
                  stores.vecQuery == null
                      ? List.of()
                      : latencyTable(
                          report,
                          "RecallBenchmarks",
                          new String[][] {
                            {Report.fmt("vector top 10 over %,d × 384 (vs sqlite-vec vec0 brute"
                                + " force)", RecallBenchmarks.VECTORS),
                              "vectorTop10", "vec0Top10"}
                          });
              if (vec.isEmpty()) {
                report.note("sqlite-vec could not be fetched with npm: no comparison was run");
              } else {
                report.verdict(
                    Report.fmt("recall: vector top 10 over %,d: p50 ≤ 0.5 × sqlite-vec",
                        RecallBenchmarks.VECTORS),
                    vec.get(0).p50Ratio(),
                    0.5,
                    false);
              }
              List<Rounds.Latencies> scoped =
                  latencyTable(
                      report,
                      "RecallBenchmarks",
                      new String[][] {
                        {Report.fmt("vector top 10 in a %,d-vector scope (vs the unfiltered"
                            + " search)", RecallBenchmarks.SCOPED_VECTORS),
                          "vectorScopedTop10", "vectorTop10"}
                      });
              Rounds.Summary sp99 = Rounds.Summary.of(scoped.get(0).p99()[0]);
              report.verdict(
                  Report.fmt("recall: vector top 10, scope of %,d: p99 < 20 ms",
                      RecallBenchmarks.SCOPED_VECTORS),
                  sp99.median() < 20_000,
                  "median of per-round p99 " + sp99.micros() + " µs");
            }
            return null;
          });
    }
  }

  /**
   * Part 3 of issue 13: appendAll throughput (beside raw batches) and the agent's newest 100
   * (beside raw+Jackson) on tables of each size, prefilled alike on both sides.
   */
  private static void scale(Report report, long[] sizes) throws Exception {
    report.heading("Scale: appendAll and the agent's newest 100 by table size");
    List<Rounds.Writes> writes = new ArrayList<>();
    List<Rounds.Latencies> reads = new ArrayList<>();
    for (long size : sizes) {
      try (WritePair pair = WritePair.open(SQLITE.store(), "scale", size, 1)) {
        writes.add(
            Rounds.writes(
                pair,
                Rounds.scaled(20_000, 1_000),
                1,
                List.of(
                    new Rounds.WriteSide(
                        "SwarmDB", "SwarmDB appendAll, " + size + " events", "appendAll1000", 0),
                    new Rounds.WriteSide(
                        "raw", "raw batched insert", "rawBatchInsert1000", 1_000))));
        try (QueryBenchmarks.Stores stores =
            new QueryBenchmarks.Stores(
                pair.db, pair.connectRaw(1), SQLITE.store().columns(), false)) {
          reads.add(
              QueryBenchmarks.STORES.during(
                  stores,
                  () ->
                      Rounds.latencies("QueryBenchmarks", "agentNewest100", "rawAgentNewest100")));
        }
      }
    }
    report.method(writes.get(0));
    report.line(
        "Each size gets fresh stores prefilled with that many events (1,000 agents); the query"
            + " rounds follow the write rounds on the same stores (SwarmDB on its store, raw on"
            + " the raw side's store: the same rows). With 10,000 events an agent has only 10"
            + " prefilled events, so its newest 100 are mostly the rows the write rounds added.");
    report.line("");
    report.line(
        "| events before | SwarmDB appendAll rows/s | raw rows/s | ratio | newest 100 SwarmDB p50 µs"
            + " | p99 µs | raw p50 µs | p50 ratio SwarmDB/raw |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < sizes.length; i++) {
      Rounds.Writes w = writes.get(i);
      Rounds.Latencies l = reads.get(i);
      report.line(
          Report.fmt(
              "| %,d | %s | %s | **%s** | %s | %s | %s | **%s** |",
              sizes[i],
              Rounds.Summary.of(w.rowsPerSecond()[0]).rate(),
              Rounds.Summary.of(w.rowsPerSecond()[1]).rate(),
              Rounds.Summary.of(w.ratio(1)).ratio(),
              Rounds.Summary.of(l.p50()[0]).micros(),
              Rounds.Summary.of(l.p99()[0]).micros(),
              Rounds.Summary.of(l.p50()[1]).micros(),
              Rounds.Summary.of(l.p50Ratio()).ratio()));
    }
    for (int i = 0; i < sizes.length; i++) {
      report.suspicious(
          Report.fmt("scale: appendAll into %,d events vs raw batched insert", sizes[i]),
          writes.get(i).ratio(1));
    }
  }

  private static String threads(int t) {
    return t == 1 ? "1 thread" : t + " threads";
  }

  private static void concurrent(Report report, Side side) throws Exception {
    long prefill = Rounds.prefill();
    report.heading(
        Report.fmt(
            "%s2. Concurrent single appends (group commit) into a %,d-event table%s",
            side.prefix(), prefill, side.suffix()));
    List<Rounds.Writes> all = new ArrayList<>();
    try (WritePair pair = WritePair.open(side.store(), "concurrent", prefill, 2)) {
      for (int t : THREADS) {
        int rows = Rounds.scaled(8_000, t);
        all.add(
            Rounds.writes(
                pair,
                rows,
                t,
                List.of(
                    new Rounds.WriteSide("SwarmDB", "SwarmDB append, " + t + " threads", "append", 0),
                    new Rounds.WriteSide(
                        "(a)",
                        "(a) raw " + t + "-row batches, one thread", "rawGroupBatch", t),
                    new Rounds.WriteSide(
                        "(b)",
                        "(b) raw " + side.autocommitLabel() + ", " + t + " threads",
                        side.autocommitBenchmark(),
                        1))));
      }
    }
    report.method(all.get(0));
    report.line(
        "All thread counts run on the same two stores, one after the other (the tables grow alike);"
            + " rows per round: "
            + all.stream().map(w -> Report.fmt("%,d", w.rows())).toList()
            + " for "
            + Arrays.toString(THREADS)
            + " threads. (a) is one thread committing batches as large as the caller count; (b)"
            + " is "
            + side.autocommitLabel()
            + ", each caller building its rows (id, JSON) on its own thread"
            + (side.targets() ? " and only the insert under the lock." : "."));
    report.line("");
    report.line(
        "| threads | SwarmDB rows/s | SwarmDB rows/tx | (a) rows/s | ratio vs (a) | (b) rows/s |"
            + " ratio vs (b) |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < THREADS.length; i++) {
      Rounds.Writes w = all.get(i);
      report.line(
          Report.fmt(
              "| %d | %s | %s | %s | **%s** | %s | **%s** |",
              THREADS[i],
              Rounds.Summary.of(w.rowsPerSecond()[0]).rate(),
              Rounds.Summary.of(w.rowsPerTransaction()[0]).perTransaction(),
              Rounds.Summary.of(w.rowsPerSecond()[1]).rate(),
              Rounds.Summary.of(w.ratio(1)).ratio(),
              Rounds.Summary.of(w.rowsPerSecond()[2]).rate(),
              Rounds.Summary.of(w.ratio(2)).ratio()));
    }
    report.line("");
    report.line("Per-round ratios (round order; the first side of each round in brackets):");
    report.line("");
    for (int i = 0; i < THREADS.length; i++) {
      Rounds.Writes w = all.get(i);
      report.line(
          Report.fmt(
              "- %s: vs (a) %s; vs (b) %s",
              threads(THREADS[i]), Report.perRound(w, 1), Report.perRound(w, 2)));
    }
    for (int i = 0; i < THREADS.length; i++) {
      Rounds.Writes w = all.get(i);
      report.suspicious(
          "2. " + threads(THREADS[i]) + " append vs (a) raw " + THREADS[i] + "-row batches",
          w.ratio(1));
    }
    // one caller: SwarmDB commits one row per transaction, as autocommit does; with more callers
    // (b) commits per row where SwarmDB groups, so a ratio above 1 is the point, not a warning
    report.suspicious("2. 1 thread append vs (b) raw autocommit", all.get(0).ratio(2));
    if (side.targets()) {
      report.verdict(
          "2. 16 threads append ≥ 0.85 × raw 16-row batches", all.get(2).ratio(1), 0.85, true);
      report.verdict(
          "2. 64 threads append ≥ 0.9 × raw 64-row batches", all.get(3).ratio(1), 0.9, true);
      report.verdict(
          "2. 16 threads append ≥ 2 × raw autocommit through a lock", all.get(2).ratio(2), 2, true);
      report.verdict(
          "2. 1 thread append ≥ 0.8 × raw autocommit (durable on return)",
          all.get(0).ratio(2),
          0.8,
          true);
    }
  }

  private static Map<String, String> runChild(List<String> command)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, String> out = new LinkedHashMap<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println("[child] " + line);
        int eq = line.indexOf('=');
        if (eq > 0 && !line.contains(" ")) {
          out.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    int code = p.waitFor();
    out.put("exit", Integer.toString(code));
    return out;
  }

  private static List<String> java(String xmx, String main, String arg) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        xmx,
        "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
        "-Dbench.dataDir=" + System.getProperty("bench.dataDir"),
        "-Dbench.queryRows=" + Fixtures.queryRows(),
        "-cp",
        System.getProperty("java.class.path"),
        main,
        arg);
  }

  private static void heap(Report report) throws IOException, InterruptedException {
    Fixtures.queryFixture();
    report.heading("Memory");
    Map<String, String> s = runChild(java("-Xmx64m", PKG + "HeapHarness", "stream"));
    report.line(
        Report.fmt(
            "- `stream(EventQuery.all())` over %s rows in a JVM with -Xmx64m (exit %s, %s s):"
                + " heap used after GC before the stream %s MiB, peak sampled every 100,000 rows"
                + " %s MiB.",
            s.get("stream.rows"),
            s.get("exit"),
            s.get("stream.seconds"),
            mib(s.get("stream.baseUsed")),
            mib(s.get("stream.peakUsed"))));
    StringBuilder samples = new StringBuilder("  Samples (rows: MiB):");
    for (Map.Entry<String, String> e : s.entrySet()) {
      if (e.getKey().startsWith("stream.sample.")) {
        samples
            .append(' ')
            .append(e.getKey().substring("stream.sample.".length()))
            .append(": ")
            .append(mib(e.getValue()))
            .append(';');
      }
    }
    report.line(samples.toString());
    Map<String, String> q = runChild(java("-Xmx512m", PKG + "HeapHarness", "queue"));
    report.line(
        Report.fmt(
            "- Writer queue (writer held behind another connection's write lock; exit %s): 16"
                + " threads with one append each in flight added %s KiB of heap; %s queued"
                + " appendAsync calls added %s MiB = %s bytes per queued append (task, future,"
                + " event, serialised metadata). At 16 threads the queue holds ≤ 16 tasks ≈ %s"
                + " KiB; the default capacity of 10,000 bounds it at ≈ %s MiB. Committed after"
                + " release: %s.",
            q.get("exit"),
            kib(q.get("queue.sixteen.bytes")),
            q.get("queue.appends"),
            mib(q.get("queue.bytes")),
            q.get("queue.bytesPerAppend"),
            kib(times(q.get("queue.bytesPerAppend"), 16)),
            mib(times(q.get("queue.bytesPerAppend"), 10_000)),
            q.get("queue.committed")));
    Map<String, String> a = runChild(java("-Xmx256m", PKG + "HeapHarness", "appender"));
    report.line(
        Report.fmt(
            "- A 16-thread appender (each thread one `append` at a time, 20 s, -Xmx256m; exit %s):"
                + " %s rows (%s rows/s). Resident set (VmRSS) %s MiB before, peak %s MiB; heap"
                + " used after GC %s MiB before, peak %s MiB (sampled every 2 s).",
            a.get("exit"),
            a.get("appender.rows"),
            a.get("appender.rowsPerSecond"),
            mib(a.get("appender.baseRss")),
            mib(a.get("appender.peakRss")),
            mib(a.get("appender.baseHeap")),
            mib(a.get("appender.peakHeap"))));
  }

  private static String times(String v, long n) {
    return v == null ? null : Long.toString(Long.parseLong(v) * n);
  }

  private static String mib(String bytes) {
    return bytes == null ? "?" : Report.fmt("%.1f", Long.parseLong(bytes) / 1048576.0);
  }

  private static String kib(String bytes) {
    return bytes == null ? "?" : Report.fmt("%.1f", Long.parseLong(bytes) / 1024.0);
  }

  private static void size(Report report, Path target) throws Exception {
    report.heading("7. `swarmdb size` on a ~1 GB database");
    Path jar = findCliJar(target);
    if (jar == null) {
      report.line("Not measured: no target/swarmdb.jar with a `size` command was found.");
      report.verdict("7. `size` on ~1 GB < 0.5 s", false, "not measured (no CLI jar)");
      return;
    }
    Path file = Fixtures.fixture("size-1g.db", 1_000_000, 900);
    long bytes = Files.size(file);
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString(),
            "size",
            "--db",
            file.toString());
    Latencies wall = new Latencies();
    String output = "";
    for (int i = 0; i < 6; i++) {
      long s = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      int code = p.waitFor();
      long took = System.nanoTime() - s;
      if (code != 0) {
        throw new IllegalStateException("size exited " + code + ": " + output);
      }
      if (i > 0) {
        wall.add(took); // the first run warms the page cache and the JDK's class data
      }
    }
    report.line(
        Report.fmt(
            "`java -jar %s size --db FILE` on a %,d-byte database (1,000,000 events): printed"
                + " `%s`; wall time over 5 runs: median %.0f ms, max %.0f ms.",
            jar, bytes, output, wall.percentileMs(50), wall.maxMs()));
    report.verdict(
        "7. `size` on ~1 GB < 0.5 s",
        wall.percentileMs(50) < 500,
        Report.fmt("median %.0f ms, max %.0f ms", wall.percentileMs(50), wall.maxMs()));
  }

  private static Path findCliJar(Path target) throws IOException {
    String given = System.getProperty("bench.cliJar");
    List<Path> candidates = new ArrayList<>();
    if (given != null) {
      candidates.add(Path.of(given));
    }
    candidates.add(target.resolve("swarmdb.jar"));
    for (Path jar : candidates) {
      if (Files.isRegularFile(jar)) {
        try (JarFile j = new JarFile(jar.toFile())) {
          if (j.getEntry("io/moaiflow/swarmdb/cli/Main.class") != null) {
            return jar;
          }
        }
      }
    }
    return null;
  }

  private static Map<String, String> environment(Path data) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("cores (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors()));
    env.put("memory", firstLine("/proc/meminfo", "MemTotal"));
    env.put(
        "JDK",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    Files.createDirectories(data);
    Path probe = data.resolve("probe.db");
    Fixtures.deleteDatabase(probe);
    try (SwarmDB db = Fixtures.open(probe)) {
      env.put("SQLite", db.inspect().info().sqliteVersion());
    }
    Fixtures.deleteDatabase(probe);
    Process p = new ProcessBuilder("df", "-hT", data.toString()).redirectErrorStream(true).start();
    String df = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    String[] dfLines = df.split("\n");
    env.put("disk (df -hT of the data dir)", dfLines[dfLines.length - 1].replaceAll("\\s+", " "));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return env;
  }

  private static String firstLine(String file, String prefix) throws IOException {
    Path p = Path.of(file);
    if (!Files.exists(p)) {
      return "?";
    }
    for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      if (l.startsWith(prefix)) {
        return l.substring(prefix.length() + 1).trim();
      }
    }
    return "?";
  }
}
