package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SwarmDB#verifyBackup} and {@link SwarmDB#restore}, the public API the CLI's {@code
 * restore} is built on: what each refuses, with which code, and that a refusal changes nothing.
 */
class BackupVerifyRestoreTest {
  @TempDir Path dir;
  private Path db;
  private Path backup;

  @BeforeEach
  void databaseAndBackup() {
    db = dir.resolve("live/swarm.db");
    backup = dir.resolve("b/one.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      for (int i = 0; i < 4; i++) {
        s.events().append(AgentEvent.of("spawn", "agent-" + i, null, Map.of()));
      }
      s.maintenance().backupTo(backup);
      s.events().append(AgentEvent.of("late", "agent-9", null, Map.of()));
    }
  }

  private static void sql(Path file, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static long events(Path file) {
    try (SwarmDB s = SwarmDB.open(file)) {
      return s.events().count();
    }
  }

  /** Every file under the temp directory with its bytes. */
  private Map<Path, String> snapshot() throws Exception {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(p, java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  @Test
  void verifyBackupReportsWhatTheBackupHolds() {
    BackupCheck check = SwarmDB.verifyBackup(backup);
    assertThat(check.path()).isEqualTo(backup.toAbsolutePath().normalize());
    assertThat(check.schemaVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(check.latestSchemaVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(check.events()).isEqualTo(4);
  }

  @Test
  void verifyBackupRefusesEachDamagedOrForeignFileAndChangesNothing() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.db"), "not a database ".repeat(600));
    Path foreign = dir.resolve("foreign.db");
    sql(foreign, "CREATE TABLE x(y)");
    Path future = dir.resolve("future.db");
    Files.copy(backup, future);
    sql(future, "PRAGMA user_version = 42");
    Path withWal = dir.resolve("withwal.db");
    Files.copy(backup, withWal);
    Files.writeString(Path.of(withWal + "-wal"), "pending frames");
    Map<Path, String> before = snapshot();

    assertThat(assertFails(ErrorCode.IO_ERROR, () -> SwarmDB.verifyBackup(dir.resolve("no.db"))))
        .hasMessageContaining("does not exist or is not a file");
    assertThat(assertFails(ErrorCode.IO_ERROR, () -> SwarmDB.verifyBackup(dir)))
        .hasMessageContaining("is not a file");
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SwarmDB.verifyBackup(garbage)))
        .hasMessageContaining("backup " + garbage + " cannot be read as a SQLite database")
        .hasMessageEndingWith("; pick another backup");
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SwarmDB.verifyBackup(foreign)))
        .hasMessageContaining("is not a SwarmDB database (no table agent_events)")
        .hasMessageNotContaining("restored");
    assertThat(assertFails(ErrorCode.SCHEMA_TOO_NEW, () -> SwarmDB.verifyBackup(future)))
        .hasMessageContaining(
            "schema version 42, newer than this SwarmDB (" + SchemaV7.LATEST + ")")
        .hasMessageNotContaining("restored");
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SwarmDB.verifyBackup(withWal)))
        .hasMessageContaining("has a non-empty withwal.db-wal beside it")
        .hasMessageContaining("wal_checkpoint(TRUNCATE)");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void restoreRefusesBeforeChangingAnything() throws Exception {
    SwarmDbConfig live = SwarmDbConfig.builder(db).build();
    Path foreign = dir.resolve("foreign.db");
    sql(foreign, "CREATE TABLE x(y)");
    Path outside = dir.resolve("loose.db");
    Files.copy(backup, outside);
    Map<Path, String> before = snapshot();

    assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.restore(live, backup, false)))
        .hasMessageContaining("database " + db.toAbsolutePath() + " exists; pass --force");
    assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.restore(live, db, true)))
        .hasMessageContaining("is the database itself");
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SwarmDB.restore(live, foreign, true)))
        .hasMessageContaining("nothing was restored, pick a file written by 'swarmdb backup'");
    assertThat(assertFails(ErrorCode.IO_ERROR, () -> SwarmDB.restore(live, dir.resolve("x"), true)))
        .hasMessageContaining("does not exist");
    SwarmDbConfig rooted = SwarmDbConfig.builder(db).backupRoot(backup.getParent()).build();
    assertThat(
            assertFails(ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.restore(rooted, outside, true)))
        .hasMessageContaining("outside the allowed backup root");
    assertFails(
        ErrorCode.UNSUPPORTED,
        () -> SwarmDB.restore(SwarmDbConfig.inMemory().build(), backup, true));
    assertFails(
        ErrorCode.UNSUPPORTED,
        () ->
            SwarmDB.restore(SwarmDbConfig.postgres("jdbc:postgresql://h/d").build(), backup, true));
    assertThat(snapshot()).isEqualTo(before);
    assertThat(events(db)).isEqualTo(5);
  }

  @Test
  void restoreReplacesTheDatabaseAndKeepsTheReplacedFiles() throws Exception {
    // what a crashed writer leaves: both side files, no process holding them
    Files.write(Path.of(db + "-wal"), new byte[64]);
    Files.write(Path.of(db + "-shm"), new byte[32768]);
    RestoreResult r = SwarmDB.restore(SwarmDbConfig.builder(db).build(), backup, true);
    Path abs = db.toAbsolutePath().normalize();
    assertThat(r.database()).isEqualTo(abs);
    assertThat(r.backup().events()).isEqualTo(4);
    assertThat(r.kept()).hasSize(3);
    assertThat(r.kept().get(0).toString()).matches(".*/swarm\\.db\\.replaced-\\d{8}T\\d{9}Z");
    assertThat(r.kept().subList(1, 3))
        .containsExactly(Path.of(r.kept().get(0) + "-wal"), Path.of(r.kept().get(0) + "-shm"));
    for (Path k : r.kept()) {
      assertThat(k).exists();
    }
    assertThat(Path.of(db + "-wal")).doesNotExist();
    assertThat(Path.of(db + "-shm")).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
        .isEqualTo("rw-------");
    byte[] header = Files.readAllBytes(db);
    assertThat(List.of(header[18], header[19])).as("WAL mode").containsExactly((byte) 2, (byte) 2);
    assertThat(events(db)).isEqualTo(4);
    assertThat(events(r.kept().get(0))).isEqualTo(5);
  }

  @Test
  void restoreIntoAMissingDatabaseCreatesPrivateDirectories() throws Exception {
    Path fresh = dir.resolve("new/dir/swarm.db");
    RestoreResult r = SwarmDB.restore(SwarmDbConfig.builder(fresh).build(), backup, false);
    assertThat(r.kept()).isEmpty();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())))
        .isEqualTo("rwx------");
    assertThat(events(fresh)).isEqualTo(4);
  }
}
