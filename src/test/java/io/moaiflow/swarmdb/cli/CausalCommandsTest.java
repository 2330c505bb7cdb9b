package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.ActingAgent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmdb why} and {@code swarmdb blast} end to end. */
class CausalCommandsTest {
  static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path dir;
  Path db;
  long taskSeq;

  @BeforeEach
  void seed() {
    db = dir.resolve("swarm.db");
    SwarmDbConfig config = SwarmDbConfig.builder(db).clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    try (SwarmDB s = SwarmDB.open(config)) {
      MemoryRef goal = MemoryRef.of(s.memory(Scope.swarm()).put("semantic", "goal", "ship"));
      taskSeq = s.events().append(event("task", "planner")).seq();
      s.events().append(event("plan", "planner"), CausalLinks.reading(goal));
      s.memory(Scope.agent("planner")).put("semantic", "plan", "v1");
      ActingAgent coder = s.actingAs("coder");
      coder.memory(Scope.agent("planner")).get("semantic", "plan", String.class);
      coder.append(event("code", "coder"));
      s.events()
          .append(event("review", "reviewer"), new CausalLinks(List.of("code", "task"), List.of()));
    }
  }

  private static AgentEvent event(String id, String agent) {
    return new AgentEvent(0, id, "step", agent, null, null, T0, Map.of());
  }

  @Test
  void whyPrintsTheChainWithDepths() {
    String out = CliRun.ok(db, "why", "review").out();
    assertThat(out)
        .startsWith("why review: 3 events, 1 memory versions; agents: coder, planner, reviewer")
        .containsPattern("(?m)^0 +event +\\d+ +review +step +reviewer +2026-11-30T09:00:00Z")
        .containsPattern("(?m)^1 +event +" + taskSeq + " +task +step +planner")
        .containsPattern("(?m)^1 +event +\\d+ +code +step +coder")
        // the acting-as handle recorded what coder read
        .containsPattern("(?m)^2 +memory +- +agent:planner semantic:plan@1");
    assertThat(CliRun.ok(db, "why", "review", "--limit", "1").out())
        .contains("stopped at --limit 1 nodes; raise --limit");
  }

  @Test
  void blastPrintsEveryDependentAsJsonToo() throws Exception {
    String out = CliRun.ok(db, "blast", "swarm", "goal@1", "--type", "semantic").out();
    assertThat(out)
        .startsWith("blast swarm semantic:goal@1: 3 events, 2 memory versions; agents: coder,")
        .containsPattern("(?m)^0 +memory +- +swarm semantic:goal@1")
        .containsPattern("(?m)^1 +event +\\d+ +plan ")
        .containsPattern("(?m)^2 +memory +- +agent:planner semantic:plan@1")
        .containsPattern("(?m)^3 +event +\\d+ +code ")
        .containsPattern("(?m)^4 +event +\\d+ +review ");
    JsonNode n =
        json.readTree(
            CliRun.ok(db, "blast", "swarm", "goal@1", "--type", "semantic", "--json").out());
    assertThat(n.get("events")).hasSize(3);
    assertThat(n.get("events").get(0).get("eventId").asText()).isEqualTo("plan");
    assertThat(n.get("events").get(0).get("depth").asInt()).isEqualTo(1);
    assertThat(n.get("memory").get(1).get("key").asText()).isEqualTo("plan");
    assertThat(n.get("agents").toString()).isEqualTo("[\"coder\",\"planner\",\"reviewer\"]");
    assertThat(n.get("truncated").asBoolean()).isFalse();
    JsonNode w = json.readTree(CliRun.ok(db, "why", "plan", "--json").out());
    assertThat(w.get("memory").get(0).get("version").asLong()).isEqualTo(1);
  }

  @Test
  void badArgumentsAreUsageErrorsAndUnknownEventsNotFound() {
    assertThat(CliRun.fails(2, db, "blast", "swarm", "goal", "--type", "semantic").err())
        .contains("is not KEY@VERSION");
    assertThat(CliRun.fails(2, db, "blast", "nowhere", "goal@1", "--type", "semantic").err())
        .contains("scope 'nowhere'");
    assertThat(CliRun.fails(2, db, "why", "review", "--limit", "0").err()).contains("limit is 0");
    CliRun ghost = CliRun.on(db, "why", "ghost");
    assertThat(ghost.code()).isNotZero();
    assertThat(ghost.err()).contains("ghost", "not in the log");
  }
}
