package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmdb memory SCOPE [KEY]} end to end, on every kind of scope. */
class MemoryCommandTest {
  @TempDir Path dir;
  Path db;

  @BeforeEach
  void seed() {
    db = dir.resolve("swarm.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      s.sessions().start("s-1");
      s.sessions().memory("s-1").put("semantic", "goal", "ship the release");
      Memory planner = s.memory(Scope.agent("planner"));
      planner.put("semantic", "retry-policy", Map.of("max", 3, "note", "per tool call"));
      sleepPastTheMillisecond(); // newest first needs two times, not a tie
      planner.put("episodic", "step-1", "read the issue", Duration.ofHours(1));
      s.memory(Scope.swarm()).put("semantic", "db", "postgres 16 on host-a");
      s.memory(Scope.namespace("user:alice")).put("context_hint", "tone", "brief");
    }
  }

  private static void sleepPastTheMillisecond() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> lines(String out) {
    return out.lines().toList();
  }

  @Test
  void listsAScopesEntriesNewestFirstInATable() {
    List<String> out = lines(CliRun.ok(db, "memory", "agent:planner").out());
    assertThat(out.get(0).split("\\s{2,}"))
        .containsExactly("TYPE", "KEY", "VERSION", "UPDATED", "EXPIRES", "VALUE");
    assertThat(out).hasSize(3);
    assertThat(out.get(1)).startsWith("episodic").contains("step-1", "\"read the issue\"");
    // Map.of has no order: the value's two members in either order
    assertThat(out.get(2)).startsWith("semantic").contains("retry-policy", "\"max\":3");
    for (String scope : List.of("session:s-1", "swarm", "ns:user:alice")) {
      assertThat(lines(CliRun.ok(db, "memory", scope).out())).as(scope).hasSize(2);
    }
    assertThat(CliRun.ok(db, "memory", "agent:nobody").out().lines().count()).isEqualTo(1);
  }

  @Test
  void jsonLinesTypeFilterAndOneKey() throws Exception {
    String out = CliRun.ok(db, "memory", "agent:planner", "--type", "semantic", "--json").out();
    assertThat(lines(out)).hasSize(1);
    JsonNode e = EventLines.MAPPER.readTree(lines(out).get(0));
    assertThat(e.get("scope").asText()).isEqualTo("agent:planner");
    assertThat(e.get("key").asText()).isEqualTo("retry-policy");
    assertThat(e.get("value").get("max").asInt()).isEqualTo(3); // the JSON value, not a string
    assertThat(e.get("expiresAt").isNull()).isTrue();
    JsonNode step =
        EventLines.MAPPER.readTree(
            CliRun.ok(db, "memory", "agent:planner", "step-1", "--type", "episodic", "--json")
                .out()
                .strip());
    assertThat(step.get("expiresAt").asLong()).isPositive();
    assertThat(CliRun.ok(db, "memory", "swarm", "db", "--type", "semantic").out())
        .contains("postgres 16 on host-a");
  }

  @Test
  void badInputIsExitTwoWithTheFix() {
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "memory", "team:x").err())
        .contains("scope 'team:x' is not one of session:ID, agent:ID, swarm or ns:NAME");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "memory", "swarm", "db").err())
        .contains("KEY needs --type TYPE");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "memory", "swarm", "nope", "--type", "x").err())
        .contains("no live entry of type x and key nope in swarm");
    assertThat(CliRun.fails(ExitCodes.DATABASE, dir.resolve("none.db"), "memory", "swarm").err())
        .contains("does not exist");
  }

  @Test
  void theLimitHoldsAtEachSide() {
    int max = EventQuery.MAX_LIMIT;
    for (String bad : List.of("-1", "0", Integer.toString(max + 1))) {
      CliRun.fails(ExitCodes.USAGE, db, "memory", "agent:planner", "--limit", bad);
    }
    CliRun.ok(db, "memory", "agent:planner", "--limit", Integer.toString(max));
    // 2 entries: limit 1 shows one and says there are more; 2 and 3 show both and say nothing
    CliRun one = CliRun.ok(db, "memory", "agent:planner", "--limit", "1");
    assertThat(lines(one.out()))
        .hasSize(3)
        .last()
        .asString()
        .contains("more entries than --limit 1");
    for (String n : List.of("2", "3")) {
      assertThat(lines(CliRun.ok(db, "memory", "agent:planner", "--limit", n).out()))
          .hasSize(3)
          .noneMatch(l -> l.contains("more entries"));
    }
  }
}
