package io.moaiflow.swarmdb.migrate;

import static io.moaiflow.swarmdb.PlainSql.sql;
import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigratorTest {
  private static final int LATEST = io.moaiflow.swarmdb.SchemaV7.LATEST;

  /** A version newer than this library's. */
  private static final int FUTURE = LATEST + 1;

  @TempDir Path dir;

  Path fresh() {
    Path file = dir.resolve("swarm.db");
    SwarmDB.open(file).close();
    return file;
  }

  static long queryLong(Path file, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  static long shippedChecksum() {
    try (SwarmDB db = SwarmDB.openInMemory()) {
      return db.migrator().status().get(0).resolvedChecksum();
    }
  }

  @Test
  void freshDatabaseIsCurrent() {
    try (SwarmDB db = SwarmDB.open(dir.resolve("swarm.db"))) {
      Migrator m = db.migrator();
      assertThat(m.currentVersion()).isEqualTo(LATEST);
      assertThat(m.latestVersion()).isEqualTo(LATEST);
      List<MigrationInfo> status = m.status();
      assertThat(status).hasSize(LATEST);
      assertThat(status)
          .extracting(MigrationInfo::description)
          .containsExactly(
              "init", "recall", "history", "causality", "writer", "inline links", "sequence");
      for (int i = 0; i < 3; i++) {
        MigrationInfo v = status.get(i);
        assertThat(v.version()).isEqualTo(i + 1);
        assertThat(v.state()).isEqualTo(MigrationState.APPLIED);
        assertThat(v.appliedChecksum()).isEqualTo(v.resolvedChecksum()).isNotNull();
        assertThat(v.appliedAt()).isNotNull();
        assertThat(v.durationMs()).isNotNull().isNotNegative();
      }
      assertThat(m.pending()).isEmpty();
      m.validate();
      MigrationResult r = m.migrate();
      assertThat(r.fromVersion()).isEqualTo(LATEST);
      assertThat(r.toVersion()).isEqualTo(LATEST);
      assertThat(r.applied()).isEmpty();
      assertThat(r.backup()).isNull();
    }
    assertThat(dir.toFile().list()).containsExactly("swarm.db");
  }

  @Test
  void aDatabaseFromANewerLibraryIsRefusedAndNotTouched() throws Exception {
    Path file = fresh();
    sql(file, "PRAGMA user_version = " + FUTURE);
    byte[] before = Files.readAllBytes(file);
    SwarmDbException e = assertFails(ErrorCode.SCHEMA_TOO_NEW, () -> SwarmDB.open(file));
    assertThat(e.getMessage())
        .contains(
            "schema version " + FUTURE,
            "versions up to " + LATEST,
            "Upgrade SwarmDB",
            "Nothing was changed");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(queryLong(file, "PRAGMA user_version")).isEqualTo(FUTURE);
  }

  @Test
  void aNewerSchemaHistoryRowIsRefusedToo() throws Exception {
    Path file = fresh();
    sql(
        file,
        "INSERT INTO schema_history VALUES (" + FUTURE + ", 'from the future', 42, 0, 0, 1)",
        "PRAGMA user_version = " + FUTURE);
    byte[] before = Files.readAllBytes(file);
    assertThat(assertFails(ErrorCode.SCHEMA_TOO_NEW, () -> SwarmDB.open(file)).getMessage())
        .contains("schema version " + FUTURE, "up to " + LATEST);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void aChangedAppliedMigrationIsRefusedNamingBothChecksums() throws Exception {
    Path file = fresh();
    long shipped = shippedChecksum();
    sql(file, "UPDATE schema_history SET checksum = 12345 WHERE version = 1");
    byte[] before = Files.readAllBytes(file);
    SwarmDbException e =
        assertFails(ErrorCode.MIGRATION_CHECKSUM_MISMATCH, () -> SwarmDB.open(file));
    assertThat(e.getMessage())
        .contains(
            "V1 (init)",
            "applied with checksum 12345",
            "ships checksum " + shipped,
            "Nothing was changed");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertFails(
        ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
        () -> SwarmDB.open(SwarmDbConfig.builder(file).migrate(false).build()));
    assertThat(queryLong(file, "SELECT checksum FROM schema_history")).isEqualTo(12345);
  }

  @Test
  void tamperingWhileOpenShowsInStatusAndValidate() throws Exception {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      sql(file, "UPDATE schema_history SET checksum = 7 WHERE version = 1");
      MigrationInfo v1 = db.migrator().status().get(0);
      assertThat(v1.state()).isEqualTo(MigrationState.CHECKSUM_MISMATCH);
      assertThat(v1.appliedChecksum()).isEqualTo(7);
      assertFails(ErrorCode.MIGRATION_CHECKSUM_MISMATCH, () -> db.migrator().validate());
      assertFails(ErrorCode.MIGRATION_CHECKSUM_MISMATCH, () -> db.migrator().migrate());
      sql(
          file,
          "UPDATE schema_history SET checksum = " + v1.resolvedChecksum() + " WHERE version = 1",
          "INSERT INTO schema_history VALUES (" + FUTURE + ", 'future', 42, 1000, 3, 1)",
          "PRAGMA user_version = " + FUTURE);
      List<MigrationInfo> status = db.migrator().status();
      assertThat(status)
          .extracting(MigrationInfo::state)
          .containsExactlyElementsOf(
              java.util.stream.Stream.concat(
                      java.util.Collections.nCopies(LATEST, MigrationState.APPLIED).stream(),
                      java.util.stream.Stream.of(MigrationState.FUTURE))
                  .toList());
      assertThat(status.get(LATEST).resolvedChecksum()).isNull();
      assertThat(status.get(LATEST).appliedChecksum()).isEqualTo(42);
      assertFails(ErrorCode.SCHEMA_TOO_NEW, () -> db.migrator().validate());
    }
  }

  @Test
  void userVersionOutOfStepWithHistoryIsRefused() throws Exception {
    Path file = fresh();
    sql(file, "PRAGMA user_version = 0");
    assertThat(assertFails(ErrorCode.MIGRATION_FAILED, () -> SwarmDB.open(file)).getMessage())
        .contains("user_version 0", "records version " + LATEST, "outside SwarmDB");
  }

  @Test
  void aDatabaseWithForeignTablesIsRefusedAndNotTouched() throws Exception {
    Path file = dir.resolve("other.db");
    sql(file, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
    byte[] before = Files.readAllBytes(file);
    assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.open(file)).getMessage())
        .contains("already holds 1 table(s)", "no SwarmDB schema", "new file");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(queryLong(file, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_history'"))
        .isZero();
  }

  @Test
  void openingWithoutMigrationLeavesTheDaosOutdatedUntilMigrated() {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(file).migrate(false).build())) {
      assertThat(db.migrator().currentVersion()).isZero();
      assertThat(db.migrator().pending())
          .hasSize(LATEST)
          .allSatisfy(
              p -> {
                assertThat(p.state()).isEqualTo(MigrationState.PENDING);
                assertThat(p.appliedChecksum()).isNull();
                assertThat(p.appliedAt()).isNull();
              });
      SwarmDbException e = assertFails(ErrorCode.SCHEMA_OUTDATED, () -> db.events().count());
      assertThat(e.getMessage()).contains("schema version 0", "needs " + LATEST, "migrate");
      assertFails(ErrorCode.SCHEMA_OUTDATED, () -> db.agents().register("a", "w"));
      assertFails(ErrorCode.SCHEMA_OUTDATED, () -> db.sessions().start("s"));
      assertFails(ErrorCode.SCHEMA_OUTDATED, () -> db.sessions().memory("s").keys("semantic"));
      assertFails(
          ErrorCode.SCHEMA_OUTDATED,
          () ->
              db.events()
                  .appendAsync(io.moaiflow.swarmdb.AgentEvent.of("spawn", "a", null, Map.of())));
      assertThat(db.inspect().health().healthy()).isFalse();
      assertThat(db.inspect().health().problems()).anyMatch(p -> p.contains("schema version is 0"));

      MigrationResult r = db.migrator().migrate();
      assertThat(r.fromVersion()).isZero();
      assertThat(r.toVersion()).isEqualTo(LATEST);
      assertThat(r.applied())
          .extracting(MigrationInfo::version)
          .containsExactlyElementsOf(
              java.util.stream.IntStream.rangeClosed(1, LATEST).boxed().toList());
      assertThat(r.backup()).as("an empty database is not backed up").isNull();
      assertThat(db.events().count()).isZero();
      assertThat(db.inspect().health().healthy()).isTrue();
    }
  }

  @Test
  void theCheckedInV1FileOpensValidatesAndReadsBack() throws Exception {
    Path file = dir.resolve("swarm-v1.db");
    try (InputStream in = MigratorTest.class.getResourceAsStream("/db/v1/swarm-v1.db")) {
      assertThat(in).as("src/test/resources/db/v1/swarm-v1.db").isNotNull();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(file).quickCheckOnOpen(true).build())) {
      db.migrator().validate();
      assertThat(db.migrator().pending()).isEmpty();
      assertThat(db.maintenance().integrityCheck().ok()).isTrue();
      assertThat(db.events().count()).isEqualTo(V1Fixture.EVENTS);
      var first = db.events().get("v1-e-00").orElseThrow();
      assertThat(first.timestamp()).isEqualTo(V1Fixture.T0);
      assertThat(first.metadata()).containsEntry("text", V1Fixture.TEXT).containsEntry("i", 0);
      assertThat(db.events().query(EventQuery.session("s-2").limit(100))).hasSize(10);
      assertThat(db.events().since(0, 100))
          .extracting(e -> e.eventId())
          .startsWith("v1-e-00", "v1-e-01");
      assertThat(db.agents().countByStatus())
          .containsEntry(AgentStatus.COMPLETE, 1L)
          .containsEntry(AgentStatus.RUNNING, 1L)
          .containsEntry(AgentStatus.SPAWNED, 1L)
          .containsEntry(AgentStatus.ERROR, 1L);
      assertThat(db.agents().get("agent-0").orElseThrow().metadata())
          .containsEntry("prompt", V1Fixture.TEXT);
      assertThat(db.sessions().get("s-2").orElseThrow().isActive()).isFalse();
      assertThat(db.sessions().get("s-1").orElseThrow().metadata()).containsEntry("user", "kim");
      SessionMemory m = db.sessions().memory("s-1");
      assertThat(m.get(SessionMemory.SEMANTIC, "lang", Map.class)).contains(Map.of("v", "kotlin"));
      assertThat(m.entry(SessionMemory.SEMANTIC, "lang").orElseThrow().version()).isEqualTo(2);
      assertThat(m.get(SessionMemory.EPISODIC, "steps", List.class)).contains(List.of(1, 2, 3));
      assertThat(m.get(SessionMemory.CONTEXT_HINT, "hint", String.class)).contains(V1Fixture.TEXT);
      // and it still takes writes
      db.events().append(io.moaiflow.swarmdb.AgentEvent.of("spawn", "new", null, Map.of()));
      assertThat(db.events().count()).isEqualTo(V1Fixture.EVENTS + 1);
    }
  }

  @Test
  void theFixtureWriterReproducesTheCheckedInShape() {
    Path file = dir.resolve("regen.db");
    V1Fixture.write(file);
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.inspect().info().rowCounts())
          .containsEntry("agent_events", (long) V1Fixture.EVENTS)
          .containsEntry("agents", 4L)
          .containsEntry("sessions", 2L)
          .containsEntry("session_memory", 3L)
          // the writer runs on today's library, so its file has today's schema; the checked-in
          // file was written by the v1 library and has one history row
          .containsEntry("schema_history", (long) LATEST);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> V1Fixture.write(file))
        .hasMessageContaining("exists");
  }
}
