package io.moaiflow.swarmdb.internal.sqlite;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.MigrationEngine;
import io.moaiflow.swarmdb.internal.StatementCache;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a synthetic V2 against the checked-in v1 file: the path every future migration takes
 * (validate, back up, apply in one transaction, record, roll back on failure).
 */
class FutureMigrationTest {
  @TempDir Path dir;

  Path v1Copy() throws Exception {
    Path file = dir.resolve("swarm.db");
    try (InputStream in = FutureMigrationTest.class.getResourceAsStream("/db/v1/swarm-v1.db")) {
      Files.copy(in, file);
    }
    return file;
  }

  static List<MigrationEngine.Script> withV2(String sql) {
    CRC32 crc = new CRC32();
    crc.update(sql.getBytes(StandardCharsets.UTF_8));
    // the shipped V1 only: the synthetic V2 stands in for the next migration of a v1 file
    List<MigrationEngine.Script> scripts = new ArrayList<>(onlyV1());
    scripts.add(new MigrationEngine.Script(2, "add notes", sql, crc.getValue()));
    return scripts;
  }

  /** The shipped V1 script alone, as a library that knows only schema version 1 has it. */
  static List<MigrationEngine.Script> onlyV1() {
    assertThat(SqliteMigrator.SCRIPTS.get(0).version()).isEqualTo(1);
    return SqliteMigrator.SCRIPTS.subList(0, 1);
  }

  static Handle handle(Connection c) {
    return new Handle(c, new StatementCache(c), 1_767_225_600_000L);
  }

  @Test
  void aNewMigrationIsAppliedAfterABackupOfTheOldFile() throws Exception {
    Path file = v1Copy();
    List<MigrationEngine.Script> scripts =
        withV2(
            "-- v2\nCREATE TABLE notes (\n  id INTEGER PRIMARY KEY,\n  body TEXT\n) STRICT;\n"
                + "INSERT INTO notes (body) VALUES ('first');\n");
    MigrationResult r;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      Handle h = handle(c);
      SqliteMigrator v2 = new SqliteMigrator(null, file.toString(), file, scripts);
      r = v2.migrate(h);
      assertThat(SqliteMigrator.userVersion(h)).isEqualTo(2);
      assertThat(h.queryLong("SELECT count(*) FROM notes")).isEqualTo(1);
      assertThat(v2.applied(h)).extracting(MigrationEngine.Applied::version).containsExactly(1, 2);
      new SqliteMigrator(null, "x", null, scripts).validate(h);
      // the library that ships only V1 refuses the migrated file
      assertThat(
              assertFails(
                      ErrorCode.SCHEMA_TOO_NEW,
                      () -> new SqliteMigrator(null, "x", null, onlyV1()).validate(h))
                  .getMessage())
          .contains("schema version 2", "up to 1");
    }
    assertThat(r.fromVersion()).isEqualTo(1);
    assertThat(r.toVersion()).isEqualTo(2);
    assertThat(r.applied()).singleElement().satisfies(i -> assertThat(i.version()).isEqualTo(2));
    Path backup = r.backup();
    assertThat(backup).isNotNull();
    assertThat(backup.getFileName().toString())
        .startsWith("swarm.db.pre-v2-20260101T")
        .endsWith(".bak");
    assertThat(Files.getPosixFilePermissions(backup))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (SwarmDB old = SwarmDB.open(SwarmDbConfig.builder(backup).migrate(false).build())) {
      assertThat(old.migrator().currentVersion()).isEqualTo(1);
    }
    // a v1 file for today's library (which ships V2): its DAOs refuse it, plain SQL reads it
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + backup)) {
      assertThat(handle(c).queryLong("SELECT count(*) FROM agent_events")).isEqualTo(20);
    }
  }

  @Test
  void aSecondBackupInTheSameSecondGetsItsOwnFile() throws Exception {
    Path file = v1Copy();
    // another opener took its backup in this second (the handle's clock is fixed)
    Path taken = dir.resolve("swarm.db.pre-v2-20260101T000000Z.bak");
    Files.writeString(taken, "another opener's backup");
    List<MigrationEngine.Script> scripts = withV2("CREATE TABLE notes (id INTEGER) STRICT;\n");
    MigrationResult r;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      r = new SqliteMigrator(null, file.toString(), file, scripts).migrate(handle(c));
    }
    assertThat(r.backup()).isEqualTo(dir.resolve("swarm.db.pre-v2-20260101T000000Z-2.bak"));
    assertThat(Files.readString(taken)).isEqualTo("another opener's backup");
    try (SwarmDB old = SwarmDB.open(SwarmDbConfig.builder(r.backup()).migrate(false).build())) {
      assertThat(old.migrator().currentVersion()).isEqualTo(1);
    }
  }

  @Test
  void aFileWithoutDataIsNotBackedUp() throws Exception {
    Path file = dir.resolve("empty.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      Handle h = handle(c);
      assertThat(new SqliteMigrator(null, "x", file, onlyV1()).migrate(h).backup()).isNull();
      // at version 1 with no row in any table: a racing opener's new file, nothing to protect
      MigrationResult r =
          new SqliteMigrator(null, "x", file, withV2("CREATE TABLE notes (id INTEGER) STRICT;\n"))
              .migrate(h);
      assertThat(r.applied()).hasSize(1);
      assertThat(r.backup()).isNull();
    }
    assertThat(dir.toFile().list()).containsExactly("empty.db");
  }

  @Test
  void aFailingMigrationRollsBackCompletely() throws Exception {
    Path file = v1Copy();
    List<MigrationEngine.Script> scripts =
        withV2("CREATE TABLE notes (id INTEGER) STRICT;\nCREATE TABLE agents (x TEXT);\n");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      Handle h = handle(c);
      SqliteMigrator v2 = new SqliteMigrator(null, "the-file", null, scripts);
      var e = assertFails(ErrorCode.MIGRATION_FAILED, () -> v2.migrate(h));
      assertThat(e.getMessage())
          .contains("V2 (add notes) of the-file failed and was rolled back", "still at version 1");
      assertThat(SqliteMigrator.userVersion(h)).isEqualTo(1);
      assertThat(h.queryLong("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'")).isZero();
      assertThat(v2.applied(h)).hasSize(1);
    }
    assertThat(dir.toFile().list()).as("no backup when disabled").containsExactly("swarm.db");
  }

  @Test
  void scriptsSplitIntoStatements() {
    assertThat(
            SqliteMigrator.opening("x", null)
                .statements(
                    "-- comment\nCREATE TABLE a (\n  x INTEGER\n);\n\n  -- more\nCREATE INDEX i ON a (x);\nSELECT 1"))
        .containsExactly(
            "CREATE TABLE a (\n  x INTEGER\n);", "CREATE INDEX i ON a (x);", "SELECT 1");
    assertThat(SqliteMigrator.SCRIPTS).hasSize(SqliteMigrator.shippedVersion());
  }
}
