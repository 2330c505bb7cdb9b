package io.moaiflow.swarmdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/** Collects the figures of one suite run and writes them as Markdown. Not thread safe. */
final class Report {
  private final List<String> lines = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> verdicts = new ArrayList<>();
  private boolean chunkHeader;
  private String tuningHeader = "";

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

  /** A verdict on the median of per-round ratios: at least (or at most) {@code bound}. */
  void verdict(String target, double[] ratios, double bound, boolean atLeast) {
    Rounds.Summary ratio = Rounds.Summary.of(ratios);
    boolean holds = atLeast ? ratio.median() >= bound : ratio.median() <= bound;
    verdict(
        target,
        holds,
        fmt(
            "median %s over %d rounds%s",
            ratio.ratio(),
            Rounds.rounds(),
            // only where the target is a fraction of a baseline doing the same work: against
            // per-row autocommit, batching is expected to be faster
            atLeast && bound <= 1 && ratio.median() > Rounds.SUSPICIOUS
                ? " — suspicious: check the baseline"
                : ""));
  }

  /**
   * Flags a write-path comparison whose median ratio (SwarmDB speed ÷ raw speed for the same work)
   * is above {@link Rounds#SUSPICIOUS}: SwarmDB does strictly more work than the raw side.
   */
  void suspicious(String comparison, double[] ratios) {
    Rounds.Summary s = Rounds.Summary.of(ratios);
    long above = Rounds.above(ratios);
    if (s.median() > Rounds.SUSPICIOUS) {
      line("");
      line(
          fmt(
              "**%s: ratio %s is above %.2f — suspicious: check the baseline** (SwarmDB does"
                  + " strictly more work than the raw side of this pair).",
              comparison, s.ratio(), Rounds.SUSPICIOUS));
      note(comparison + ": suspicious: check the baseline (median ratio " + s.ratio() + ")");
    } else if (above > 0) {
      line("");
      line(
          fmt(
              "%s: %d of %d rounds above %.2f (median %s).",
              comparison, above, ratios.length, Rounds.SUSPICIOUS, s.ratio()));
    }
  }

  /** How a write comparison was measured, in one paragraph. */
  void method(Rounds.Writes w) {
    line(
        fmt(
            "%d measured rounds after %d warm-up round(s); each round every side writes the same"
                + " %,d new events (built before the round: UUIDv7 ids, metadata serialised by"
                + " Jackson on the writing thread) into its own store, the stores prefilled alike"
                + " and growing alike; the order rotates per round. Ratio = SwarmDB rows/s ÷ raw"
                + " rows/s of the same round; median (min–max) over the rounds. SwarmDB rows per"
                + " transaction = rows ÷ its writer's committed transactions in the round; the raw"
                + " sides' by construction.",
            Rounds.rounds(), Rounds.warmupRounds(), w.rows()));
    line("");
  }

  /** Per-round table of a write comparison, with the median (min–max) row. */
  void writeRounds(Rounds.Writes w) {
    StringBuilder head = new StringBuilder("| round | first |");
    StringBuilder rule = new StringBuilder("|---:|---|");
    for (Rounds.WriteSide side : w.sides()) {
      head.append(' ').append(side.label()).append(" rows/s |");
      rule.append("---:|");
    }
    for (int raw = 1; raw < w.sides().size(); raw++) {
      head.append(" ratio").append(w.sides().size() > 2 ? " vs " + raw : "").append(" |");
      rule.append("---:|");
    }
    head.append(" SwarmDB rows/tx | raw rows/tx |");
    rule.append("---:|---:|");
    line(head.toString());
    line(rule.toString());
    int rounds = w.first().length;
    for (int r = 0; r < rounds; r++) {
      StringBuilder row = new StringBuilder(fmt("| %d | %s |", r + 1, w.first()[r]));
      for (double[] side : w.rowsPerSecond()) {
        row.append(fmt(" %,.0f |", side[r]));
      }
      for (int raw = 1; raw < w.sides().size(); raw++) {
        row.append(fmt(" %.2f |", w.ratio(raw)[r]));
      }
      row.append(fmt(" %,.1f | %s |", w.rowsPerTransaction()[0][r], rawPerTx(w, r)));
      line(row.toString());
    }
    StringBuilder sum = new StringBuilder("| **median (min–max)** | |");
    for (double[] side : w.rowsPerSecond()) {
      sum.append(' ').append(Rounds.Summary.of(side).rate()).append(" |");
    }
    for (int raw = 1; raw < w.sides().size(); raw++) {
      sum.append(" **").append(Rounds.Summary.of(w.ratio(raw)).ratio()).append("** |");
    }
    sum.append(' ')
        .append(Rounds.Summary.of(w.rowsPerTransaction()[0]).perTransaction())
        .append(" | ")
        .append(rawPerTx(w, 0))
        .append(" |");
    line(sum.toString());
  }

  private static String rawPerTx(Rounds.Writes w, int r) {
    List<String> out = new ArrayList<>();
    for (int s = 1; s < w.sides().size(); s++) {
      out.add(fmt("%,.0f", w.rowsPerTransaction()[s][r]));
    }
    return String.join(" / ", out);
  }

  /** Per-round ratios against side {@code raw}, each with the side that went first. */
  static String perRound(Rounds.Writes w, int raw) {
    double[] ratio = w.ratio(raw);
    List<String> out = new ArrayList<>();
    for (int r = 0; r < ratio.length; r++) {
      out.add(fmt("%.2f [%s]", ratio[r], w.first()[r]));
    }
    return String.join(", ", out) + " → " + Rounds.Summary.of(ratio).ratio();
  }

  void latencyMethod() {
    line(
        fmt(
            "JMH SampleTime, %d measured rounds after %d warm-up round(s), each side sampled for"
                + " %d ms per round, the two sides alternating which goes first, both on the same"
                + " data. Figures are the median (min–max) over rounds of each round's percentile;"
                + " ratio = SwarmDB p50 ÷ raw p50 of the same round (how many times slower"
                + " SwarmDB's median call is; below 1.00 it is faster).",
            Rounds.rounds(), Rounds.warmupRounds(), Rounds.sample().toMillis()));
    line("");
  }

  void latencyHeader() {
    line(
        "| operation | SwarmDB p50 | SwarmDB p99 | raw p50 | raw p99 | p50 ratio SwarmDB/raw |"
            + " calls per round (SwarmDB / raw, median) |");
    line("|---|---:|---:|---:|---:|---:|---:|");
  }

  void latencyRow(String operation, Rounds.Latencies l) {
    line(
        fmt(
            "| %s | %s | %s | %s | %s | **%s** | %,.0f / %,.0f |",
            operation,
            Rounds.Summary.of(l.p50()[0]).micros(),
            Rounds.Summary.of(l.p99()[0]).micros(),
            Rounds.Summary.of(l.p50()[1]).micros(),
            Rounds.Summary.of(l.p99()[1]).micros(),
            Rounds.Summary.of(l.p50Ratio()).ratio(),
            Rounds.Summary.of(toDouble(l.samples()[0])).median(),
            Rounds.Summary.of(toDouble(l.samples()[1])).median()));
  }

  private static double[] toDouble(long[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  static double percentile(RunResult r, double p) {
    Statistics s = r.getPrimaryResult().getStatistics();
    return s.getPercentile(p);
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
