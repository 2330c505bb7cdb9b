package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration that moves causal links into the event's row, V5 to V6, on a v5 file with links
 * (the checked-in v1 file migrated by the v5 library's scripts, plus the rows a v5 process wrote):
 * backup first, every cause and read lands in {@code agent_events.links}, the link tables go, still
 * 12 explicit indexes, and why and blast radius return what v5 returned. The same on PostgreSQL
 * from a V1 to V5 schema.
 */
class V5ToV6MigrationTest {
  @TempDir Path dir;

  /** Events a, b, c with c caused by a and b and reading swarm semantic:goal@1; d reads nothing. */
  private static final String[] V5_ROWS = {
    "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
        + " updated_at) VALUES ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('a', 'x', 'agent-0', 5)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('b', 'x', 'agent-1', 6)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('c', 'x', 'agent-2', 7)",
    "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('d', 'x', 'agent-3', 8)",
    "INSERT INTO event_causes (event_seq, cause_seq) SELECT c.seq, x.seq FROM agent_events c,"
        + " agent_events x WHERE c.event_id = 'c' AND x.event_id IN ('a', 'b')",
    "INSERT INTO event_reads (event_seq, scope, memory_type, key, version) SELECT seq, 'swarm',"
        + " 'semantic', 'goal', 1 FROM agent_events WHERE event_id = 'c'"
  };

  private static final MemoryRef GOAL = new MemoryRef(Scope.swarm(), "semantic", "goal", 1);

  private static void assertV5Graphs(SwarmDB db) {
    CausalGraph why = db.why("c");
    assertThat(why.events()).extracting(n -> n.event().eventId()).containsExactly("c", "a", "b");
    assertThat(why.events()).extracting(CausalGraph.EventNode::depth).containsExactly(0, 1, 1);
    assertThat(why.memory()).containsExactly(new CausalGraph.MemoryNode(GOAL, 1));
    assertThat(db.why("d").events()).hasSize(1);
    assertThat(db.why("d").memory()).isEmpty();
    assertThat(db.blastRadius(GOAL).events())
        .extracting(n -> n.event().eventId())
        .containsExactly("c");
  }

  @Test
  void aV5FilesLinksMoveIntoTheirRowsAfterABackup() throws Exception {
    Path file = OldFiles.atVersion(dir, 5, "writer", V5_ROWS);
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
      assertThat(db.inspect().info().indexes()).containsExactlyElementsOf(SchemaV1.INDEXES);
      assertThat(db.inspect().info().rowCounts()).doesNotContainKeys("event_causes", "event_reads");
      assertV5Graphs(db);
    }
    long a =
        V2ToV3MigrationTest.V1ToV3Queries.query(
            file, "SELECT seq FROM agent_events WHERE event_id = 'a'");
    long b =
        V2ToV3MigrationTest.V1ToV3Queries.query(
            file, "SELECT seq FROM agent_events WHERE event_id = 'b'");
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT event_id, links FROM agent_events WHERE event_id IN ('c', 'd') ORDER BY event_id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2))
          .isEqualTo("{\"c\":[" + a + "," + b + "],\"r\":[[\"swarm\",\"semantic\",\"goal\",1]]}");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).as("an event without links keeps NULL").isNull();
    }
    assertThat(
            V2ToV3MigrationTest.V1ToV3Queries.query(
                file,
                "SELECT count(*) FROM sqlite_schema WHERE name IN ('event_causes', 'event_reads')"))
        .isZero();
    assertThat(OldFiles.explicitIndexes(file)).isEqualTo(12);
    Path backup = OldFiles.backupOf(dir.resolve("swarm-v5.db"));
    assertThat(V2ToV3MigrationTest.V1ToV3Queries.query(backup, "PRAGMA user_version")).isEqualTo(5);
    assertThat(V2ToV3MigrationTest.V1ToV3Queries.query(backup, "SELECT count(*) FROM event_causes"))
        .isEqualTo(2);
  }

  @Test
  void aV5SchemaOnPostgresqlMovesItsLinksIntoTheirRows() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      PgTestSupport.atVersion(c, 5);
      for (String row : V5_ROWS) {
        st.execute(row.replace("'\"ship\"'", "'\"ship\"'::jsonb"));
      }
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
        assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        assertV5Graphs(db);
      }
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                      + " current_schema() AND table_name IN ('event_causes', 'event_reads')"))
          .isZero();
    }
  }
}
