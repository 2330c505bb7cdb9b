package io.moaiflow.swarmdb.reliability;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.SeedFiles;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Item 8: migrations on old files. (a) A current database copied with a hot WAL (its writer was
 * SIGKILLed) opens and "migrates" idempotently with every acknowledged event. (b) A migration to a
 * next (V8) script that is killed midway, and (c) one whose script fails, leave the v7 schema and
 * data intact; (d) a good V8 applies once and is then refused by a library that only knows up to
 * v7. The V8 scripts are put in front of the classpath of a child JVM, so the library's real
 * migrator runs. The real V1 to V2 migration of the checked-in v1 file with a hot WAL is {@code
 * migrate.V1ToV2MigrationTest}.
 */
@Tag("reliability")
class MigrationOnOldFilesTest {
  static final int ROWS = 200;

  @TempDir Path dir;

  @Test
  void currentFileWithHotWalOpensIdempotently() throws Exception {
    Path origin = dir.resolve("origin/swarm.db");
    Set<String> acked = new HashSet<>();
    try (ChildJvm child =
        ChildJvm.start(
            ReliabilityChild.class,
            dir.resolve("hot.err"),
            "writer",
            origin.toString(),
            "NORMAL",
            "hot",
            "0")) {
      assertThat(child.awaitLine("OPEN", 120)).as(child.stderrText()).isNotNull();
      for (int i = 0; i < 300; i++) {
        assertThat(child.awaitLine("", 120)).as(child.stderrText()).isNotNull();
      }
      child.kill();
      for (String line : child.lines()) {
        if (line.startsWith("ACK ")) {
          acked.add(line.substring(4));
        } else if (line.startsWith("BATCH ")) {
          String[] parts = line.split(" ");
          int n = Integer.parseInt(parts[2]);
          for (int i = 0; i < n; i++) {
            acked.add(parts[1] + "-" + i + "of" + n);
          }
        }
      }
    }
    Path copy = dir.resolve("copy/swarm.db");
    Files.createDirectories(copy.getParent());
    for (String suffix : List.of("", "-wal", "-shm")) {
      Files.copy(
          Path.of(origin + suffix), Path.of(copy + suffix), StandardCopyOption.COPY_ATTRIBUTES);
    }
    assertThat(Files.size(Path.of(copy + "-wal"))).as("the WAL is hot").isPositive();
    long rows = -1;
    for (int round = 0; round < 2; round++) {
      try (SwarmDB swarm = SwarmDB.open(copy)) {
        assertThat(swarm.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(swarm.migrator().pending()).isEmpty();
        assertThat(swarm.migrator().status()).allMatch(m -> m.state() == MigrationState.APPLIED);
        MigrationResult again = swarm.migrator().migrate();
        assertThat(again.applied()).isEmpty();
        assertThat(swarm.maintenance().quickCheck().ok()).isTrue();
        for (String id : acked) {
          assertThat(swarm.events().get(id)).as(id).isPresent();
        }
        rows = rows < 0 ? swarm.events().count() : rows;
        assertThat(swarm.events().count()).isEqualTo(rows);
      }
    }
    try (Stream<Path> files = Files.list(copy.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("nothing to migrate, so no pre-migration backup")
          .noneMatch(n -> n.endsWith(".bak"));
    }
    assertThat(DbFiles.queryLong(copy, "SELECT count(*) FROM schema_history"))
        .isEqualTo(SchemaV7.LATEST);
    System.out.printf("FIGURES hotwal acked=%d rowsFound=%d%n", acked.size(), rows);
  }

  @Test
  void migrationKilledMidwayLeavesTheOldSchema() throws Exception {
    Path db = v1Database("killed");
    Path v3 =
        scripts(
            "killed",
            "ALTER TABLE agent_events ADD COLUMN v3_note TEXT;\n"
                + "CREATE TABLE v3_filler (x INTEGER NOT NULL) STRICT;\n"
                + "INSERT INTO v3_filler (x) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                + " FROM c WHERE x < 2000000000) SELECT x FROM c;\n");
    try (ChildJvm child = migrateInChild(v3, "killed.err", db)) {
      assertThat(child.awaitLine("OPENING", 120)).as(child.stderrText()).isNotNull();
      awaitMigrationInProgress(db, child);
      child.kill();
      assertThat(child.lines()).noneMatch(l -> l.startsWith("OPENED"));
    }
    assertCurrentIntact(db);
  }

  @Test
  void failingMigrationScriptLeavesTheOldSchema() throws Exception {
    Path db = v1Database("failing");
    Path v3 =
        scripts(
            "failing",
            "ALTER TABLE agent_events ADD COLUMN v3_note TEXT;\n"
                + "CREATE TABLE v3_filler (x INTEGER) STRICT;\n"
                + "INSERT INTO no_such_table VALUES (1);\n");
    try (ChildJvm child = migrateInChild(v3, "failing.err", db)) {
      assertThat(child.waitFor(120)).isEqualTo(3);
      assertThat(child.lines())
          .anyMatch(
              l ->
                  l.startsWith("ERROR MIGRATION_FAILED")
                      && l.contains("V8")
                      && l.contains(db.toString())
                      && l.contains("still at version " + SchemaV7.LATEST));
    }
    assertCurrentIntact(db);
  }

  @Test
  void goodMigrationAppliesOnceAndOlderLibraryRefusesTheNewerFile() throws Exception {
    Path db = v1Database("good");
    Path v3 = scripts("good", "ALTER TABLE agent_events ADD COLUMN v3_note TEXT;\n");
    for (int round = 0; round < 2; round++) {
      try (ChildJvm child = migrateInChild(v3, "good-" + round + ".err", db)) {
        assertThat(child.waitFor(120)).as(child.stderrText()).isZero();
        assertThat(child.lines()).contains("OPENED v" + (SchemaV7.LATEST + 1));
      }
    }
    assertThat(DbFiles.queryLong(db, "SELECT count(*) FROM schema_history"))
        .isEqualTo(SchemaV7.LATEST + 1);
    assertThat(DbFiles.queryLong(db, "SELECT count(*) FROM agent_events")).isEqualTo(ROWS);
    try (Stream<Path> files = Files.list(db.getParent())) {
      assertThat(
              files
                  .filter(
                      p ->
                          p.getFileName()
                              .toString()
                              .contains(".pre-v" + (SchemaV7.LATEST + 1) + "-"))
                  .count())
          .as("one backup, taken before the one real migration")
          .isEqualTo(1);
    }
    assertThat(assertFails(ErrorCode.SCHEMA_TOO_NEW, () -> SwarmDB.open(db).close()).getMessage())
        .contains(db.toString())
        .contains("Nothing was changed");
  }

  /**
   * A child that opens (so migrates) {@code db} with the scripts in {@code v3} first on its path.
   */
  private ChildJvm migrateInChild(Path v3, String stderr, Path db) throws IOException {
    return ChildJvm.start(
        ReliabilityChild.class, dir.resolve(stderr), null, v3, List.of(), "migrate", db.toString());
  }

  private Path v1Database(String name) {
    return SeedFiles.withEvents(
        dir.resolve(name + "/swarm.db"),
        ROWS,
        i -> AgentEvent.of("run", "agent-" + i, null, Map.of("i", i)));
  }

  /** A classpath directory that ships V1 to V7 (from the library) plus the given V8 script. */
  private Path scripts(String name, String v3) throws Exception {
    Path cp = dir.resolve("cp-" + name);
    Path m = cp.resolve("db/migration/sqlite");
    Files.createDirectories(m);
    Files.writeString(
        m.resolve("index.txt"),
        "V1__init.sql\nV2__recall.sql\nV3__history.sql\nV4__causality.sql\nV5__writer.sql\n"
            + "V6__inline_links.sql\nV7__sequence.sql\nV8__reliability_test.sql\n");
    Files.writeString(m.resolve("V8__reliability_test.sql"), v3, StandardCharsets.UTF_8);
    return cp;
  }

  /**
   * Waits until the child's migration transaction holds the write lock. There is no in-process
   * signal to wait on (the child is inside one long SQL statement), so this polls, bounded.
   */
  private static void awaitMigrationInProgress(Path db, ChildJvm child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(0);
    while (System.nanoTime() < deadline) {
      assertThat(child.isAlive()).as(child.stderrText()).isTrue();
      boolean backupDone;
      try (Stream<Path> files = Files.list(db.getParent())) {
        backupDone =
            files.anyMatch(
                p -> p.getFileName().toString().contains(".pre-v" + (SchemaV7.LATEST + 1) + "-"));
      }
      if (backupDone) {
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db);
            Statement st = c.createStatement()) {
          st.execute("BEGIN IMMEDIATE");
          st.execute("ROLLBACK");
        } catch (SQLException busy) {
          if (busy.getMessage().contains("BUSY") || busy.getMessage().contains("locked")) {
            return;
          }
          throw busy;
        }
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new AssertionError(
        "the child never started its migration; stderr: " + child.stderrText());
  }

  private static void assertCurrentIntact(Path db) throws Exception {
    try (SwarmDB swarm = SwarmDB.open(db)) {
      assertThat(swarm.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(swarm.maintenance().integrityCheck().ok()).isTrue();
      assertThat(swarm.events().count()).isEqualTo(ROWS);
    }
    assertThat(
            DbFiles.queryLong(
                db,
                "SELECT count(*) FROM pragma_table_info('agent_events') WHERE name = 'v3_note'"))
        .isZero();
    assertThat(DbFiles.queryLong(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'v3_filler'"))
        .isZero();
    assertThat(DbFiles.queryLong(db, "SELECT max(version) FROM schema_history"))
        .isEqualTo(SchemaV7.LATEST);
    assertThat(DbFiles.queryLong(db, "PRAGMA user_version")).isEqualTo(SchemaV7.LATEST);
  }
}
