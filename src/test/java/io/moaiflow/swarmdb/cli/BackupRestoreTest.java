package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.PlainSql.sql;
import static io.moaiflow.swarmdb.cli.TestDatabases.mode;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.HoldOpenProcess;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup and restore end to end. */
class BackupRestoreTest {
  @TempDir Path dir;

  private static long events(Path db) {
    try (SwarmDB s = SwarmDB.open(db)) {
      return s.events().count();
    }
  }

  /** Writes a backup of {@code db} to {@code name} in the test directory with the CLI. */
  private Path backup(Path db, String name) {
    Path file = dir.resolve(name);
    assertThat(CliRun.on(db, "backup", "--out", file.toString()).code()).isZero();
    return file;
  }

  /** Restores {@code backup} over {@code db} with --force, which must succeed. */
  private static CliRun restored(Path db, Path backup) {
    CliRun r = CliRun.ok(db, "restore", "--from", backup.toString(), "--force");
    return r;
  }

  @Test
  void backupToAFile() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 7);
    Path out = dir.resolve("b/one.db");
    assertThat(CliRun.ok(db, "backup", "--out", out.toString()).out())
        .startsWith("backup written: " + out.toAbsolutePath())
        .contains("verified");
    assertThat(mode(out)).isEqualTo("rw-------");
    assertThat(events(out)).isEqualTo(7);
    assertThat(CliRun.fails(2, db, "backup", "--out", out.toString()).err())
        .contains("already exists");
  }

  @Test
  void backupIntoADirectoryRotatesOnlyItsOwnOldFiles() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 2);
    Path backups = Files.createDirectory(dir.resolve("backups"));
    String old = BackupCommand.STAMP.format(Instant.now().minus(40, ChronoUnit.DAYS));
    String recent = BackupCommand.STAMP.format(Instant.now().minus(2, ChronoUnit.DAYS));
    Path oldOwn = Files.writeString(backups.resolve("swarm-" + old + ".db"), "x");
    Path recentOwn = Files.writeString(backups.resolve("swarm-" + recent + ".db"), "x");
    Path otherDb = Files.writeString(backups.resolve("other-" + old + ".db"), "x");
    Path unrelated = Files.writeString(backups.resolve("notes.txt"), "x");
    Path notATime = Files.writeString(backups.resolve("swarm-20261399T999999999Z.db"), "x");

    assertThat(CliRun.ok(db, "backup", "--dir", backups.toString(), "--keep-days", "30").out())
        .contains("deleted old backup: " + oldOwn)
        .contains("kept backups newer than 30 day(s); deleted 1");
    assertThat(oldOwn).doesNotExist();
    assertThat(recentOwn).exists();
    assertThat(otherDb).exists();
    assertThat(unrelated).exists();
    assertThat(notATime).exists();
    try (Stream<Path> files = Files.list(backups)) {
      List<Path> fresh =
          files
              .filter(p -> p.getFileName().toString().matches("swarm-\\d{8}T\\d{9}Z\\.db"))
              .filter(p -> !p.equals(recentOwn) && !p.equals(notATime))
              .toList();
      assertThat(fresh).hasSize(1);
      assertThat(mode(fresh.get(0))).isEqualTo("rw-------");
      assertThat(events(fresh.get(0))).isEqualTo(2);
    }
  }

  @Test
  void backupUsageErrors() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    assertThat(CliRun.on(db, "backup").code()).isEqualTo(2);
    assertThat(CliRun.on(db, "backup", "--out", "a.db", "--dir", "d").code()).isEqualTo(2);
    CliRun keep = CliRun.fails(2, db, "backup", "--dir", dir.toString(), "--keep-days", "0");
    assertThat(keep.err()).contains("--keep-days is 0");
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThat(CliRun.on(db, "backup", "--dir", file.toString()).err()).contains("not a directory");
    CliRun.fails(3, dir.resolve("none.db"), "backup", "--out", "x.db");
  }

  @Test
  void restoreLogsNoMigrationOfAnInMemoryDatabase() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("live/swarm.db"), 2);
    Path backup = backup(db, "b.db");
    Path log = dir.resolve("restore.log");
    Map<String, String> env = new java.util.HashMap<>(CliRun.quietEnv());
    env.put("MOAI_LOG_LEVEL", "INFO");
    CliRun.run(
            env,
            "--db",
            db.toString(),
            "--log-file",
            log.toString(),
            "restore",
            "--from",
            backup.toString(),
            "--force")
        .exits(ExitCodes.OK);
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).noneMatch(l -> l.contains("applied migration"));
    assertThat(lines).noneMatch(l -> l.contains(":memory:"));
  }

  @Test
  void restoreReplacesWithForceAndKeepsTheOldFile() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("live/swarm.db"), 4);
    Path backup = backup(db, "b.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      s.events().append(AgentEvent.of("late", "agent-9", null, Map.of()));
    }
    assertThat(CliRun.fails(2, db, "restore", "--from", backup.toString()).err())
        .contains("exists; pass --force");
    assertThat(events(db)).isEqualTo(5);
    // What a crashed writer leaves behind: both side files, no process holding them.
    Files.write(Path.of(db + "-wal"), new byte[64]);
    Files.write(Path.of(db + "-shm"), new byte[32768]);

    CliRun r = restored(db, backup);
    assertThat(r.out())
        .contains("restored " + db.toAbsolutePath(), "4 events", "integrity_check ok")
        .contains("previous file kept as " + db.toAbsolutePath() + ".replaced-");
    assertThat(mode(db)).isEqualTo("rw-------");
    assertThat(Path.of(db + "-wal")).doesNotExist();
    assertThat(Path.of(db + "-shm")).doesNotExist();
    try (Stream<Path> files = Files.list(db.getParent())) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).anyMatch(n -> n.matches("swarm\\.db\\.replaced-\\d{8}T\\d{9}Z"));
      assertThat(names).anyMatch(n -> n.matches("swarm\\.db\\.replaced-\\d{8}T\\d{9}Z-wal"));
      assertThat(names).anyMatch(n -> n.matches("swarm\\.db\\.replaced-\\d{8}T\\d{9}Z-shm"));
      assertThat(names).noneMatch(n -> n.endsWith(".tmp") || n.contains(".restore-"));
    }
    // the restored file is already in WAL mode: verify passes without another open first
    CliRun.ok(db, "verify");
    assertThat(events(db)).isEqualTo(4);
  }

  @Test
  void restoreIntoAMissingDatabaseNeedsNoForce() throws Exception {
    Path backup = TestDatabases.populated(dir.resolve("src.db"), 3);
    Path db = dir.resolve("new/dir/swarm.db");
    assertThat(CliRun.ok(db, "restore", "--from", backup.toString()).out())
        .doesNotContain("previous file kept");
    assertThat(mode(db)).isEqualTo("rw-------");
    assertThat(mode(db.getParent())).isEqualTo("rwx------");
    assertThat(events(db)).isEqualTo(3);
  }

  @Test
  void restoreRefusesBadBackups() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    byte[] before = Files.readAllBytes(db);

    CliRun run =
        CliRun.fails(3, db, "restore", "--from", dir.resolve("nope.db").toString(), "--force");

    assertThat(run.err()).contains("does not exist");

    Path garbage = Files.write(dir.resolve("garbage.db"), new byte[8192]);
    Files.writeString(garbage, "this is not a database at all, just text".repeat(200));
    assertThat(CliRun.fails(3, db, "restore", "--from", garbage.toString(), "--force").err())
        .contains("nothing was restored")
        .contains(garbage.toString());

    Path foreign = dir.resolve("foreign.db");
    sql(foreign, "CREATE TABLE x(y)");
    assertThat(CliRun.fails(3, db, "restore", "--from", foreign.toString(), "--force").err())
        .contains("is not a SwarmDB database");

    Path future = backup(db, "future.db");
    sql(future, "PRAGMA user_version = 42");
    assertThat(CliRun.fails(3, db, "restore", "--from", future.toString(), "--force").err())
        .contains("schema version 42, newer than this SwarmDB");

    Path withWal = backup(db, "withwal.db");
    Files.writeString(Path.of(withWal + "-wal"), "pending frames");
    assertThat(CliRun.fails(3, db, "restore", "--from", withWal.toString(), "--force").err())
        .contains("wal_checkpoint(TRUNCATE)");

    CliRun.fails(2, db, "restore", "--from", db.toString(), "--force");
    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  @Test
  void restoreChecksTheBackupWithoutChangingAnyOfItsFiles() throws Exception {
    // A WAL-mode file with what a crashed writer leaves beside it: an empty -wal and a -shm.
    Path backup = TestDatabases.populated(dir.resolve("src/wal.db"), 3);
    Path wal = Files.write(Path.of(backup + "-wal"), new byte[0]);
    byte[] shmBytes = new byte[32768];
    java.util.Arrays.fill(shmBytes, (byte) 0x5a);
    Path shm = Files.write(Path.of(backup + "-shm"), shmBytes);
    Map<Path, byte[]> before = new java.util.TreeMap<>();
    for (Path p : List.of(backup, wal, shm)) {
      before.put(p, Files.readAllBytes(p));
    }
    Path db = dir.resolve("live/swarm.db");
    assertThat(CliRun.ok(db, "restore", "--from", backup.toString()).out())
        .contains("3 events", "integrity_check ok");
    try (Stream<Path> files = Files.list(backup.getParent())) {
      assertThat(files.sorted().toList()).containsExactlyElementsOf(before.keySet());
    }
    for (Map.Entry<Path, byte[]> e : before.entrySet()) {
      assertThat(java.util.Arrays.equals(Files.readAllBytes(e.getKey()), e.getValue()))
          .as(e.getKey() + " unchanged")
          .isTrue();
    }
    assertThat(events(db)).isEqualTo(3);
  }

  @Test
  void restoreAnOutdatedBackupSuggestsMigrate() throws Exception {
    Path db = dir.resolve("swarm.db");
    Path old = TestDatabases.populated(dir.resolve("old.db"), 1);
    sql(old, "PRAGMA journal_mode=DELETE", "PRAGMA user_version = 0");
    assertThat(CliRun.ok(db, "restore", "--from", old.toString()).out())
        .contains("run 'swarmdb migrate'");
  }

  @Test
  @SuppressWarnings("try") // the other process only has to hold the database open
  void restoreRefusesWhileAnotherProcessHasTheDatabaseOpen() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("busy.db"), 2);
    Path backup = backup(db, "b.db");
    try (HoldOpenProcess holder = HoldOpenProcess.start(db)) {
      assertThat(CliRun.fails(3, db, "restore", "--from", backup.toString(), "--force").err())
          .contains("is open in another process", "stop it, then run restore again");
      assertThat(events(db)).isEqualTo(2);
    }
    restored(db, backup);
  }

  @Test
  void restoreRefusesWhileARollbackJournalWriterHoldsItsLock() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("rollback.db"), 1);
    Path backup = backup(db, "b.db");
    sql(db, "PRAGMA journal_mode=DELETE");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      st.execute("DELETE FROM agent_events");
      assertThat(CliRun.fails(3, db, "restore", "--from", backup.toString(), "--force").err())
          .contains("is open in another process");
      st.execute("ROLLBACK");
    }
    restored(db, backup);
  }

  @Test
  void restoreReplacesACorruptDatabaseAndRefusesADamagedBackup() throws Exception {
    Path good = TestDatabases.populated(dir.resolve("good.db"), 400);
    Path backup = backup(good, "b.db");

    // Damage the cell pointers of a small index (one leaf page): the file still opens and reads,
    // integrity_check reports the damage row by row.
    Path small = TestDatabases.populated(dir.resolve("small.db"), 5);
    Path damaged = backup(small, "damaged.db");
    long root;
    long pageSize;
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + damaged);
        java.sql.Statement st = c.createStatement()) {
      try (java.sql.ResultSet rs =
          st.executeQuery(
              "SELECT rootpage FROM sqlite_schema WHERE name = 'idx_events_agent_ts'")) {
        rs.next();
        root = rs.getLong(1);
      }
      try (java.sql.ResultSet rs = st.executeQuery("PRAGMA page_size")) {
        rs.next();
        pageSize = rs.getLong(1);
      }
    }
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(damaged, java.nio.file.StandardOpenOption.WRITE)) {
      byte[] junk = new byte[40];
      java.util.Arrays.fill(junk, (byte) 0x07);
      ch.write(java.nio.ByteBuffer.wrap(junk), (root - 1) * pageSize + 8);
    }
    assertThat(CliRun.fails(3, good, "restore", "--from", damaged.toString(), "--force").err())
        .contains("backup " + damaged + " failed integrity_check")
        .contains("nothing was restored");

    // A corrupt live database is what restore is for.
    Path live = dir.resolve("live.db");
    byte[] junk = new byte[16384];
    java.util.Arrays.fill(junk, (byte) 0x33);
    Files.write(live, junk);
    restored(live, backup);
    assertThat(events(live)).isEqualTo(400);
  }

  @Test
  void backupRootFromTheOptionOrTheEnvironmentBoundsBackupRestoreAndServe() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 3);
    Path root = dir.resolve("vault");
    Path outside = dir.resolve("loose.db");

    CliRun refused =
        CliRun.fails(
            ExitCodes.USAGE,
            db,
            "--backup-root",
            root.toString(),
            "backup",
            "--out",
            outside.toString());
    assertThat(refused.err()).contains("outside the allowed backup root", outside.toString());
    assertThat(outside).doesNotExist();

    Map<String, String> env = new java.util.HashMap<>(CliRun.quietEnv());
    env.put("MOAI_BACKUP_ROOT", root.toString());
    CliRun.run(env, "--db", db.toString(), "backup", "--dir", dir.resolve("d").toString())
        .exits(ExitCodes.USAGE);
    assertThat(dir.resolve("d")).doesNotExist();

    Path inside = root.resolve("one.db");
    CliRun.run(env, "--db", db.toString(), "backup", "--out", inside.toString())
        .exits(ExitCodes.OK);
    assertThat(events(inside)).isEqualTo(3);

    // restore reads only from inside the root; a refused restore leaves the database as it was
    Path stray = dir.resolve("stray.db");
    Files.copy(inside, stray);
    Path target = TestDatabases.populated(dir.resolve("target.db"), 5);
    CliRun badRestore =
        CliRun.run(env, "--db", target.toString(), "restore", "--from", stray.toString(), "--force")
            .exits(ExitCodes.USAGE);
    assertThat(badRestore.err()).contains("outside the allowed backup root", stray.toString());
    assertThat(events(target)).isEqualTo(5);
    CliRun.run(env, "--db", target.toString(), "restore", "--from", inside.toString(), "--force")
        .exits(ExitCodes.OK);
    assertThat(events(target)).isEqualTo(3);

    // serve refuses a scheduled-backup directory outside the root before it starts
    CliRun serve =
        CliRun.run(
                env,
                "--db",
                db.toString(),
                "serve",
                "--port",
                "0",
                "--backup-dir",
                dir.resolve("sched").toString())
            .exits(ExitCodes.USAGE);
    assertThat(serve.err()).contains("outside the allowed backup root");
  }
}
