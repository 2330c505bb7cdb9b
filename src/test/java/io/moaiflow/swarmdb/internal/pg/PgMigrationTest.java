package io.moaiflow.swarmdb.internal.pg;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PostgreSQL migrator: serialised across hosts, all-or-nothing, checksummed. */
class PgMigrationTest {

  private static SwarmDbException openFails(PgTestSupport.Schema schema, ErrorCode code) {
    return assertFails(code, () -> SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build()));
  }

  private static long count(Connection c, String sql) throws Exception {
    return PgTestSupport.queryLong(c, sql);
  }

  /**
   * Two JVMs migrate a fresh schema at the same moment: both wait on the advisory lock (held by the
   * test until both are queued); between them they apply V1 to V3 once each.
   */
  @Test
  void twoJvmsMigratingAtOnceApplyEachMigrationOnce() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection gate = schema.connect();
        Connection observer = schema.connect();
        Jvm a = new Jvm("migrate", schema.url());
        Jvm b = new Jvm("migrate", schema.url())) {
      a.readUntil("ready");
      b.readUntil("ready");
      gate.setAutoCommit(false);
      try (Statement st = gate.createStatement()) {
        st.execute(PgMigrator.LOCK_SQL);
      }
      a.go();
      b.go();
      PgLocks.awaitWaiters(observer, PgMigrator.MIGRATE_LOCK, 2);
      gate.commit();
      List<String> out = new ArrayList<>(a.readUntil("done"));
      out.addAll(b.readUntil("done"));
      assertThat(a.exit()).isZero();
      assertThat(b.exit()).isZero();
      // each script is applied under the lock in its own transaction, so the two JVMs may share
      // the five scripts between them; together they apply each exactly once
      assertThat(
              out.stream()
                  .filter(l -> l.startsWith("applied "))
                  .mapToInt(l -> Integer.parseInt(l.substring("applied ".length())))
                  .sum())
          .isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
      assertThat(count(observer, "SELECT count(*) FROM schema_history"))
          .isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
      assertThat(Handle.run(observer, 0, PgInspector::indexes))
          .containsExactlyElementsOf(io.moaiflow.swarmdb.SchemaV2.POSTGRES_INDEXES)
          .hasSize(16);
    }
  }

  /** A migration that fails part-way leaves no table behind, not even schema_history. */
  @Test
  void aFailingMigrationIsRolledBackWhole() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect()) {
      try (Statement st = c.createStatement()) {
        // V1 creates every table, then fails on its last index, whose name is taken
        st.execute("CREATE TABLE squatter (x INT)");
        st.execute("CREATE INDEX idx_memory_session_updated ON squatter (x)");
      }
      SwarmDbException e = openFails(schema, ErrorCode.MIGRATION_FAILED);
      assertThat(e.getMessage()).contains("rolled back", "still at version 0");
      // the failed open released what it started (tests run one class at a time)
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(th -> th.isAlive() && th.getName().equals("swarmdb-pg-appender"));
      for (String t :
          List.of("agent_events", "agents", "sessions", "session_memory", "schema_history")) {
        assertThat(PgMigrator.tableExists(c, t)).as(t).isFalse();
      }
    }
  }

  @Test
  void openWithoutMigrateLeavesTheSchemaOutdatedUntilMigrated() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).migrate(false).build())) {
      assertThat(db.migrator().currentVersion()).isZero();
      assertThat(db.migrator().pending())
          .extracting(m -> m.state())
          .containsExactlyElementsOf(
              java.util.Collections.nCopies(
                  io.moaiflow.swarmdb.SchemaV7.LATEST, MigrationState.PENDING));
      assertFails(ErrorCode.SCHEMA_OUTDATED, () -> db.events().count());
      assertThat(db.inspect().health().healthy()).isFalse();
      MigrationResult r = db.migrator().migrate();
      assertThat(r.fromVersion()).isZero();
      assertThat(r.toVersion()).isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
      assertThat(r.applied()).hasSize(io.moaiflow.swarmdb.SchemaV7.LATEST);
      assertThat(r.backup()).isNull();
      assertThat(db.events().count()).isZero();
    }
  }

  @Test
  void aChangedChecksumANewerSchemaAndForeignTablesAreRefused() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect()) {
      SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build()).close();
      try (Statement st = c.createStatement()) {
        st.execute("UPDATE schema_history SET checksum = checksum + 1");
      }
      SwarmDbException e = openFails(schema, ErrorCode.MIGRATION_CHECKSUM_MISMATCH);
      assertThat(e.getMessage()).contains("V1", "checksum");
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).migrate(false).build())) {
        fail(db);
      } catch (SwarmDbException expected) {
        assertThat(expected.code()).isEqualTo(ErrorCode.MIGRATION_CHECKSUM_MISMATCH);
      }
      try (Statement st = c.createStatement()) {
        st.execute("UPDATE schema_history SET checksum = checksum - 1");
        st.execute(
            "INSERT INTO schema_history VALUES ("
                + (io.moaiflow.swarmdb.SchemaV7.LATEST + 1)
                + ", 'from the future', 1, 0, 0, true)");
      }
      e = openFails(schema, ErrorCode.SCHEMA_TOO_NEW);
      assertThat(e.getMessage())
          .contains(
              "version " + (io.moaiflow.swarmdb.SchemaV7.LATEST + 1),
              "up to " + io.moaiflow.swarmdb.SchemaV7.LATEST);
      try (Statement st = c.createStatement()) {
        st.execute("DROP TABLE schema_history");
      }
      e = openFails(schema, ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("currentSchema");
    }
  }

  private static void fail(SwarmDB db) {
    throw new AssertionError("opened " + db + " despite a checksum mismatch");
  }
}
