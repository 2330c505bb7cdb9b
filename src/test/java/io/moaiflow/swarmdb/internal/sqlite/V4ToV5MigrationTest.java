package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV5;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's migration, V4 to V5, on a v4 file with data (the checked-in v1 file migrated by the
 * shipped V1 to V4 scripts, plus rows a v4 process wrote, links included): backup first, every row
 * kept with writer NULL (so agent and session memory still report their owner, other scopes none),
 * the replaced triggers record the writer of new handle writes at once, still 12 explicit indexes
 * and the same trigger names. The same on PostgreSQL from a V1 to V4 schema.
 */
class V4ToV5MigrationTest {
  @TempDir Path dir;

  private static final String[] V4_ROWS = {
    "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at, updated_at)"
        + " VALUES ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)",
    "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at, updated_at)"
        + " VALUES ('agent:a', 'semantic', 'plan', '\"v1\"', 1, 1, 1)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('v4-cause', 'x',"
        + " 'agent-0', 5)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('v4-event', 'x',"
        + " 'a', 6)",
    "INSERT INTO event_causes (event_seq, cause_seq) SELECT e.seq, c.seq FROM agent_events e,"
        + " agent_events c WHERE e.event_id = 'v4-event' AND c.event_id = 'v4-cause'",
    "INSERT INTO event_reads (event_seq, scope, memory_type, key, version) SELECT seq, 'swarm',"
        + " 'semantic', 'goal', 1 FROM agent_events WHERE event_id = 'v4-event'"
  };

  @Test
  void aV4FileIsBackedUpAndKeepsEveryRowWithoutAWriter() throws Exception {
    Path file = OldFiles.atVersion(dir, 4, "causality", V4_ROWS);
    long history =
        V2ToV3MigrationTest.V1ToV3Queries.query(file, "SELECT count(*) FROM memory_history");
    assertThat(history).isGreaterThanOrEqualTo(2);
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
      assertThat(db.inspect().info().indexes()).containsExactlyElementsOf(SchemaV1.INDEXES);
      List<MemoryVersion> goal = db.memory(Scope.swarm()).history("semantic", "goal");
      assertThat(goal).hasSize(1);
      assertThat(goal.get(0).writerId()).isNull();
      assertThat(goal.get(0).writer()).isEmpty();
      List<MemoryVersion> plan = db.memory(Scope.agent("a")).history("semantic", "plan");
      assertThat(plan)
          .extracting(MemoryVersion::writer)
          .containsExactly(Optional.of(Scope.agent("a")));
      // the v4 links are kept, and blastRadius still follows the agent's own memory
      assertThat(db.why("v4-event").events()).hasSize(2);
      assertThat(db.why("v4-event").memory())
          .extracting(n -> n.ref())
          .containsExactly(new MemoryRef(Scope.swarm(), "semantic", "goal", 1));
      // the replaced triggers record a handle's writer at once
      db.actingAs("a").memory(Scope.swarm()).put("semantic", "goal", "shipped");
      MemoryRef later = new MemoryRef(Scope.swarm(), "semantic", "goal", 2);
      assertThat(db.memory(Scope.swarm()).history("semantic", "goal").get(1).writerId())
          .isEqualTo("a");
      assertThat(db.blastRadius(new MemoryRef(Scope.swarm(), "semantic", "goal", 1)).memory())
          .extracting(n -> n.ref())
          .contains(later);
      db.events()
          .append(
              AgentEvent.of("run", "agent-0", null, Map.of()).withEventId("v5-event"),
              new CausalLinks(List.of("v4-event"), List.of(later)));
    }
    Path backup = OldFiles.backupOf(dir.resolve("swarm-v4.db"));
    assertThat(V2ToV3MigrationTest.V1ToV3Queries.query(backup, "PRAGMA user_version")).isEqualTo(4);
    assertThat(
            V2ToV3MigrationTest.V1ToV3Queries.query(
                backup,
                "SELECT count(*) FROM pragma_table_info('memory_history') WHERE name = 'writer'"))
        .isZero();
    for (String table : SchemaV5.WRITER_TABLES) {
      assertThat(
              V2ToV3MigrationTest.V1ToV3Queries.query(
                  file,
                  "SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = 'writer'"))
          .as(table)
          .isEqualTo(1);
    }
    assertThat(
            V2ToV3MigrationTest.V1ToV3Queries.query(
                file, "SELECT count(*) FROM memory_history WHERE writer IS NULL"))
        .as("every row from before v5, plus none new")
        .isEqualTo(history);
    assertThat(OldFiles.explicitIndexes(file)).isEqualTo(12);
  }

  @Test
  void aV4SchemaOnPostgresqlMigratesKeepingItsRows() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      PgTestSupport.atVersion(c, 4);
      st.execute(
          "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
              + " updated_at) VALUES ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)");
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
        assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        List<MemoryVersion> goal = db.memory(Scope.swarm()).history("semantic", "goal");
        assertThat(goal).hasSize(1);
        assertThat(goal.get(0).writerId()).isNull();
        db.actingAs("a").memory(Scope.swarm()).put("semantic", "goal", "shipped");
        db.actingAs("a").memory(Scope.swarm()).delete("semantic", "goal");
        assertThat(db.memory(Scope.swarm()).history("semantic", "goal"))
            .extracting(MemoryVersion::writerId)
            .containsExactly(null, "a", "a");
      }
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT count(*) FROM information_schema.columns WHERE table_schema ="
                      + " current_schema() AND column_name = 'writer' AND table_name IN"
                      + " ('session_memory', 'scoped_memory', 'memory_history')"))
          .isEqualTo(3);
    }
  }
}
