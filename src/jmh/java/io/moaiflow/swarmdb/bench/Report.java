package io.moaiflow.swarmdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/** Collects the figures of one suite run and writes them as Markdown. Not thread safe. */
final class Report {
  private final List<String> lines = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> verdicts = new ArrayList<>();
  private boolean chunkHeader;
  private String tuningHeader = "";

  /** A throughput or rate with its error (same unit). */
  record Rate(double value, double error) {
    double relError() {
      return value == 0 ? 0 : error / value;
    }

    Rate ratioTo(Rate base) {
      double r = value / base.value;
      return new Rate(r, r * Math.hypot(relError(), base.relError()));
    }
  }

  static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }

  void heading(String text) {
    lines.add("");
    lines.add("### " + text);
    lines.add("");
  }

  void line(String text) {
    lines.add(text);
  }

  void note(String text) {
    notes.add(text);
    System.out.println("[bench] " + text);
  }

  void verdict(String target, boolean holds, String figure) {
    verdicts.add(fmt("| %s | %s | %s |", target, figure, holds ? "holds" : "**misses**"));
  }

  /** Rows per second of a Throughput-mode result whose op writes {@code rowsPerOp} rows. */
  static Rate throughputRows(RunResult r, int rowsPerOp) {
    Result<?> p = r.getPrimaryResult();
    return new Rate(p.getScore() * rowsPerOp, safe(p.getScoreError()) * rowsPerOp);
  }

  /**
   * Rows per second of a SampleTime-mode result (mean in microseconds) with {@code concurrency}
   * threads, each op writing {@code rowsPerOp} rows.
   */
  static Rate sampledRows(RunResult r, int concurrency, int rowsPerOp) {
    Result<?> p = r.getPrimaryResult();
    double mean = p.getScore();
    double rate = concurrency * rowsPerOp * 1e6 / mean;
    return new Rate(rate, rate * safe(p.getScoreError()) / mean);
  }

  static double percentile(RunResult r, double p) {
    Statistics s = r.getPrimaryResult().getStatistics();
    return s.getPercentile(p);
  }

  static String meanUs(RunResult r) {
    Result<?> p = r.getPrimaryResult();
    return fmt("%.1f ± %.1f", p.getScore(), safe(p.getScoreError()));
  }

  private static double safe(double err) {
    return Double.isNaN(err) ? 0 : err;
  }

  static String rate(Rate r) {
    return fmt("%,.0f ± %,.0f", r.value, r.error);
  }

  static String ratio(Rate r) {
    return fmt("%.2f ± %.2f", r.value, r.error);
  }

  void retention(long rows, long deleted, long cleanupNanos, Latencies before, Latencies during) {
    heading("6. Retention cleanup while 4 threads append");
    line("Load average after the cleanup: " + loadAverage() + ".");
    line("");
    line(
        fmt(
            "deleteEventsOlderThan removed %,d of %,d old events in %.2f s (%,.0f rows/s).",
            deleted, rows, cleanupNanos / 1e9, deleted / (cleanupNanos / 1e9)));
    line("");
    line("| phase | appends | p50 ms | p99 ms | max ms |");
    line("|---|---:|---:|---:|---:|");
    line(
        fmt(
            "| before cleanup (2 s) | %,d | %.2f | %.2f | %.1f |",
            before.size(), before.percentileMs(50), before.percentileMs(99), before.maxMs()));
    line(
        fmt(
            "| during cleanup | %,d | %.2f | %.2f | %.1f |",
            during.size(), during.percentileMs(50), during.percentileMs(99), during.maxMs()));
    verdict(
        "6. appender max latency during cleanup < 100 ms",
        during.maxMs() < 100,
        fmt("%.1f ms (p99 %.2f ms)", during.maxMs(), during.percentileMs(99)));
  }

  void chunk(int chunk, Latencies lat) {
    if (!chunkHeader) {
      chunkHeader = true;
      line("");
      line("Chunk-size sweep (raw JDBC, one DELETE + COMMIT per chunk, 5 chunks each):");
      line("");
      line("| chunk rows | median ms | max ms |");
      line("|---:|---:|---:|");
    }
    line(fmt("| %,d | %.1f | %.1f |", chunk, lat.percentileMs(50), lat.maxMs()));
  }

  void tuning(String workload, String setting, Latencies lat, double rowsPerSecond) {
    if (!tuningHeader.equals(workload)) {
      tuningHeader = workload;
      line("");
      line("**" + workload + "**");
      line("");
      line("| setting | rows/s | p50 ms | p99 ms | max ms | load avg |");
      line("|---|---:|---:|---:|---:|---:|");
    }
    line(
        fmt(
            "| %s | %s | %.3f | %.3f | %.1f | %s |",
            setting,
            Double.isNaN(rowsPerSecond) ? "–" : fmt("%,.0f", rowsPerSecond),
            lat.percentileMs(50),
            lat.percentileMs(99),
            lat.maxMs(),
            loadAverage()));
  }

  /** The 1-minute load average, showing how busy the shared machine was. */
  static String loadAverage() {
    try {
      String s = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8);
      return s.split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  void write(Path file, List<String> header) throws IOException {
    List<String> out = new ArrayList<>(header);
    out.add("");
    out.add("### Targets");
    out.add("");
    out.add("| target | measured | verdict |");
    out.add("|---|---|---|");
    out.addAll(verdicts);
    out.addAll(lines);
    if (!notes.isEmpty()) {
      out.add("");
      out.add("### Notes");
      out.add("");
      for (String n : notes) {
        out.add("- " + n);
      }
    }
    Files.createDirectories(file.getParent());
    Files.write(file, out, StandardCharsets.UTF_8);
    System.out.println(String.join(System.lineSeparator(), out));
  }
}
