package io.moaiflow.swarmdb.health;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV2;
import io.moaiflow.swarmdb.SchemaV3;
import io.moaiflow.swarmdb.SchemaV4;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one description of the schema and its files ({@code internal.Schema}) against a real file,
 * and the public API built on it: {@link FileSizes#of}, {@link FileSizes#files} and {@link
 * DatabaseInfo#missingIndexes()}.
 */
class SchemaFilesTest {
  @TempDir Path dir;

  private static List<String> names(Path db, String type) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name FROM sqlite_schema WHERE type = '"
                    + type
                    + "' AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void theDescriptionIsWhatTheMigrationsCreate() throws Exception {
    Path db = dir.resolve("swarm.db");
    SwarmDB.open(db).close();
    assertThat(Schema.INDEXES).isEqualTo(SchemaV1.INDEXES).isEqualTo(names(db, "index"));
    List<String> tables = new ArrayList<>(Schema.TABLES);
    tables.addAll(Schema.SQLITE_V2_TABLES);
    tables.addAll(Schema.V3_TABLES);
    // v5 drops v4's link tables (the links live in agent_events.links)
    for (String fts : SchemaV2.SQLITE_FTS5_TABLES) {
      // FTS5's own shadow tables, made by CREATE VIRTUAL TABLE
      for (String shadow : List.of("config", "content", "data", "docsize", "idx")) {
        tables.add(fts + "_" + shadow);
      }
    }
    assertThat(tables).containsExactlyInAnyOrderElementsOf(names(db, "table"));
    assertThat(Schema.SQLITE_V2_TABLES)
        .containsExactlyInAnyOrderElementsOf(SchemaV2.SQLITE_NEW_TABLES);
    assertThat(Schema.SQLITE_TRIGGERS).isEqualTo(SchemaV2.SQLITE_TRIGGERS);
    // v7 drops the second trigger of each history table (the recording triggers move the mark)
    assertThat(Schema.SQLITE_HISTORY_TRIGGERS)
        .isEqualTo(
            SchemaV3.SQLITE_NEW_TRIGGERS.stream()
                .filter(t -> !SchemaV7.DROPPED_SQLITE_TRIGGERS.contains(t))
                .toList());
    assertThat(Schema.V3_TABLES).isEqualTo(SchemaV3.NEW_TABLES);
    assertThat(Schema.V4_TABLES).isEqualTo(SchemaV4.NEW_TABLES);
    assertThat(SchemaV7.SQLITE_TRIGGERS).isEqualTo(names(db, "trigger"));
    assertThat(Schema.V2_TABLES).isEqualTo(SchemaV2.NEW_COUNTED_TABLES);
    assertThat(Schema.POSTGRES_INDEXES).isEqualTo(SchemaV2.POSTGRES_INDEXES).hasSize(16);
    assertThat(Schema.DATA_TABLES)
        .containsExactly("agent_events", "agents", "sessions", "session_memory");
    assertThat(FileSizes.files(db))
        .containsExactly(db, Path.of(db + "-wal"), Path.of(db + "-shm"))
        .containsExactly(db, Schema.wal(db), Schema.shm(db));
  }

  @Test
  void missingAndUnexpectedIndexesAreListed() throws Exception {
    Path db = dir.resolve("swarm.db");
    SwarmDB.open(db).close();
    try (SwarmDB s = SwarmDB.open(db)) {
      assertThat(s.inspect().info().missingIndexes()).isEmpty();
      assertThat(s.inspect().info().unexpectedIndexes()).isEmpty();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP INDEX idx_events_ts");
      st.execute("DROP INDEX idx_agents_session");
      st.execute("CREATE INDEX idx_extra ON agents(agent_type)");
    }
    try (SwarmDB s = SwarmDB.openReadOnly(SwarmDbConfig.builder(db).migrate(false).build())) {
      DatabaseInfo info = s.inspect().info();
      assertThat(info.missingIndexes()).containsExactly("idx_agents_session", "idx_events_ts");
      assertThat(info.unexpectedIndexes()).containsExactly("idx_extra");
      assertThat(info.indexes()).hasSize(11);
    }
  }

  @Test
  void fileSizesOfAPathReadTheThreeFilesWithoutOpeningThem() throws Exception {
    Path db = Files.write(dir.resolve("a.db"), new byte[4096]);
    assertThat(FileSizes.of(db)).isEqualTo(new FileSizes(4096, 0, 0));
    Files.write(Path.of(db + "-wal"), new byte[33]);
    Files.write(Path.of(db + "-shm"), new byte[32768]);
    assertThat(FileSizes.of(db)).isEqualTo(new FileSizes(4096, 33, 32768));
    assertThat(FileSizes.of(db).totalBytes()).isEqualTo(4096 + 33 + 32768);
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("a.db", "a.db-wal", "a.db-shm");
    assertThat(FileSizes.of(dir.resolve("missing.db"))).isEqualTo(new FileSizes(0, 0, 0));
  }

  @Test
  void aSizeThatCannotBeReadIsAnErrorNotZero() throws Exception {
    // a name at the 255-byte limit: the main file exists, "<name>-wal" is 4 bytes too long
    Path db = Files.write(dir.resolve("n".repeat(252) + ".db"), new byte[10]);
    assertThat(assertFails(ErrorCode.IO_ERROR, () -> FileSizes.of(db)))
        .hasMessageContaining("could not read the size of " + db + "-wal")
        .hasMessageContaining("readable by this user");
    // a -wal that is a symlink loop
    Path looped = Files.write(dir.resolve("loop.db"), new byte[10]);
    Files.createSymbolicLink(Path.of(looped + "-wal"), Path.of(looped + "-wal"));
    assertFails(ErrorCode.IO_ERROR, () -> FileSizes.of(looped));
  }
}
