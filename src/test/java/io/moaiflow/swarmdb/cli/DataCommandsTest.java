package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code events}, {@code agents} and {@code sessions} end to end on a database a simulated swarm
 * wrote: tables, JSON lines, filters, keyset pages and the limits at -1, 0, the boundary and one
 * beyond.
 */
class DataCommandsTest {
  @TempDir Path dir;
  Path db;

  @BeforeEach
  void swarm() {
    db = SimulatedSwarm.write(dir.resolve("swarm.db"));
  }

  private static List<String> lines(String out) {
    return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n", -1)).subList(0, count(out));
  }

  private static int count(String out) {
    return (int) out.chars().filter(c -> c == '\n').count();
  }

  private static JsonNode json(String line) throws Exception {
    return EventLines.MAPPER.readTree(line);
  }

  /** Every line has its cells where the header has its column names. */
  private static void assertAligned(List<String> table, String... columns) {
    String header = table.get(0);
    assertThat(header.split("\\s{2,}")).containsExactly(columns);
    for (String column : Arrays.copyOfRange(columns, 1, columns.length)) {
      int at = header.indexOf("  " + column) + 2;
      for (String row : table.subList(1, table.size())) {
        assertThat(row.charAt(at - 1)).as("before %s in %s", column, row).isEqualTo(' ');
        assertThat(row.charAt(at)).as("%s in %s", column, row).isNotEqualTo(' ');
      }
    }
  }

  @Test
  void agentsListsEveryAgentByIdInAnAlignedTable() {
    CliRun r = CliRun.ok(db, "agents");
    List<String> table = lines(r.out());
    assertThat(table).hasSize(1 + SimulatedSwarm.AGENTS.size());
    assertAligned(table, "AGENT", "TYPE", "STATUS", "SESSION", "SPAWNED", "DURATION", "UPDATED");
    assertThat(table.subList(1, table.size()))
        .extracting(l -> l.split("\\s+")[0])
        .containsExactly(
            "coder-1", "coder-2", "coder-3", "coder-4", "docs-1", "planner-1", "tester-1");
    assertThat(table.get(1)).contains("expert-backend", "complete", "s-alpha", "0ms");
    assertThat(table.get(4)).contains("coder-4", "spawned", " - ");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void agentsFiltersByStatusAndSession() throws Exception {
    assertThat(lines(CliRun.ok(db, "agents", "--status", "complete").out()))
        .hasSize(4)
        .allMatch(l -> l.startsWith("AGENT") || l.contains(" complete "));
    assertThat(lines(CliRun.ok(db, "agents", "--status", "RUNNING").out()).get(1))
        .startsWith("docs-1 ");
    assertThat(lines(CliRun.ok(db, "agents", "--session", "s-beta").out()))
        .extracting(l -> l.split("\\s+")[0])
        .containsExactly("AGENT", "coder-3", "tester-1");
    CliRun j = CliRun.ok(db, "agents", "--session", "s-alpha", "--status", "error", "--json");
    assertThat(lines(j.out())).hasSize(1);
    JsonNode a = json(lines(j.out()).get(0));
    assertThat(a.get("agentId").asText()).isEqualTo("coder-2");
    assertThat(a.get("status").asText()).isEqualTo("error");
    assertThat(a.get("sessionId").asText()).isEqualTo("s-alpha");
    assertThat(a.get("spawnedAt").asLong()).isEqualTo(SimulatedSwarm.T0.toEpochMilli());
    assertThat(a.get("durationMs").asLong()).isZero();
    assertThat(a.get("metadata").get("outcome").asText()).isEqualTo("error");
    assertThat(lines(CliRun.ok(db, "agents", "--session", "nobody").out()))
        .containsExactly("AGENT  TYPE  STATUS  SESSION  SPAWNED  DURATION  UPDATED");
  }

  @Test
  void agentsPagesWithLimitAndAfterAtTheBoundaries() {
    int all = SimulatedSwarm.AGENTS.size();
    // limit + 1 and limit: everything, no next page
    for (int limit : new int[] {all + 1, all}) {
      CliRun r = CliRun.ok(db, "agents", "--limit", Integer.toString(limit));
      assertThat(lines(r.out())).as("limit %d", limit).hasSize(1 + all);
      assertThat(r.out()).doesNotContain("next page");
    }
    // limit - 1: a page and its cursor; following the cursors lists each agent once
    CliRun first = CliRun.ok(db, "agents", "--limit", Integer.toString(all - 1));
    assertThat(lines(first.out()))
        .hasSize(1 + (all - 1) + 1)
        .last()
        .isEqualTo("next page: --after planner-1");
    List<String> seen = new ArrayList<>();
    String after = null;
    for (int page = 0; page < 10; page++) {
      List<String> args = new ArrayList<>(List.of("agents", "--limit", "3", "--json"));
      if (after != null) {
        args.addAll(List.of("--after", after));
      }
      CliRun r = CliRun.ok(db, args.toArray(String[]::new));
      lines(r.out()).forEach(l -> seen.add(l.replaceAll(".*\"agentId\":\"([^\"]+)\".*", "$1")));
      if (r.err().isEmpty()) {
        break;
      }
      assertThat(r.err()).startsWith("next page: --after "); // on stderr with --json
      after = r.err().trim().substring("next page: --after ".length());
    }
    assertThat(seen)
        .containsExactly(
            "coder-1", "coder-2", "coder-3", "coder-4", "docs-1", "planner-1", "tester-1");
    assertThat(lines(CliRun.ok(db, "agents", "--limit", "10000").out())).hasSize(1 + all);
    assertThat(lines(CliRun.ok(db, "agents", "--limit", "1").out())).hasSize(3);
    for (String bad : new String[] {"-1", "0", "10001"}) {
      assertThat(CliRun.fails(ExitCodes.USAGE, db, "agents", "--limit", bad).err())
          .contains("--limit is " + bad + "; pass 1 to 10000 rows");
    }
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "agents", "--status", "sleeping").err())
        .contains("--status", "sleeping", "SPAWNED, RUNNING, COMPLETE, ERROR, CANCELLED");
  }

  @Test
  void sessionsNewestFirstOpenOnlyAndPaged() throws Exception {
    List<String> table = lines(CliRun.ok(db, "sessions").out());
    assertAligned(table, "SESSION", "STATUS", "STARTED", "ENDED", "METADATA");
    // all three started at the same instant: ties by id
    assertThat(table.subList(1, 4))
        .extracting(l -> l.split("\\s+")[0] + " " + l.split("\\s+")[1])
        .containsExactly("s-alpha ended", "s-beta ended", "s-gamma active");
    assertThat(table.get(3)).contains(" - ", "{\"goal\":\"document it\"}");
    assertThat(lines(CliRun.ok(db, "sessions", "--open").out()))
        .hasSize(2)
        .last()
        .asString()
        .startsWith("s-gamma ");
    CliRun page = CliRun.ok(db, "sessions", "--limit", "2");
    assertThat(lines(page.out())).last().isEqualTo("next page: --after s-beta");
    assertThat(lines(CliRun.ok(db, "sessions", "--limit", "2", "--after", "s-beta").out()))
        .hasSize(2)
        .last()
        .asString()
        .startsWith("s-gamma ");
    assertThat(CliRun.ok(db, "sessions", "--limit", "3").out()).doesNotContain("next page");
    assertThat(CliRun.ok(db, "sessions", "--limit", "4").out()).doesNotContain("next page");
    JsonNode s = json(lines(CliRun.ok(db, "sessions", "--open", "--json").out()).get(0));
    assertThat(s.get("sessionId").asText()).isEqualTo("s-gamma");
    assertThat(s.get("status").asText()).isEqualTo("active");
    assertThat(s.get("endedAt").isNull()).isTrue();
    assertThat(s.get("metadata").get("goal").asText()).isEqualTo("document it");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "sessions", "--after", "s-zzz").err())
        .contains("cursor session 's-zzz' does not exist");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "sessions", "--limit", "0").err())
        .contains("--limit is 0");
  }

  @Test
  void eventsNewestFirstWithFiltersAndLimits() {
    List<String> table = lines(CliRun.ok(db, "events").out());
    assertThat(table).hasSize(1 + SimulatedSwarm.EVENTS);
    assertAligned(table, "SEQ", "TIME", "TYPE", "AGENT", "SESSION", "METADATA");
    assertThat(table.get(1)).startsWith("30 ").contains("coder-4", "spawn");
    assertThat(table.get(SimulatedSwarm.EVENTS)).startsWith("1 ").contains("planner-1");
    List<String> calls = lines(CliRun.ok(db, "events", "--agent", "coder-1").out());
    assertThat(calls.subList(1, calls.size()))
        .extracting(l -> l.split("\\s+")[2])
        .containsExactly("complete", "tool_call", "tool_call", "start", "spawn");
    assertThat(lines(CliRun.ok(db, "events", "--session", "s-gamma", "--type", "spawn").out()))
        .hasSize(3);
    int all = SimulatedSwarm.EVENTS;
    CliRun under = CliRun.ok(db, "events", "--limit", Integer.toString(all - 1));
    assertThat(lines(under.out()))
        .hasSize(1 + all - 1 + 1)
        .last()
        .asString()
        .startsWith("more events: the newest 29 are shown");
    for (int limit : new int[] {all, all + 1, 10_000}) {
      CliRun r = CliRun.ok(db, "events", "--limit", Integer.toString(limit));
      assertThat(lines(r.out())).hasSize(1 + all);
    }
    for (String bad : new String[] {"-1", "0", "10001"}) {
      assertThat(CliRun.fails(ExitCodes.USAGE, db, "events", "--limit", bad).err())
          .contains("--limit is " + bad);
    }
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "events", "--agent", "").err())
        .contains("agentId");
  }

  @Test
  void eventsSinceListsInSeqOrderAndPagesByTheLastSeq() throws Exception {
    CliRun r = CliRun.ok(db, "events", "--since", "0", "--limit", "12");
    List<String> table = lines(r.out());
    assertThat(table.subList(1, 13))
        .extracting(l -> l.split(" ")[0])
        .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    assertThat(table).last().isEqualTo("next page: --since 12");
    assertThat(lines(CliRun.ok(db, "events", "--since", "24", "--limit", "6").out()))
        .hasSize(7)
        .noneMatch(l -> l.startsWith("next page"));
    // filtered: the scan reads past the rows that do not match
    CliRun j =
        CliRun.ok(db, "events", "--since", "0", "--type", "complete", "--limit", "2", "--json");
    List<String> jl = lines(j.out());
    assertThat(jl).hasSize(2);
    assertThat(json(jl.get(0)).get("agentId").asText()).isEqualTo("planner-1");
    assertThat(json(jl.get(1)).get("seq").asLong()).isEqualTo(10);
    assertThat(j.err()).isEqualTo("next page: --since 10\n");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "events", "--since", "-1").err())
        .contains("--since is -1");
    // the JSON lines are export's lines plus seq: import reads them
    Path file = dir.resolve("events.jsonl");
    Files.writeString(file, CliRun.ok(db, "events", "--since", "0", "--json").out());
    Path copy = dir.resolve("copy.db");
    CliRun.ok(copy, "import", "--in", file.toString(), "--quiet");
    try (SwarmDB c = SwarmDB.open(copy)) {
      assertThat(c.events().count()).isEqualTo(SimulatedSwarm.EVENTS);
      assertThat(c.events().get("e-1").orElseThrow().agentId()).isEqualTo("planner-1");
    }
  }

  @Test
  void followPrintsTheBacklogThenNewEventsUntilMax() throws Exception {
    // --max at the backlog (-1, =, and +1 with one event written while following)
    CliRun fewer = CliRun.ok(db, "events", "--follow", "--since", "0", "--max", "29");
    assertThat(lines(fewer.out())).hasSize(1 + 29);
    CliRun equal = CliRun.ok(db, "events", "--follow", "--since", "0", "--max", "30", "--json");
    assertThat(lines(equal.out())).hasSize(30);
    CompletableFuture<CliRun> more =
        CompletableFuture.supplyAsync(
            () ->
                CliRun.ok(
                    db, "events", "--follow", "--since", "0", "--max", "31", "--poll-ms", "20"));
    Thread.sleep(300);
    assertThat(more).isNotDone();
    long seq;
    try (SwarmDB w = SwarmDB.open(db)) {
      seq =
          w.events()
              .append(AgentEvent.of("tool_call", "docs-1", "manager-docs", "s-gamma", Map.of()))
              .seq();
    }
    List<String> followed = lines(more.get(30, TimeUnit.SECONDS).out());
    assertThat(followed).hasSize(1 + 31);
    // after the fixture's registry writes, which took numbers of the same sequence
    assertThat(followed.get(31)).startsWith(seq + " ").contains("docs-1", "tool_call");
    // without --since: the newest 10 (or --limit), oldest first, then new ones; filters apply
    CliRun tail = CliRun.ok(db, "events", "-f", "--agent", "coder-3", "--limit", "2", "--max", "2");
    assertThat(lines(tail.out()).subList(1, 3))
        .extracting(l -> l.split("\\s+")[2])
        .containsExactly("tool_call", "complete");
    for (String bad : new String[] {"-1", "0"}) {
      assertThat(CliRun.fails(ExitCodes.USAGE, db, "events", "--follow", "--max", bad).err())
          .contains("--max is " + bad);
    }
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "events", "--max", "5").err())
        .contains("--max only applies with --follow");
  }

  @Test
  void readCommandsRefuseAMissingDatabaseAndNeverCreateIt() {
    Path missing = dir.resolve("missing.db");
    for (String cmd : new String[] {"events", "agents", "sessions"}) {
      assertThat(CliRun.fails(ExitCodes.DATABASE, missing, cmd).err()).contains("does not exist");
    }
    assertThat(CliRun.fails(ExitCodes.DATABASE, missing, "events", "--follow").err())
        .contains("does not exist");
    assertThat(missing).doesNotExist();
  }

  @Test
  void tableCellsStayOnOneLine() {
    assertThat(Table.cell("a\nb\tc")).isEqualTo("a?b?c");
    assertThat(Table.cell("x".repeat(200))).hasSize(Table.MAX_CELL).endsWith("...");
  }
}
