package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ActingAgent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} and {@code import} carry causal links: round trips on SQLite and PostgreSQL
 * (either way), files without the fields, and the checks of the links before any write.
 */
class ExportImportLinksTest {
  @TempDir Path dir;

  private static final String GOOD =
      "{\"type\":\"event\",\"eventId\":\"%s\",\"eventType\":\"step\",\"agentId\":\"a\",\"ts\":1%s}";

  private static String line(String id, String extra) {
    return String.format(GOOD, id, extra);
  }

  /** Events with causes and reads (explicit and through a handle), and one without links. */
  private static void seed(SwarmDB s) {
    MemoryRef goal = MemoryRef.of(s.memory(Scope.swarm()).put("semantic", "goal", "ship"));
    s.events().append(event("task", "planner"));
    s.events().append(event("plan", "planner"), new CausalLinks(List.of("task"), List.of(goal)));
    ActingAgent coder = s.actingAs("coder");
    coder.memory(Scope.swarm()).get("semantic", "goal", String.class);
    coder.memory(Scope.namespace("team")).put("semantic", "note", 1);
    coder.memory(Scope.namespace("team")).get("semantic", "note", Integer.class);
    coder.append(event("code", "coder"), CausalLinks.causedBy("plan", "task"));
    s.events().append(event("plain", "tester"));
  }

  private static AgentEvent event(String id, String agent) {
    return new AgentEvent(0, id, "step", agent, null, null, Instant.ofEpochMilli(7), Map.of());
  }

  /** The event {@link #line} describes, with no extra fields. */
  private static AgentEvent asInFile(String id) {
    return new AgentEvent(0, id, "step", "a", null, null, Instant.ofEpochMilli(1), Map.of());
  }

  /** The why of every event, as ids and refs, comparable across databases. */
  private static Map<String, String> whys(SwarmDB s) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String id : List.of("task", "plan", "code", "plain")) {
      CausalGraph g = s.why(id);
      out.put(
          id,
          g.events().stream().map(n -> n.event().eventId() + "@" + n.depth()).toList()
              + " "
              + g.memory());
    }
    return out;
  }

  @Test
  void aSqliteRoundTripRestoresTheLinks() throws Exception {
    Path a = dir.resolve("a.db");
    Map<String, String> whys;
    try (SwarmDB s = SwarmDB.open(a)) {
      seed(s);
      whys = whys(s);
    }
    Path file = dir.resolve("events.jsonl");
    CliRun.ok(a, "export", "--out", file.toString());
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(1))
        .endsWith(
            ",\"metadata\":{},\"causes\":[\"task\"],\"reads\":[{\"scope\":\"swarm\","
                + "\"memoryType\":\"semantic\",\"key\":\"goal\",\"version\":1}]}");
    assertThat(lines.get(0)).doesNotContain("causes", "reads").endsWith("\"metadata\":{}}");
    assertThat(lines.get(2)).contains("\"causes\":[\"task\",\"plan\"]");

    Path b = dir.resolve("b.db");
    assertThat(CliRun.ok(b, "import", "--in", file.toString()).out())
        .contains("imported 4 new events");
    try (SwarmDB s = SwarmDB.open(b)) {
      // b has no memory at all: the reads are recorded as the export gave them
      assertThat(s.memory(Scope.swarm()).count()).isZero();
      assertThat(whys(s)).isEqualTo(whys);
    }
    assertThat(CliRun.on(b, "export").out())
        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    // idempotent: nothing new, no link written twice
    assertThat(CliRun.ok(b, "import", "--in", file.toString()).out())
        .contains("imported 0 new events", "4 already present");
    try (SwarmDB s = SwarmDB.open(b)) {
      assertThat(whys(s)).isEqualTo(whys);
    }
  }

  @Test
  void postgresqlExportsAndImportsTheLinksBothWays() throws Exception {
    PgTestSupport.requireUrl();
    try (PgTestSupport.Schema from = PgTestSupport.newSchema();
        PgTestSupport.Schema to = PgTestSupport.newSchema()) {
      Map<String, String> whys;
      try (SwarmDB s = SwarmDB.open(SwarmDbConfig.postgres(from.url()).build())) {
        seed(s);
        whys = whys(s);
      }
      Map<String, String> env = new HashMap<>(CliRun.quietEnv());
      Path file = dir.resolve("pg.jsonl");
      CliRun.run(env, "--url", from.url(), "export", "--out", file.toString()).exits(ExitCodes.OK);
      // PostgreSQL to PostgreSQL
      CliRun.run(env, "--url", to.url(), "import", "--in", file.toString()).exits(ExitCodes.OK);
      try (SwarmDB s = SwarmDB.open(SwarmDbConfig.postgres(to.url()).build())) {
        assertThat(whys(s)).isEqualTo(whys);
      }
      // PostgreSQL to SQLite, and the SQLite file's export back is the same text
      Path copy = dir.resolve("copy.db");
      CliRun.ok(copy, "import", "--in", file.toString());
      try (SwarmDB s = SwarmDB.open(copy)) {
        assertThat(whys(s)).isEqualTo(whys);
      }
      assertThat(CliRun.on(copy, "export").out())
          .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
  }

  @Test
  void aFileWithoutTheFieldsImportsAsBefore() throws Exception {
    Path file = dir.resolve("old.jsonl");
    Files.writeString(
        file, line("old-1", "") + "\n" + line("old-2", ",\"causes\":null,\"reads\":[]") + "\n");
    Path db = dir.resolve("old.db");
    assertThat(CliRun.ok(db, "import", "--in", file.toString()).out())
        .contains("imported 2 new events");
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.why("old-2").events()).hasSize(1);
      assertThat(s.why("old-2").memory()).isEmpty();
    }
  }

  @Test
  void causesOutsideTheFileAndTheDatabaseAreRefusedBeforeAnyWrite() throws Exception {
    Path file = dir.resolve("orphan.jsonl");
    Files.writeString(
        file,
        line("first", "")
            + "\n"
            + line("second", ",\"causes\":[\"first\",\"ghost\"]")
            + "\n"
            + line("third", ",\"causes\":[\"fourth\"]")
            + "\n"
            + line("fourth", "")
            + "\n");
    // a missing database file is not even created
    Path missing = dir.resolve("missing.db");
    assertThat(CliRun.fails(2, missing, "import", "--in", file.toString()).err())
        .contains(
            "names 2 cause(s) that are neither an earlier event of the file nor stored",
            "fourth (event 3 of the file)",
            "ghost (event 2 of the file)",
            "nothing was imported");
    assertThat(missing).doesNotExist();
    // an existing database: nothing written, the file's first event included
    Path db = dir.resolve("existing.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      s.events().append(asInFile("fourth"));
    }
    assertThat(CliRun.fails(2, db, "import", "--in", file.toString()).err())
        .contains("names 1 cause(s)", "[ghost (event 2 of the file)]");
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.events().count()).isEqualTo(1);
      // once the cause is stored, the file imports: "fourth" resolves to the stored event
      s.events().append(asInFile("ghost"));
    }
    assertThat(CliRun.ok(db, "import", "--in", file.toString()).out())
        .contains("imported 3 new events", "1 already present");
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.why("second").events())
          .extracting(n -> n.event().eventId())
          .containsExactlyInAnyOrder("second", "first", "ghost");
      assertThat(s.why("third").events())
          .extracting(n -> n.event().eventId())
          .containsExactly("third", "fourth");
    }
  }

  @Test
  void badLinkFieldsAreRefusedNamingTheLine() throws Exception {
    Path db = dir.resolve("bad.db");
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put(line("e", ",\"causes\":\"first\""), "\"causes\" must be a JSON array");
    bad.put(line("e", ",\"causes\":[1]"), "\"causes\" must hold event ids");
    bad.put(line("e", ",\"causes\":[\"e\"]"), "names itself in \"causes\"");
    bad.put(line("e", ",\"causes\":[\"first\",\"first\"]"), "names event first twice");
    bad.put(line("e", ",\"reads\":{}"), "\"reads\" must be a JSON array");
    bad.put(line("e", ",\"reads\":[1]"), "\"reads\" must hold objects");
    String read = "{\"scope\":\"swarm\",\"memoryType\":\"semantic\",\"key\":\"k\",\"version\":%s}";
    bad.put(line("e", ",\"reads\":[" + read.formatted("\"1\"") + "]"), "must be an integer");
    bad.put(line("e", ",\"reads\":[" + read.formatted("0") + "]"), "version");
    bad.put(
        line("e", ",\"reads\":[" + read.replace("swarm", "nowhere:x").formatted("1") + "]"),
        "nowhere");
    bad.put(
        line("e", ",\"reads\":[" + read.replace(",\"key\":\"k\"", "").formatted("1") + "]"),
        "\"key\" is missing");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Path file = dir.resolve("bad.jsonl");
      Files.writeString(file, line("first", "") + "\n" + e.getKey() + "\n");
      CliRun r = CliRun.on(db, "import", "--in", file.toString());
      assertThat(r.code()).as(e.getKey() + ": " + r).isEqualTo(2);
      assertThat(r.err())
          .as(e.getKey())
          .contains("line 2 of " + file, e.getValue(), "nothing was imported");
    }
    assertThat(db).doesNotExist();
  }
}
