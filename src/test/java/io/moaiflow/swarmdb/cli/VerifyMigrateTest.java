package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.PlainSql.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify and migrate end to end. */
class VerifyMigrateTest {
  @TempDir Path dir;

  private Path privateDb() throws Exception {
    Path d = dir.resolve("data");
    Files.createDirectory(
        d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    return TestDatabases.populated(d.resolve("swarm.db"), 3);
  }

  @Test
  void verifyPassesOnAHealthyDatabase() throws Exception {
    Path db = privateDb();
    assertThat(CliRun.ok(db, "verify").out())
        .startsWith("ok: " + db.toAbsolutePath())
        .contains(
            "journal_mode wal",
            "permissions: file 600, directory 700",
            "quick_check ok",
            "schema version "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + ", "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + " migration checksum(s) match",
            "indexes: all 12 present");
    assertThat(CliRun.ok(db, "verify", "--full").out()).contains("integrity_check ok");
  }

  @Test
  void verifyFailsBelowTheMinimumFreeSpace() throws Exception {
    Path db = privateDb();
    CliRun ok = CliRun.on(db, "verify");
    assertThat(ok.out()).containsPattern("ok   free space \\d+ bytes \\(minimum 67108864\\)");
    CliRun run = CliRun.fails(1, db, "--min-free-bytes", Long.toString(Long.MAX_VALUE), "verify");
    assertThat(run.out())
        .startsWith("FAILED: " + db.toAbsolutePath() + " (1 problem(s))")
        .contains(
            "FAIL free space on the filesystem holding " + db.toAbsolutePath() + " is ",
            "below the minimum of " + Long.MAX_VALUE + " bytes");
    assertThat(CliRun.ok(db, "--min-free-bytes", "0", "verify").out())
        .contains("free space: not checked (--min-free-bytes 0)");
  }

  @Test
  void verifyListsEachProblem() throws Exception {
    Path db = privateDb();
    sql(db, "DROP INDEX idx_events_ts", "CREATE INDEX idx_extra ON agents(agent_type)");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(db.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    CliRun r = CliRun.fails(1, db, "verify");
    assertThat(r.out())
        .startsWith("FAILED: ")
        .contains("missing index(es) [idx_events_ts]")
        .contains("unexpected index(es) [idx_extra]")
        .contains("file mode of " + db.toAbsolutePath() + " is rw-r--r--", "chmod 600")
        .contains("directory mode of", "chmod 700");
  }

  @Test
  void verifyReportsEachMissingRecallTriggerAndTable() throws Exception {
    Path db = privateDb();
    assertThat(CliRun.ok(db, "verify").out()).doesNotContain("trigger");
    sql(db, "DROP TRIGGER scoped_memory_insert");
    CliRun r = CliRun.fails(1, db, "verify");
    assertThat(r.out())
        .contains("(1 problem(s))")
        .contains(
            "FAIL quick_check: trigger scoped_memory_insert is missing: changes to scoped_memory"
                + " no longer reach memory_fts",
            "the full-text index drifts from the data",
            "swarmdb restore --from FILE");
    assertThat(CliRun.fails(1, db, "verify", "--full").out())
        .contains("FAIL integrity_check: trigger scoped_memory_insert is missing");
    // deleting an event must take its index row: the delete trigger
    sql(db, "DROP TRIGGER event_fts_delete");
    assertThat(CliRun.fails(1, db, "verify").out())
        .contains("(2 problem(s))")
        .contains("trigger event_fts_delete is missing: deleted events stay in event_fts");
    sql(db, "UPDATE swarm_settings SET value = 'maybe' WHERE name = 'event_index'");
    assertThat(CliRun.fails(1, db, "verify").out())
        .contains("swarm_settings has event_index 'maybe'; it must be 'on' or 'off'");
    sql(
        db,
        "UPDATE swarm_settings SET value = 'off' WHERE name = 'event_index'",
        "DROP TABLE memory_docs",
        "DROP TABLE scoped_memory_expiry",
        "CREATE TABLE scoped_memory_expiry (expires_at INTEGER, scope TEXT, memory_type TEXT,"
            + " key TEXT)");
    assertThat(CliRun.fails(1, db, "verify").out())
        .contains(
            "table memory_docs is missing",
            "table scoped_memory_expiry is not WITHOUT ROWID",
            "trigger scoped_memory_insert is missing");
  }

  @Test
  void verifyReportsAnFts5TableThatIsNotOne() throws Exception {
    Path db = privateDb();
    sql(db, "DROP TABLE event_fts", "CREATE TABLE event_fts (body TEXT)");
    assertThat(CliRun.fails(1, db, "verify").out())
        .contains("(1 problem(s))")
        .contains("table event_fts is not an FTS5 table");
  }

  @Test
  void verifyReportsANonWalFileAndAnOutdatedSchema() throws Exception {
    Path d = dir.resolve("p");
    Files.createDirectory(
        d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path db = d.resolve("rollback.db");
    sql(db, "PRAGMA user_version = 0");
    sql(db, "CREATE TABLE IF NOT EXISTS keep(x)", "DROP TABLE keep");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
    assertThat(CliRun.fails(1, db, "verify").out())
        .contains("journal mode is not WAL")
        .contains(
            "schema version is 0, this version of SwarmDB needs "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + "; run 'swarmdb migrate'");
  }

  @Test
  void verifyReportsAFileWithoutHeader() throws Exception {
    Path db = dir.resolve("empty.db");
    Files.createFile(
        db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    assertThat(CliRun.fails(1, db, "verify").out()).contains("no SQLite header");
  }

  @Test
  void verifyReportsAChecksumMismatch() throws Exception {
    Path db = privateDb();
    sql(db, "UPDATE schema_history SET checksum = checksum + 1 WHERE version = 1");
    CliRun r = CliRun.on(db, "verify");
    // The library refuses to open it at all, so this is a database error rather than a listing.
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err())
        .startsWith("swarmdb verify: migration V1 (init) of " + db.toAbsolutePath())
        .contains("was applied with checksum");
  }

  @Test
  void migrateDryRunListsPendingAndChangesNothing() throws Exception {
    Path db = dir.resolve("v0.db");
    sql(db, "PRAGMA journal_mode=WAL");
    CliRun dry = CliRun.ok(db, "migrate", "--dry-run");
    assertThat(dry.out())
        .contains("schema version 0; 7 pending migration(s) (dry run, nothing applied):")
        .contains(
            "V1  init",
            "V2  recall",
            "V3  history",
            "V4  causality",
            "V5  writer",
            "V6  inline links",
            "V7  sequence");
    try (SwarmDB s = SwarmDB.open(SwarmDbConfig.builder(db).migrate(false).build())) {
      assertThat(s.migrator().currentVersion()).isZero();
    }

    assertThat(CliRun.ok(db, "migrate").out()).contains("migrated from version 0 to 7 (7 applied)");
    CliRun again = CliRun.on(db, "migrate");
    assertThat(again.out())
        .contains(
            "schema version "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + " is current; nothing to migrate");
  }

  @Test
  void schemaTooNewIsADatabaseError() throws Exception {
    Path db = privateDb();
    sql(db, "PRAGMA user_version = 99");
    assertThat(CliRun.fails(3, db, "migrate", "--dry-run").err()).contains("99");
  }
}
