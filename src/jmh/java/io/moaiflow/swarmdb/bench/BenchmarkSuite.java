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
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole suite (or the parts named on the command line) and writes {@code
 * target/bench/report.md}. Started by {@code ./mvnw -B -Pbench -DskipTests package}; parts: {@code
 * appendall, concurrent, async, query, memory, retention, heap, size, tuning, pg} (default {@code
 * all}). {@code pg} runs sections 1, 2 and 4 on the PostgreSQL server named by {@value
 * BenchBackend#PG_URL} (environment variable or system property) beside raw pgjdbc; {@code all}
 * includes it only when that variable is set, and {@code pg} without it fails naming it. Short runs
 * on purpose (1 fork, 2 warm-up and 5 measured iterations of 1 s): the machine is shared, and what
 * counts is the ratio of figures measured side by side in one run.
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
      boolean targets,
      boolean rowsPerCommit) {}

  private static final Side SQLITE =
      new Side(
          "sqlite", "", "", "sqlite-jdbc", "rawAutocommitLocked", "autocommit+lock", true, false);
  private static final Side PG =
      new Side(
          "pg",
          "PG ",
          " — PostgreSQL",
          "pgjdbc",
          "rawAutocommitOwnConnection",
          "autocommit, connection per thread",
          false,
          true);

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

    RunResult rawBatch = null;
    if (all || parts.contains("appendall") || parts.contains("async")) {
      rawBatch = jmh(base(SQLITE, "AppendBenchmarks.rawBatchInsert1000"));
    }
    if (all || parts.contains("appendall")) {
      appendAll(report, SQLITE, rawBatch);
    }
    if (all || parts.contains("concurrent")) {
      concurrent(report, SQLITE);
    }
    if (all || parts.contains("async")) {
      RunResult async = jmh(base(SQLITE, "AppendBenchmarks.appendAsync1000"));
      Report.Rate s = Report.throughputRows(async, 1_000);
      Report.Rate r = Report.throughputRows(rawBatch, 1_000);
      Report.Rate ratio = s.ratioTo(r);
      report.heading("3. appendAsync from one thread, up to 1,000 in flight");
      report.line("| side | rows/s |");
      report.line("|---|---:|");
      report.line("| SwarmDB appendAsync | " + Report.rate(s) + " |");
      report.line("| raw sqlite-jdbc 1,000-row batches | " + Report.rate(r) + " |");
      report.line("| **ratio** | **" + Report.ratio(ratio) + "** |");
      report.verdict(
          "3. appendAsync vs raw 1,000-row batches ≥ 0.8",
          ratio.value() >= 0.8,
          Report.ratio(ratio));
    }
    if (all || parts.contains("query")) {
      queries(report, SQLITE);
    }
    if (parts.contains("pg")) {
      appendAll(report, PG, jmh(base(PG, "AppendBenchmarks.rawBatchInsert1000")));
      concurrent(report, PG);
      queries(report, PG);
    }
    if (all || parts.contains("memory")) {
      latencyTable(
          report,
          SQLITE,
          "5. Session memory (µs, one thread)",
          "MemoryBenchmarks",
          new String[][] {
            {"get", "get", "rawGet"},
            {"put, no TTL", "put", "rawPut"},
            {"put with TTL", "putWithTtl", "rawPutWithTtl"}
          },
          false);
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

  private static ChainedOptionsBuilder base(String benchmark) {
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx1g");
    jvm.add("-Dbench.dataDir=" + System.getProperty("bench.dataDir"));
    jvm.add("-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""));
    String pgUrl = System.getProperty(BenchBackend.PG_URL);
    if (pgUrl != null) {
      jvm.add("-D" + BenchBackend.PG_URL + "=" + pgUrl); // the environment variable is inherited
    }
    return new OptionsBuilder()
        .include(PKG + benchmark + "$")
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend(jvm.toArray(new String[0]))
        .shouldFailOnError(true);
  }

  /** A benchmark of a backend-parameterised class, on the given side's backend. */
  private static ChainedOptionsBuilder base(Side side, String benchmark) {
    return base(benchmark).param("backend", side.backend());
  }

  private static void appendAll(Report report, Side side, RunResult rawBatch)
      throws RunnerException {
    RunResult swarm = jmh(base(side, "AppendBenchmarks.appendAll1000"));
    Report.Rate s = Report.throughputRows(swarm, 1_000);
    Report.Rate r = Report.throughputRows(rawBatch, 1_000);
    Report.Rate ratio = s.ratioTo(r);
    report.heading(side.prefix() + "1. appendAll, 1,000-row batches" + side.suffix());
    report.line("| side | rows/s |");
    report.line("|---|---:|");
    report.line("| SwarmDB appendAll | " + Report.rate(s) + " |");
    report.line("| raw " + side.driver() + " batched insert | " + Report.rate(r) + " |");
    report.line("| **ratio** | **" + Report.ratio(ratio) + "** |");
    if (side.targets()) {
      report.verdict(
          "1. appendAll vs raw batched insert ≥ 0.9", ratio.value() >= 0.9, Report.ratio(ratio));
    }
  }

  private static void queries(Report report, Side side) throws RunnerException {
    BenchBackend.of(side.backend()).buildQueryFixture(); // once, outside the forks' setup
    latencyTable(
        report,
        side,
        side.prefix() + "4. Queries over 1,000,000 events (µs)" + side.suffix(),
        "QueryBenchmarks",
        new String[][] {
          {"agent's newest 100", "agentNewest100", "rawAgentNewest100"},
          {"session timeline (newest 100)", "sessionTimeline100", "rawSessionTimeline100"},
          {"type in a 1-hour window (≤ 100)", "typeInHourWindow", "rawTypeInHourWindow"}
        },
        side.targets());
  }

  private static RunResult jmh(ChainedOptionsBuilder options) throws RunnerException {
    Collection<RunResult> results = new Runner(options.build()).run();
    if (results.size() != 1) {
      throw new IllegalStateException("expected one result, got " + results.size());
    }
    return results.iterator().next();
  }

  private static void concurrent(Report report, Side side) throws RunnerException {
    report.heading(side.prefix() + "2. Concurrent single appends (group commit)" + side.suffix());
    report.line(
        "Rows/s derived from SampleTime means (threads × 1e6 / mean µs); latency of one append"
            + " call.");
    report.line("");
    report.line(
        "| threads | SwarmDB rows/s | p50 µs | p99 µs | (a) raw batch=threads rows/s | ratio vs (a)"
            + " | (b) "
            + side.autocommitLabel()
            + " rows/s | ratio vs (b) |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<String> perCommit = new ArrayList<>();
    for (int t : THREADS) {
      long commitsBefore = side.rowsPerCommit() ? BenchBackend.Postgres.commits() : 0;
      RunResult swarm = jmh(base(side, "AppendBenchmarks.append").threads(t));
      if (side.rowsPerCommit()) {
        long rows = BenchBackend.Postgres.rows("append-swarm");
        long commits = BenchBackend.Postgres.commits() - commitsBefore;
        perCommit.add(
            Report.fmt(
                "threads %d: %.1f (%,d rows, %,d commits)",
                t, (double) rows / commits, rows, commits));
      }
      RunResult a =
          jmh(base(side, "AppendBenchmarks.rawGroupBatch").threads(1).param("rawBatch", "" + t));
      RunResult b = jmh(base(side, "AppendBenchmarks." + side.autocommitBenchmark()).threads(t));
      Report.Rate s = Report.sampledRows(swarm, t, 1);
      Report.Rate ra = Report.sampledRows(a, 1, t);
      Report.Rate rb = Report.sampledRows(b, t, 1);
      Report.Rate va = s.ratioTo(ra);
      Report.Rate vb = s.ratioTo(rb);
      report.line(
          Report.fmt(
              "| %d | %s | %.0f | %.0f | %s | %s | %s | %s |",
              t,
              Report.rate(s),
              Report.percentile(swarm, 50),
              Report.percentile(swarm, 99),
              Report.rate(ra),
              Report.ratio(va),
              Report.rate(rb),
              Report.ratio(vb)));
      if (t == 16 && side.targets()) {
        report.verdict(
            "2. 16 threads append vs (a) raw 16-row batches ≥ 0.8",
            va.value() >= 0.8,
            Report.ratio(va));
        report.verdict(
            "2. 16 threads append vs (b) autocommit through a lock ≥ 2",
            vb.value() >= 2,
            Report.ratio(vb));
      }
    }
    if (!perCommit.isEmpty()) {
      report.line("");
      report.line(
          "SwarmDB rows per transaction (rows in the table after the fork ÷ the server's"
              + " pg_stat_database.xact_commit delta over the fork, warm-up and setup included): "
              + String.join("; ", perCommit)
              + ".");
    }
  }

  private static void latencyTable(
      Report report, Side side, String title, String clazz, String[][] rows, boolean target)
      throws RunnerException {
    report.heading(title);
    report.line(
        "| operation | SwarmDB mean | p50 | p99 | raw mean | raw p50 | raw p99 | mean ratio"
            + " raw/SwarmDB |");
    report.line("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (String[] row : rows) {
      RunResult s = jmh(base(side, clazz + "." + row[1]));
      RunResult r = jmh(base(side, clazz + "." + row[2]));
      Report.Rate speed =
          new Report.Rate(
              1e6 / s.getPrimaryResult().getScore(),
              1e6
                  * s.getPrimaryResult().getScoreError()
                  / Math.pow(s.getPrimaryResult().getScore(), 2));
      Report.Rate rawSpeed =
          new Report.Rate(
              1e6 / r.getPrimaryResult().getScore(),
              1e6
                  * r.getPrimaryResult().getScoreError()
                  / Math.pow(r.getPrimaryResult().getScore(), 2));
      double p99 = Report.percentile(s, 99);
      report.line(
          Report.fmt(
              "| %s | %s | %.0f | %.0f | %s | %.0f | %.0f | %s |",
              row[0],
              Report.meanUs(s),
              Report.percentile(s, 50),
              p99,
              Report.meanUs(r),
              Report.percentile(r, 50),
              Report.percentile(r, 99),
              Report.ratio(speed.ratioTo(rawSpeed))));
      if (target) {
        report.verdict(
            "4. " + row[0] + ": p99 < 2 ms", p99 < 2_000, Report.fmt("p99 %.0f µs", p99));
      }
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
