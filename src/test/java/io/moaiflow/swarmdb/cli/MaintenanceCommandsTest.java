package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cleanup and vacuum end to end. */
class MaintenanceCommandsTest {
  @TempDir Path dir;

  @Test
  void cleanupRemovesOldEventsExpiredMemoryAndStaleAgents() {
    Path db = dir.resolve("swarm.db");
    Instant past = Instant.now().minus(Duration.ofDays(40));
    // Written "40 days ago": old events, a memory entry that expired, an agent silent since then.
    try (SwarmDB s =
        SwarmDB.open(SwarmDbConfig.builder(db).clock(Clock.fixed(past, ZoneOffset.UTC)).build())) {
      s.sessions().start("s1");
      s.sessions().memory("s1").put("semantic", "gone", "x", Duration.ofHours(1));
      s.agents().register("old-agent", "expert");
      s.agents().transition("old-agent", AgentStatus.RUNNING);
    }
    try (SwarmDB s = SwarmDB.open(db)) {
      for (int i = 0; i < 3; i++) {
        s.events().append(AgentEvent.of("spawn", "a" + i, null, Map.of()).withTimestamp(past));
      }
      s.events().append(AgentEvent.of("spawn", "fresh", null, Map.of()));
      s.sessions().memory("s1").put("semantic", "kept", "y");
    }
    CliRun run =
        CliRun.ok(
            db,
            "cleanup",
            "--events-older-than",
            "30d",
            "--expired-memory",
            "--stale-agents",
            "1h");
    assertThat(run.out())
        .contains("events older than 30d: 3 deleted")
        .contains("expired memory entries: 1 deleted")
        .contains("agents silent for 1h: 1 moved to error [old-agent]");
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.events().count()).isEqualTo(1);
      assertThat(s.agents().get("old-agent").orElseThrow().status()).isEqualTo(AgentStatus.ERROR);
    }
    CliRun again = CliRun.on(db, "cleanup", "--stale-agents", "45s", "--events-older-than", "15m");
    assertThat(again.out()).contains(": 0 moved to error\n").contains("15m: 0 deleted");
  }

  @Test
  void cleanupUsageErrors() {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    assertThat(CliRun.fails(2, db, "cleanup").err()).contains("nothing to clean");
    assertThat(CliRun.fails(2, db, "cleanup", "--events-older-than", "30x").err())
        .contains("'30x' is not a duration")
        .doesNotContain("Exception");
  }

  @Test
  void vacuumReportsSizes() {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 50);
    assertThat(CliRun.ok(db, "vacuum").out())
        .matches("vacuumed " + db.toAbsolutePath() + ": \\d+ -> \\d+ bytes\\n");
  }
}
