package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void simulatesASwarmAndReports() {
    Path db = dir.resolve("demo/swarm.db");
    CliRun r = CliRun.ok(db, "demo", "--agents", "10", "--sessions", "3", "--threads", "4");
    assertThat(r.out()).contains("3 sessions, 10 agents on 4 threads");
    assertFirstReport(r.out(), 3, 10);
    try (SwarmDB s = SwarmDB.open(db)) {
      Map<AgentStatus, Long> byStatus = s.agents().countByStatus();
      assertThat(byStatus.get(AgentStatus.COMPLETE)).isEqualTo(8);
      assertThat(byStatus.get(AgentStatus.ERROR)).isEqualTo(2);
      assertThat(s.events().count()).isEqualTo(70);
      assertThat(s.sessions().open(10)).isEmpty();
    }
    // A second run adds to the same file and reports only its own agents.
    CliRun second = CliRun.on(db, "demo", "--agents", "5", "--sessions", "1");
    assertThat(second.out()).contains("agents by status: complete=4 error=1");
  }

  /**
   * The report of a first demo run on a database: every agent makes 7 events (spawn, start, 4 tool
   * calls, then complete or, one in five, error) and one memory entry, every session one more.
   */
  static void assertFirstReport(String out, int sessions, int agents) {
    int failed = agents / 5;
    String outcomes = "complete=" + (agents - failed) + " error=" + failed;
    assertThat(out)
        .contains(sessions + " sessions, " + agents + " agents on ")
        .contains("agents by status: " + outcomes)
        .contains(
            "events by type:   spawn=%d start=%d tool_call=%d %s"
                .formatted(agents, agents, 4 * agents, outcomes))
        .containsPattern("throughput: +" + 7 * agents + " events in [0-9.]+ s = \\d+ events/s")
        .contains("session memory:   " + (agents + sessions) + " entries")
        .containsPattern("database size: +\\d+ bytes")
        .contains("health:           healthy");
  }

  @Test
  void rejectsOutOfRangeCounts() {
    Path db = dir.resolve("x.db");
    assertThat(CliRun.fails(2, db, "demo", "--agents", "0").err())
        .contains("--agents is 0; pass a number from 1 to 10000");
    assertThat(CliRun.on(db, "demo", "--sessions", "1001").code()).isEqualTo(2);
    assertThat(CliRun.on(db, "demo", "--threads", "x").code()).isEqualTo(2);
  }
}
