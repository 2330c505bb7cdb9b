package io.moaiflow.swarmdb.internal.sqlite;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmState;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import io.moaiflow.swarmdb.health.HistoryInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight recorder's migration, V2 to V3, on a v2 file with data in every table (the checked-in
 * v1 file migrated by the v2 library's scripts, plus rows a v2 process wrote): backup first, every
 * entity of v2 becomes one history row numbered after the log's last seq, the horizon is set past
 * them, the state as of the horizon is the migrated data, earlier seqs are refused naming the
 * horizon, and later changes continue the one sequence. The same on PostgreSQL from a V1+V2 schema.
 */
class V2ToV3MigrationTest {
  @TempDir Path dir;

  /** The checked-in v1 file migrated to v2 with the shipped V1 and V2 scripts only. */
  private Path v2File() throws Exception {
    // what a v2 process adds: scoped memory, a deleted event at the end of the log (its seq
    // stays taken: AUTOINCREMENT)
    return OldFiles.atVersion(
        dir,
        2,
        "recall",
        "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
            + " updated_at) VALUES ('agent:agent-0', 'semantic', 'plan', '[1,2]', 3, 1, 2),"
            + " ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)",
        "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('last', 'x',"
            + " 'agent-0', 5)",
        "DELETE FROM agent_events WHERE event_id = 'last'");
  }

  @Test
  void aV2FileOpenedForChecksHasNoHistoryToCount() throws Exception {
    Path file = v2File();
    try (SwarmDB db =
        SwarmDB.openReadOnly(
            SwarmDbConfig.builder(file).migrate(false).historyBudgetBytes(10).build())) {
      HistoryInfo none = new HistoryInfo(0, 0, 0, OptionalLong.of(10));
      assertThat(db.inspect().history()).isEqualTo(none);
      assertThat(db.inspect().info().history()).isEqualTo(none);
      assertThat(db.inspect().info().schemaVersion()).isEqualTo(2);
    }
  }

  @Test
  void aV2FileWithDataIsBackedUpAndItsStateBecomesTheFirstSnapshot() throws Exception {
    Path file = v2File();
    long lastSeq = V1ToV3Queries.query(file, "SELECT seq FROM sqlite_sequence");
    long entities =
        V1ToV3Queries.query(
            file,
            "SELECT (SELECT count(*) FROM agents) + (SELECT count(*) FROM sessions)"
                + " + (SELECT count(*) FROM session_memory) + (SELECT count(*) FROM scoped_memory)");
    assertThat(entities).as("agents, sessions, session and scoped memory").isEqualTo(4 + 2 + 3 + 2);
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
      long horizon = lastSeq + entities;
      // as of the horizon: exactly the migrated data
      SwarmState at = db.asOf(horizon);
      assertThat(at.agents().page(null, null, null, 100))
          .containsExactlyElementsOf(db.agents().page(null, null, null, 100));
      assertThat(at.sessions().page(false, null, 100))
          .containsExactlyElementsOf(db.sessions().page(false, null, 100));
      for (Scope s : List.of(Scope.session("s-1"), Scope.agent("agent-0"), Scope.swarm())) {
        assertThat(at.memory(s).exportJson()).isEqualTo(db.memory(s).exportJson());
      }
      assertThat(at.memory(Scope.agent("agent-0")).get("semantic", "plan", List.class))
          .contains(List.of(1, 2));
      // before it there is no history
      assertInvalid(
          () -> db.asOf(horizon - 1), "before the history horizon, seq " + horizon, "retention");
      // each entry has its migrated version as its first, numbered after the log
      List<MemoryVersion> lang = db.sessions().memory("s-1").history("semantic", "lang");
      assertThat(lang).hasSize(1);
      assertThat(lang.get(0).version()).isEqualTo(2);
      assertThat(lang.get(0).seq()).isGreaterThan(lastSeq).isLessThanOrEqualTo(horizon);
      // later changes continue the one sequence after the snapshot
      AgentEvent next = db.events().append(AgentEvent.of("run", "agent-1", null, Map.of()));
      assertThat(next.seq()).isEqualTo(horizon + 1);
      db.agents().transition("agent-1", AgentStatus.COMPLETE);
      assertThat(db.asOf(horizon + 1).agents().get("agent-1").orElseThrow().status())
          .isEqualTo(AgentStatus.RUNNING);
      assertThat(db.asOf(horizon + 2).agents().get("agent-1").orElseThrow().status())
          .isEqualTo(AgentStatus.COMPLETE);
      assertThat(db.inspect().info().indexes()).containsExactlyElementsOf(SchemaV1.INDEXES);
    }
    Path backup = OldFiles.backupOf(dir.resolve("swarm-v2.db"));
    assertThat(V1ToV3Queries.query(backup, "PRAGMA user_version")).isEqualTo(2);
    assertThat(
            V1ToV3Queries.query(
                backup, "SELECT count(*) FROM sqlite_schema WHERE name = 'memory_history'"))
        .isZero();
    assertThat(V1ToV3Queries.query(file, "SELECT count(*) FROM memory_history")).isEqualTo(5);
    assertThat(V1ToV3Queries.query(file, "SELECT count(*) FROM agent_history")).isEqualTo(4 + 1);
    assertThat(V1ToV3Queries.query(file, "SELECT count(*) FROM session_history")).isEqualTo(2);
    assertThat(OldFiles.explicitIndexes(file)).isEqualTo(12);
  }

  @Test
  void aV2SchemaOnPostgresqlMigratesWithTheSameSnapshot() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      PgTestSupport.atVersion(c, 2);
      st.execute(
          "INSERT INTO sessions (session_id, status, started_at, metadata) VALUES ('s-1',"
              + " 'active', 0, '{\"u\": 1}')");
      st.execute(
          "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
              + " updated_at) VALUES ('s-1', 'semantic', 'lang', '{\"v\": \"kotlin\"}', 2, 0, 0)");
      st.execute(
          "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
              + " updated_at) VALUES ('swarm', 'semantic', 'goal', '\"ship\"', 1, 1, 1)");
      st.execute(
          "INSERT INTO agents (agent_id, agent_type, status, session_id, spawned_at, updated_at,"
              + " metadata) VALUES ('agent-0', 'expert', 'running', 's-1', 0, 0, '{}')");
      st.execute(
          "INSERT INTO agent_events (event_id, event_type, agent_id, ts) VALUES ('e-1', 'spawn',"
              + " 'agent-0', 0), ('e-2', 'run', 'agent-0', 1)");
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
        assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        long horizon = 2 + 4;
        SwarmState at = db.asOf(horizon);
        assertThat(at.agents().get("agent-0").orElseThrow().status())
            .isEqualTo(AgentStatus.RUNNING);
        assertThat(at.sessions().get("s-1").orElseThrow().metadata()).containsEntry("u", 1);
        assertThat(at.sessions().memory("s-1").get("semantic", "lang", Map.class))
            .contains(Map.of("v", "kotlin"));
        assertThat(at.memory(Scope.swarm()).get("semantic", "goal", String.class)).contains("ship");
        assertInvalid(() -> db.asOf(horizon - 1), "before the history horizon, seq " + horizon);
        AgentEvent next = db.events().append(AgentEvent.of("run", "agent-0", null, Map.of()));
        assertThat(next.seq()).isEqualTo(horizon + 1);
      }
      assertThat(PgTestSupport.queryLong(c, "SELECT count(*) FROM memory_history")).isEqualTo(2);
    }
  }

  /** Plain queries on a file, outside the library. */
  static final class V1ToV3Queries {
    private V1ToV3Queries() {}

    static long query(Path file, String sql) throws Exception {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement st = c.createStatement();
          var rs = st.executeQuery(sql)) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }
}
