package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress of the seven long commands, run in-process with stderr captured (not a terminal: log
 * lines) on a database of 20,000 events with a 1 ms interval: progress lines appear on stderr, and
 * stdout is the same with progress as with {@code --quiet}. Each pair of runs starts from the same
 * files at the same paths; what differs by itself between two runs (the milliseconds a step took,
 * the free space) is masked.
 */
class ProgressTest {
  static final int BULK = 20_000;

  @TempDir static Path shared;
  static Path template;

  @TempDir Path dir;

  @BeforeAll
  static void bigSwarm() {
    template = SimulatedSwarm.write(shared.resolve("template.db"), BULK);
  }

  private Path freshCopy() throws IOException {
    Path db = dir.resolve("swarm.db");
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path from = Path.of(template + suffix);
      Path to = Path.of(db + suffix);
      Files.deleteIfExists(to);
      if (Files.exists(from)) {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return db;
  }

  private static Map<String, String> env(boolean progress) {
    Map<String, String> env = CliRun.quietEnv();
    if (progress) {
      env.put(Progress.INTERVAL_ENV, "1");
    }
    return env;
  }

  private static String masked(String out) {
    return out.replaceAll("\\d+ ms\\b", "N ms").replaceAll("free space \\d+", "free space N");
  }

  /**
   * Runs {@code args} on a fresh copy with progress, then on another fresh copy with --quiet,
   * calling {@code reset} before each; returns the stderr of the run with progress.
   */
  private String compare(String command, Runnable reset, String... args) throws IOException {
    List<String> runs = new ArrayList<>();
    String progressErr = "";
    for (boolean progress : new boolean[] {true, false}) {
      Path db = freshCopy();
      reset.run();
      List<String> all = new ArrayList<>(List.of("--db", db.toString(), command));
      all.addAll(List.of(args));
      if (!progress) {
        all.add("--quiet");
      }
      CliRun r = CliRun.run(env(progress), all.toArray(String[]::new));
      assertThat(r.code()).as("%s", r).isIn(ExitCodes.OK, ExitCodes.CHECK_FAILED);
      runs.add(masked(r.out()));
      if (progress) {
        progressErr = r.err();
      } else {
        assertThat(r.err()).as("--quiet").doesNotContain("swarmdb " + command + ": ");
      }
    }
    assertThat(runs.get(0)).as("stdout with progress").isEqualTo(runs.get(1));
    assertThat(progressErr).as("progress on stderr").contains("swarmdb " + command + ": ");
    return progressErr;
  }

  private Runnable delete(Path... files) {
    return () -> {
      try {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @Test
  void exportCountsEventsAgainstTheTotal() throws IOException {
    String err = compare("export", () -> {});
    assertThat(err).containsPattern("swarmdb export: exporting: \\d+/20030 events \\(\\d+%\\)");
    // with --out the file is written as without progress
    Path out = dir.resolve("out.jsonl");
    String fileErr = compare("export", delete(out), "--out", out.toString());
    assertThat(fileErr).contains("swarmdb export: exporting: ");
    assertThat(Files.readString(out)).hasLineCount(20_030);
  }

  @Test
  void importCountsLinesThenEventsAgainstTheLines() throws IOException {
    Path file = dir.resolve("events.jsonl");
    CliRun.ok(freshCopy(), "export", "--out", file.toString(), "--quiet");
    Path target = dir.resolve("imported.db");
    String err =
        compare(
            "import",
            delete(target, Path.of(target + "-wal"), Path.of(target + "-shm")),
            "--in",
            file.toString(),
            "--db",
            target.toString());
    assertThat(err).containsPattern("swarmdb import: importing: \\d+/20030 events");
  }

  @Test
  void backupRestoreCleanupVacuumAndVerifyShowTheirElapsedTime() throws IOException {
    Path backup = dir.resolve("backup.db");
    assertThat(compare("backup", delete(backup), "--out", backup.toString()))
        .contains("swarmdb backup: writing and verifying ", ": running, ", " elapsed")
        .contains("(this step reports no progress figures)");
    Path restored = dir.resolve("restored.db");
    Files.delete(backup);
    CliRun.ok(freshCopy(), "backup", "--out", backup.toString(), "--quiet");
    assertThat(
            compare(
                "restore",
                delete(restored, Path.of(restored + "-wal"), Path.of(restored + "-shm")),
                "--from",
                backup.toString(),
                "--db",
                restored.toString()))
        .contains("swarmdb restore: verifying " + backup + " and restoring it: running, ");
    assertThat(compare("cleanup", () -> {}, "--events-older-than", "30d"))
        .contains("swarmdb cleanup: deleting events older than 30d: running, ");
    assertThat(compare("vacuum", () -> {})).contains("swarmdb vacuum: VACUUM: running, ");
    assertThat(compare("verify", () -> {}, "--full"))
        .contains("swarmdb verify: integrity_check: running, ");
  }

  @Test
  void aTerminalGetsOneLineRewrittenInPlaceAndClearedAtTheEnd() throws Exception {
    StringWriter sw = new StringWriter();
    try (Progress p = Progress.start(new PrintWriter(sw), "swarmdb export", true, 1)) {
      p.step("exporting", 100, "events");
      p.add(40);
      Thread.sleep(50);
    }
    String s = sw.toString();
    assertThat(s).startsWith("\rswarmdb export: exporting: 40/100 events (40%), ");
    assertThat(s).contains("\u001b[K\r").doesNotContain("\n").endsWith("\r\u001b[K");
  }

  @Test
  void linesSayWhatTheyKnowAndNoMore() {
    Progress p = Progress.start(new PrintWriter(new StringWriter()), "swarmdb x", false, 60_000);
    try (p) {
      p.step("checking f", -1, "lines");
      p.add(7);
      assertThat(p.line()).startsWith("swarmdb x: checking f: 7 lines, ").doesNotContain("ETA");
      p.step("VACUUM");
      assertThat(p.line())
          .startsWith("swarmdb x: VACUUM: running, ")
          .endsWith(" elapsed (this step reports no progress figures)")
          .doesNotContain("%");
    }
    assertThat(
            List.of(
                Durations.elapsed(850),
                Durations.elapsed(12_340),
                Durations.elapsed(245_000),
                Durations.elapsed(7_620_000),
                Durations.elapsed(273_600_000)))
        .containsExactly("850ms", "12.3s", "4m05s", "2h07m", "3d04h");
    assertThat(Progress.off().enabled()).isFalse();
    Progress.off().close();
  }

  @Test
  void aBadIntervalIsAUsageError() throws IOException {
    Map<String, String> env = CliRun.quietEnv();
    env.put(Progress.INTERVAL_ENV, "soon");
    CliRun r = CliRun.run(env, "--db", freshCopy().toString(), "vacuum");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(Progress.INTERVAL_ENV + "='soon' is invalid");
  }
}
