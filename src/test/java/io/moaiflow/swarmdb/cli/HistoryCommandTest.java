package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
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

/** {@code swarmdb history --as-of} and {@code swarmdb memory --history} end to end. */
class HistoryCommandTest {
  static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path dir;
  Path db;
  long decided;

  @BeforeEach
  void seed() {
    db = dir.resolve("swarm.db");
    SwarmDbConfig config = SwarmDbConfig.builder(db).clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    try (SwarmDB s = SwarmDB.open(config)) {
      s.sessions().start("s-1");
      s.agents().register("planner", "manager-plan", "s-1", Map.of());
      s.agents().register("coder", "expert-backend", "s-1", Map.of());
      s.agents().transition("coder", AgentStatus.RUNNING);
      s.memory(Scope.agent("coder")).put("semantic", "plan", "v1");
      s.memory(Scope.swarm()).put("semantic", "goal", "ship");
      decided =
          s.events()
              .append(new AgentEvent(0, "e-1", "decide", "coder", null, "s-1", T0, Map.of()))
              .seq();
      s.memory(Scope.agent("coder")).put("semantic", "plan", "v2");
      s.actingAs("planner").memory(Scope.swarm()).delete("semantic", "goal");
      s.agents().transition("coder", AgentStatus.ERROR);
      s.sessions().end("s-1");
    }
  }

  private static List<String> lines(String out) {
    return out.lines().toList();
  }

  @Test
  void showsTheAgentsSessionsAndMemoryAsOfAnEvent() {
    String out = CliRun.ok(db, "history", "--as-of", Long.toString(decided)).out();
    assertThat(out)
        .startsWith("as of seq " + decided + " (2026-11-30T09:00:00Z)")
        .contains("agents: 2, 1 spawned, 1 running")
        .containsPattern("(?m)^running +coder +expert-backend +s-1")
        .containsPattern("(?m)^spawned +planner +manager-plan +s-1")
        .containsPattern("(?m)^s-1 +active")
        .contains("memory: 2 entries")
        .containsPattern("(?m)^agent:coder +semantic +plan +1 .*\"v1\"")
        .containsPattern("(?m)^swarm +semantic +goal +1 .*\"ship\"");
    // and now: the later changes
    String now = CliRun.ok(db, "history", "--as-of", "2026-11-30T09:00:00Z").out();
    assertThat(now)
        .contains("agents: 2, 1 spawned, 1 error")
        .containsPattern("(?m)^s-1 +ended")
        .containsPattern("(?m)^agent:coder +semantic +plan +2 .*\"v2\"")
        .doesNotContain("goal");
  }

  @Test
  void jsonHasEverythingInOneObject() throws Exception {
    JsonNode n =
        json.readTree(CliRun.ok(db, "history", "--as-of", Long.toString(decided), "--json").out());
    assertThat(n.get("seq").asLong()).isEqualTo(decided);
    assertThat(n.get("time").asLong()).isEqualTo(T0.toEpochMilli());
    assertThat(n.get("agents")).hasSize(2);
    assertThat(n.get("agents").get(0).get("agentId").asText()).isEqualTo("planner");
    assertThat(n.get("sessions").get(0).get("status").asText()).isEqualTo("active");
    assertThat(n.get("memory")).hasSize(2);
    // --scope narrows the memory shown
    JsonNode one =
        json.readTree(
            CliRun.ok(
                    db, "history", "--as-of", Long.toString(decided), "--scope", "swarm", "--json")
                .out());
    assertThat(one.get("memory")).hasSize(1);
    assertThat(one.get("memory").get(0).get("value").asText()).isEqualTo("ship");
  }

  @Test
  void limitsAreCheckedAndReported() {
    CliRun r = CliRun.ok(db, "history", "--as-of", Long.toString(decided), "--limit", "1");
    assertThat(r.out())
        .contains("more agents than --limit 1; raise --limit or name one --scope")
        .contains("agents: 1");
    for (String bad : List.of("0", "10001")) {
      assertThat(
              CliRun.fails(
                      ExitCodes.USAGE,
                      db,
                      "history",
                      "--as-of",
                      Long.toString(decided),
                      "--limit",
                      bad)
                  .err())
          .contains("--limit is " + bad);
    }
    CliRun ok = CliRun.ok(db, "history", "--as-of", Long.toString(decided), "--limit", "10000");
    assertThat(ok.out()).doesNotContain("more agents");
  }

  @Test
  void badPointsAreUsageErrorsNamingTheFix() {
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "yesterday").err())
        .contains("neither a seq nor an ISO-8601 time");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "").err())
        .contains("neither a seq nor an ISO-8601 time");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "999999").err())
        .contains("after the latest change");
    assertThat(
            CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "2020-01-01T00:00:00Z").err())
        .contains("nothing was recorded at or before that time");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "history").err()).contains("--as-of");
    assertThat(
            CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "99999999999999999999").err())
        .contains("too large for a seq");
    assertThat(
            CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", "1", "--scope", "nope").err())
        .contains("scope 'nope'");
  }

  @Test
  void memoryHistoryListsEveryVersionOldestFirstAndPages() throws Exception {
    List<String> out =
        lines(CliRun.ok(db, "memory", "swarm", "goal", "--type", "semantic", "--history").out());
    assertThat(out.get(0).split("\\s{2,}"))
        .containsExactly("SEQ", "VERSION", "TIME", "CHANGE", "WRITER", "EXPIRES", "VALUE");
    assertThat(out).hasSize(3);
    assertThat(out.get(1)).containsPattern("^\\d+ +1 +2026-11-30T09:00:00Z +write +- +- +\"ship\"");
    assertThat(out.get(2)).containsPattern(" delete +agent:planner ").endsWith("-");
    CliRun page =
        CliRun.ok(
            db,
            "memory",
            "agent:coder",
            "plan",
            "--type",
            "semantic",
            "--history",
            "--limit",
            "1",
            "--json");
    JsonNode first = json.readTree(lines(page.out()).get(0));
    assertThat(first.get("version").asLong()).isEqualTo(1);
    assertThat(first.get("value").asText()).isEqualTo("v1");
    assertThat(first.get("deleted").asBoolean()).isFalse();
    assertThat(first.get("writer").asText()).isEqualTo("agent:coder");
    assertThat(page.err()).isEqualTo("next page: --after " + first.get("seq").asLong() + "\n");
    CliRun next =
        CliRun.ok(
            db,
            "memory",
            "agent:coder",
            "plan",
            "--type",
            "semantic",
            "--history",
            "--after",
            first.get("seq").asText(),
            "--json");
    assertThat(lines(next.out())).hasSize(1);
    assertThat(json.readTree(next.out()).get("value").asText()).isEqualTo("v2");
    assertThat(next.err()).isEmpty();
  }

  @Test
  void cleanupPrunesTheHistoryBeforeASeqKeepingTheStateThere() {
    String before = CliRun.ok(db, "history", "--as-of", Long.toString(decided)).out();
    // before seq 7 only the coder's registration (seq 3) is superseded, by its start (seq 4)
    assertThat(
            CliRun.ok(db, "cleanup", "--history-before", Long.toString(decided), "--quiet").out())
        .isEqualTo(
            "history before seq "
                + decided
                + ": 1 versions deleted (the state at seq "
                + decided
                + " is kept)\n");
    assertThat(CliRun.ok(db, "history", "--as-of", Long.toString(decided)).out()).isEqualTo(before);
    assertThat(
            CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", Long.toString(decided - 1))
                .err())
        .contains("before the history horizon, seq " + decided);
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "cleanup", "--history-before", "-1").err())
        .contains("negative");
  }

  @Test
  void memoryHistoryNeedsAKeyAndAType() {
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "memory", "swarm", "--history").err())
        .contains("--history needs KEY and --type TYPE");
    assertThat(
            CliRun.fails(
                    ExitCodes.USAGE,
                    db,
                    "memory",
                    "swarm",
                    "goal",
                    "--type",
                    "semantic",
                    "--after",
                    "3")
                .err())
        .contains("--after SEQ pages through --history");
  }

  private JsonNode historyInfo(String... global) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of(global));
    args.addAll(List.of("info", "--json"));
    return json.readTree(CliRun.ok(db, args.toArray(String[]::new)).out()).get("history");
  }

  @Test
  void infoShowsTheHistoryAgainstItsBudget() throws Exception {
    JsonNode h = historyInfo();
    long rows = h.get("rows").asLong();
    long bytes = h.get("bytes").asLong();
    assertThat(rows).as("10 changes, each a version").isEqualTo(10);
    assertThat(bytes).isGreaterThan(rows * 64);
    assertThat(h.get("budgetBytes").isNull()).isTrue();
    assertThat(h.get("horizon").asLong()).isZero();
    assertThat(h.get("overBudget").asBoolean()).isFalse();
    assertThat(CliRun.ok(db, "info").out())
        .contains(
            "history:         " + rows + " rows, " + bytes + " bytes, budget none, horizon seq 0");
    // the budget's limits: one byte under the history is over, at it and above it within
    assertThat(CliRun.ok(db, "info", "--history-budget", Long.toString(bytes - 1)).out())
        .contains("budget " + (bytes - 1) + " bytes (over)");
    assertThat(CliRun.ok(db, "--history-budget", Long.toString(bytes), "info").out())
        .contains("budget " + bytes + " bytes (within)");
    JsonNode above = historyInfo("--history-budget", Long.toString(bytes + 1));
    assertThat(above.get("budgetBytes").asLong()).isEqualTo(bytes + 1);
    assertThat(above.get("overBudget").asBoolean()).isFalse();
    assertThat(historyInfo("--history-budget", "1KiB").get("budgetBytes").asLong()).isEqualTo(1024);
  }

  @Test
  void cleanupPrunesTheHistoryToItsBudget() throws Exception {
    long bytes = historyInfo().get("bytes").asLong();
    String before = CliRun.ok(db, "history", "--as-of", "2026-11-30T09:00:00Z").out();
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "cleanup", "--history-budget", "0").err())
        .contains("'0' is zero; use a positive size such as 64MiB");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "cleanup", "--history-budget", "12x").err())
        .contains("'12x' is not a size");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "cleanup", "--history-budget", "1").err())
        .contains("over its budget of 1 bytes", "nothing was pruned");
    assertThat(historyInfo().get("bytes").asLong()).isEqualTo(bytes);
    // at the budget: nothing to do
    assertThat(CliRun.ok(db, "cleanup", "--history-budget", Long.toString(bytes), "--quiet").out())
        .isEqualTo(
            "history budget "
                + bytes
                + " bytes: "
                + bytes
                + " bytes before, "
                + bytes
                + " after, 0 versions deleted, horizon unchanged at seq 0\n");
    // one byte under: the first version superseded goes, the coder's registration
    String out =
        CliRun.ok(db, "cleanup", "--history-budget", Long.toString(bytes - 1), "--quiet").out();
    JsonNode after = historyInfo();
    long horizon = after.get("horizon").asLong();
    assertThat(horizon).isPositive();
    assertThat(after.get("bytes").asLong()).isLessThan(bytes);
    assertThat(out)
        .isEqualTo(
            "history budget "
                + (bytes - 1)
                + " bytes: "
                + bytes
                + " bytes before, "
                + after.get("bytes").asLong()
                + " after, 1 versions deleted, horizon seq 0 -> "
                + horizon
                + "\n");
    assertThat(CliRun.ok(db, "history", "--as-of", "2026-11-30T09:00:00Z").out()).isEqualTo(before);
    assertThat(
            CliRun.fails(ExitCodes.USAGE, db, "history", "--as-of", Long.toString(horizon - 1))
                .err())
        .contains("before the history horizon, seq " + horizon);
  }

  @Test
  void theBudgetComesFromItsVariableToo() {
    Map<String, String> env = CliRun.quietEnv();
    env.put("MOAI_HISTORY_BUDGET", "64MiB");
    CliRun r = CliRun.run(env, "--db", db.toString(), "cleanup", "--quiet").exits(ExitCodes.OK);
    assertThat(r.out()).startsWith("history budget 64MiB: ").contains("horizon unchanged at seq 0");
    env.put("MOAI_HISTORY_BUDGET", "lots");
    assertThat(CliRun.run(env, "--db", db.toString(), "info").exits(ExitCodes.USAGE).err())
        .contains("environment variable MOAI_HISTORY_BUDGET: 'lots' is not a size");
  }

  @Test
  void sizesParseStrictly() {
    assertThat(Sizes.parse("1")).isEqualTo(1);
    assertThat(Sizes.parse("512KiB")).isEqualTo(512L << 10);
    assertThat(Sizes.parse("64MiB")).isEqualTo(64L << 20);
    assertThat(Sizes.parse("2GiB")).isEqualTo(2L << 30);
    assertThat(Sizes.parse("8388607TiB")).isEqualTo(8388607L << 40);
    assertThat(Sizes.parse(Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    for (String bad : List.of("8388608TiB", "9223372036854775808", "-1", "1 KiB", "1kb", "")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse(bad))
          .as(bad)
          .isInstanceOf(picocli.CommandLine.TypeConversionException.class);
    }
    assertThat(Sizes.format(1024)).isEqualTo("1KiB");
    assertThat(Sizes.format(3L << 30)).isEqualTo("3GiB");
    assertThat(Sizes.format(1000)).isEqualTo("1000 bytes");
    assertThat(Sizes.format(1L << 40)).isEqualTo("1TiB");
  }
}
