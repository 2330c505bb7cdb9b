package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.PlainSql.damage;
import static io.moaiflow.swarmdb.PlainSql.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4 on the command line: a row whose stored JSON is damaged makes {@code export} exit
 * 3 (a database error, not 2 "usage") after the rows before it, naming the row's seq; {@code export
 * --skip-corrupt} writes every readable row, lists each skipped one on stderr and exits 1; {@code
 * verify --full} lists the damaged rows. Nothing is repaired or dropped.
 */
class DamagedRowCliTest {
  static final int EVENTS = 12_345; // more than one 10,000-row export page
  static final List<Long> BAD = List.of(3L, 10_001L, 12_345L);

  @TempDir Path dir;
  Path db;

  @BeforeEach
  void create() throws Exception {
    Path d = Files.createDirectory(dir.resolve("data"));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    db = d.resolve("swarm.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 1; i <= EVENTS; i++) {
        batch.add(
            new AgentEvent(
                0, "e" + i, "run", "agent", null, null, Instant.ofEpochMilli(i), Map.of("i", i)));
      }
      s.events().appendAll(batch);
      s.sessions().start("s");
      s.sessions().memory("s").put("semantic", "k", List.of(1, 2));
    }
    for (long seq : BAD) {
      sql(db, "UPDATE agent_events SET metadata = '{\"i\":' WHERE seq = " + seq);
    }
    // damage past the trigger that keeps the full-text index, which parses every value written
    damage(db, "UPDATE session_memory SET value = '[1,2' WHERE key = 'k'");
  }

  private static long lines(String out) {
    return out.isEmpty() ? 0 : out.split("\n", -1).length - 1;
  }

  @Test
  void exportStopsAtTheFirstDamagedRowWithADatabaseError() throws Exception {
    CliRun r = CliRun.fails(3, db, "export");
    // the rows before the damaged one were written, nothing after it
    assertThat(lines(r.out())).isEqualTo(2);
    assertThat(r.out()).contains("\"eventId\":\"e1\"", "\"eventId\":\"e2\"");
    assertThat(r.err())
        .contains("agent_events row seq 3", "not readable JSON")
        .contains("exported 2 events before it", "--skip-corrupt");

    Path out = dir.resolve("events.jsonl");
    CliRun.fails(3, db, "export", "--out", out.toString());
    assertThat(Files.readAllLines(out)).hasSize(2);
  }

  @Test
  void exportSkipCorruptWritesEveryReadableRowAndListsTheSkippedOnes() throws Exception {
    CliRun r = CliRun.on(db, "export", "--skip-corrupt");
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(lines(r.out())).isEqualTo(EVENTS - BAD.size());
    for (long seq : BAD) {
      assertThat(r.out()).doesNotContain("\"eventId\":\"e" + seq + "\"");
      assertThat(r.err()).contains("skipped agent_events row seq " + seq + ":");
    }
    assertThat(r.out()).contains("\"eventId\":\"e4\"", "\"eventId\":\"e12344\"");
    assertThat(r.err())
        .contains(
            "exported " + (EVENTS - BAD.size()) + " events; skipped " + BAD.size() + " damaged");

    // the export imports into a new database; the source still holds every row as it was
    Path file = dir.resolve("salvaged.jsonl");
    CliRun toFile = CliRun.fails(1, db, "export", "--skip-corrupt", "--out", file.toString());
    assertThat(toFile.out()).contains("exported " + (EVENTS - BAD.size()) + " events to " + file);
    assertThat(toFile.err()).contains("skipped agent_events row seq 3:");
    Path copy = dir.resolve("copy.db");
    CliRun.ok(copy, "import", "--in", file.toString());
    try (SwarmDB s = SwarmDB.open(copy)) {
      assertThat(s.events().count()).isEqualTo(EVENTS - BAD.size());
    }
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.events().count()).isEqualTo(EVENTS);
    }
  }

  @Test
  void verifyFullListsEveryDamagedRow() {
    assertThat(CliRun.fails(1, db, "verify", "--full").out())
        .contains("integrity_check ok")
        .contains("FAIL json_valid: agent_events row seq 3: metadata is not valid JSON")
        .contains("FAIL json_valid: agent_events row seq 10001: metadata is not valid JSON")
        .contains("FAIL json_valid: agent_events row seq 12345: metadata is not valid JSON")
        .contains(
            "FAIL json_valid: session_memory row session 's' type 'semantic' key 'k': value is"
                + " not valid JSON")
        .contains("(4 problem(s))");
  }

  @Test
  void verifyFullPassesOnAnIntactDatabase() throws Exception {
    Path good = Files.createDirectory(dir.resolve("good"));
    Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rwx------"));
    Path file = TestDatabases.populated(good.resolve("swarm.db"), 3);
    assertThat(CliRun.ok(file, "verify", "--full").out())
        .contains("json_valid ok: every JSON column of every row");
  }
}
