package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.SchemaV1;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Causality's migration, V3 to V4, on a v3 file with data (the checked-in v1 file migrated by the
 * v3 library's scripts, plus rows a v3 process wrote): backup first, the link tables are added
 * empty, still 12 explicit indexes, and the events and memory versions from before can be named as
 * causes and reads at once. The same on PostgreSQL from a V1+V2+V3 schema.
 */
class V3ToV4MigrationTest {
  @TempDir Path dir;

  /** The checked-in v1 file migrated to v3 with the shipped V1 to V3 scripts only. */
  private Path v3File() throws Exception {
    return OldFiles.atVersion(
        dir,
        3,
        "history",
        "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
            + " updated_at) VALUES ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)",
        "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('v3-event', 'x',"
            + " 'agent-0', 5)");
  }

  @Test
  void aV3FileIsBackedUpAndItsEventsAndVersionsCanBeLinkedAtOnce() throws Exception {
    Path file = v3File();
    long events =
        V2ToV3MigrationTest.V1ToV3Queries.query(file, "SELECT count(*) FROM agent_events");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
      assertThat(db.events().count()).isEqualTo(events);
      assertThat(db.inspect().info().indexes()).containsExactlyElementsOf(SchemaV1.INDEXES);
      // v5 keeps the links in the event's row: the v4 tables are gone once migrated
      assertThat(db.inspect().info().rowCounts()).doesNotContainKeys("event_causes", "event_reads");
      MemoryRef goal = new MemoryRef(Scope.swarm(), "semantic", "goal", 1);
      db.events()
          .append(
              AgentEvent.of("run", "agent-0", null, Map.of()).withEventId("v4-event"),
              new CausalLinks(List.of("v3-event"), List.of(goal)));
      CausalGraph g = db.why("v4-event");
      assertThat(g.events())
          .extracting(n -> n.event().eventId())
          .containsExactly("v4-event", "v3-event");
      assertThat(g.memory()).extracting(CausalGraph.MemoryNode::ref).containsExactly(goal);
    }
    Path backup = OldFiles.backupOf(dir.resolve("swarm-v3.db"));
    assertThat(V2ToV3MigrationTest.V1ToV3Queries.query(backup, "PRAGMA user_version")).isEqualTo(3);
    assertThat(
            V2ToV3MigrationTest.V1ToV3Queries.query(
                backup, "SELECT count(*) FROM sqlite_schema WHERE name = 'event_causes'"))
        .isZero();
    assertThat(OldFiles.explicitIndexes(file)).isEqualTo(12);
  }

  @Test
  void aV3SchemaOnPostgresqlMigratesAndLinksAtOnce() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      PgTestSupport.atVersion(c, 3);
      st.execute(
          "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('v3-event',"
              + " 'spawn', 'agent-0', 0)");
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
        assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        MemoryRef goal = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "goal", "ship"));
        db.events()
            .append(
                AgentEvent.of("run", "agent-0", null, Map.of()).withEventId("v4-event"),
                new CausalLinks(List.of("v3-event"), List.of(goal)));
        assertThat(db.why("v4-event").events()).hasSize(2);
      }
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT json_array_length(links::json -> 'c') + json_array_length(links::json"
                      + " -> 'r') FROM agent_events WHERE event_id = 'v4-event'"))
          .isEqualTo(2);
    }
  }
}
