package io.moaiflow.swarmdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV2;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first real migration, V1 to V2 (recall), on the checked-in v1 file while another process
 * holds uncheckpointed WAL frames of it: backup first, then everything v1 held (and what the WAL
 * added) is in the new full-text index, the schema still has exactly 12 explicit indexes, and the
 * checksums are recorded. The same from a V1-only schema on PostgreSQL.
 */
public class V1ToV2MigrationTest {
  /** Words only the child's rows contain. */
  static final String CHILD_EVENT_WORD = "zebrafish";

  static final String CHILD_MEMORY_WORD = "quokka";

  @TempDir Path dir;

  @Test
  void theV1FileWithAHotWalIsBackedUpMigratedAndIndexed() throws Exception {
    Path file = dir.resolve("swarm-v1.db");
    try (InputStream in = getClass().getResourceAsStream("/db/v1/swarm-v1.db")) {
      Files.copy(in, file);
    }
    assertThat(query(file, "PRAGMA user_version")).isEqualTo(1);
    Process child = startV1Writer(file);
    try {
      // the child's rows are only in the -wal: it holds the file open and never checkpoints
      assertThat(Files.size(Path.of(file + "-wal"))).as("the WAL is hot").isPositive();
      assertThat(Files.exists(Path.of(file + "-shm"))).isTrue();
      MigrationResult r;
      try (SwarmDB db = SwarmDB.open(file)) {
        Migrator m = db.migrator();
        assertThat(m.currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(m.status())
            .hasSize(SchemaV7.LATEST)
            .allSatisfy(
                s -> {
                  assertThat(s.state()).isEqualTo(MigrationState.APPLIED);
                  assertThat(s.appliedChecksum()).isNotNull().isEqualTo(s.resolvedChecksum());
                });
        assertThat(m.status())
            .extracting(MigrationInfo::description)
            .containsExactly(
                "init", "recall", "history", "causality", "writer", "inline links", "sequence");
        r = m.migrate();
        assertThat(r.applied()).isEmpty();
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        // v1 data reads back through the DAOs, the child's rows included
        assertThat(db.events().count()).isEqualTo(V1Fixture.EVENTS + 1);
        assertThat(db.events().get("child-e").orElseThrow().metadata())
            .containsEntry("note", "a " + CHILD_EVENT_WORD + " swam by");
        SessionMemory mem = db.sessions().memory("s-1");
        assertThat(mem.get(SessionMemory.SEMANTIC, "lang", Map.class))
            .contains(Map.of("v", "kotlin"));
        assertThat(mem.get(SessionMemory.SEMANTIC, "child", String.class))
            .contains("the " + CHILD_MEMORY_WORD + " smiled");
        assertThat(db.events().query(EventQuery.session("s-2").limit(100))).hasSize(10);
      } finally {
        child.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
      }
    } finally {
      child.destroyForcibly();
    }
    // the backup was taken first, at v1, and holds what was in the WAL too
    Path backup;
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> backups =
          files
              .filter(
                  p ->
                      p.getFileName()
                          .toString()
                          .startsWith("swarm-v1.db.pre-v" + SchemaV7.LATEST + "-"))
              .toList();
      assertThat(backups).hasSize(1);
      backup = backups.get(0);
    }
    assertThat(backup.getFileName().toString()).endsWith(".bak");
    assertThat(query(backup, "PRAGMA user_version")).isEqualTo(1);
    assertThat(query(backup, "SELECT count(*) FROM agent_events")).isEqualTo(V1Fixture.EVENTS + 1);
    assertThat(query(backup, "SELECT count(*) FROM sqlite_schema WHERE name = 'memory_fts'"))
        .isZero();

    // v1's memory and events, and the WAL's, are in the full-text index
    assertThat(
            query(
                file,
                "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'kotlin'"
                    + " AND scope = 'session:s-1' AND key = 'lang'"))
        .isEqualTo(1);
    assertThat(
            query(
                file,
                "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH '"
                    + CHILD_MEMORY_WORD
                    + "'"))
        .isEqualTo(1);
    assertThat(query(file, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'steps'"))
        .isEqualTo(1);
    assertThat(query(file, "SELECT count(*) FROM memory_docs")).isEqualTo(4);
    assertThat(query(file, "SELECT count(*) FROM session_memory")).isEqualTo(4);
    assertThat(
            query(
                file,
                "SELECT count(*) FROM memory_docs d JOIN memory_fts f ON f.rowid = d.doc_id"
                    + " JOIN session_memory m ON d.scope = 'session:' || m.session_id"
                    + " AND d.memory_type = m.memory_type AND d.key = m.key"
                    + " AND f.key = m.key"))
        .as("every entry's index row is its own")
        .isEqualTo(4);
    assertThat(query(file, "SELECT count(*) FROM event_fts")).isEqualTo(V1Fixture.EVENTS + 1);
    assertThat(
            query(file, "SELECT count(*) FROM event_fts WHERE event_fts MATCH 'DROP AND agents'"))
        .as("the fixture's text is in every v1 event's metadata")
        .isEqualTo(V1Fixture.EVENTS);
    assertThat(
            query(
                file,
                "SELECT e.event_id = 'child-e' FROM event_fts f JOIN agent_events e ON e.seq ="
                    + " f.rowid WHERE event_fts MATCH '"
                    + CHILD_EVENT_WORD
                    + "'"))
        .isEqualTo(1);
    assertThat(query(file, "SELECT count(*) FROM event_fts WHERE event_fts MATCH 'expert'"))
        .as("only metadata is indexed: agent types ('expert', 'expert-child') are filters")
        .isZero();
    // FTS5's own consistency check of both indexes
    sql(
        file,
        "INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')",
        "INSERT INTO event_fts (event_fts) VALUES ('integrity-check')");

    // still exactly the 12 explicit indexes, and the history records both checksums
    assertThat(
            query(
                file,
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"))
        .isEqualTo(12);
    assertThat(
            strings(
                file,
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"))
        .containsExactlyElementsOf(SchemaV1.INDEXES);
    assertThat(strings(file, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"))
        .containsExactlyElementsOf(SchemaV7.SQLITE_TRIGGERS);
    assertThat(query(file, "SELECT count(*) FROM schema_history WHERE success = 1"))
        .isEqualTo(SchemaV7.LATEST);
    assertThat(query(file, "PRAGMA user_version")).isEqualTo(SchemaV7.LATEST);
    long v2Checksum;
    try (SwarmDB db = SwarmDB.open(file)) {
      v2Checksum = db.migrator().status().get(1).resolvedChecksum();
      assertThat(db.inspect().info().indexes()).hasSize(12);
      assertThat(db.maintenance().quickCheck().problems()).isEmpty();
    }
    assertThat(query(file, "SELECT checksum FROM schema_history WHERE version = 2"))
        .isEqualTo(v2Checksum);
    // and opening again migrates nothing and takes no second backup
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().migrate().applied()).isEmpty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".bak"))).hasSize(1);
    }
  }

  @Test
  void aV1OnlySchemaOnPostgresqlMigratesAndIsIndexed() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      // what the v1 library left: the V1 script, its history row, and rows in every table
      PgTestSupport.atVersion(c, 1);
      st.execute(
          "INSERT INTO sessions (session_id, status, started_at, metadata) VALUES ('s-1',"
              + " 'active', 0, '{}')");
      st.execute(
          "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
              + " updated_at) VALUES ('s-1', 'semantic', 'lang', '{\"v\": \"kotlin\"}', 2, 0, 0)");
      st.execute(
          "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, ts, metadata)"
              + " VALUES ('e-1', 'error', 'agent-0', 'expert', 0, '{\"note\": \"a "
              + CHILD_EVENT_WORD
              + " swam by\"}')");
      try (SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
        assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
        assertThat(db.migrator().status())
            .allSatisfy(
                s -> {
                  assertThat(s.state()).isEqualTo(MigrationState.APPLIED);
                  assertThat(s.appliedChecksum()).isEqualTo(s.resolvedChecksum());
                });
        assertThat(db.inspect().info().indexes())
            .containsExactlyElementsOf(SchemaV2.POSTGRES_INDEXES);
        assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
        assertThat(db.sessions().memory("s-1").get("semantic", "lang", Map.class))
            .contains(Map.of("v", "kotlin"));
      }
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT count(*) FROM session_memory WHERE search @@"
                      + " to_tsquery('english', 'kotlin & lang')"))
          .isEqualTo(1);
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT count(*) FROM agent_events WHERE search @@ to_tsquery('english', '"
                      + CHILD_EVENT_WORD
                      + " & swam')"))
          .as("v1's events got their search vector")
          .isEqualTo(1);
      assertThat(
              PgTestSupport.queryLong(
                  c,
                  "SELECT count(*) FROM agent_events WHERE search @@ to_tsquery('english', 'expert')"))
          .as("only metadata is indexed: the agent type is a filter")
          .isZero();
      assertThat(PgTestSupport.queryLong(c, "SELECT count(*) FROM schema_history"))
          .isEqualTo(SchemaV7.LATEST);
    }
  }

  /** Starts {@link V1Writer} on {@code file} and waits until its rows are in the WAL. */
  private static Process startV1Writer(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                V1Writer.class.getName(),
                file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.equals("written"));
    assertThat(line).as("the v1 writer reported its rows").isEqualTo("written");
    return p;
  }

  /**
   * A v1 process of the swarm, outside the library: writes an event and a memory entry into the v1
   * file with automatic checkpoints off, prints "written" and holds the file open (its frames stay
   * in the -wal) until killed.
   */
  public static final class V1Writer {
    private V1Writer() {}

    public static void main(String[] args) throws Exception {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_autocheckpoint = 0");
        st.execute(
            "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
                + " metadata) VALUES ('child-e', 'error', 'agent-9', 'expert-child', 's-1',"
                + " 1767225700000, '{\"note\":\"a "
                + CHILD_EVENT_WORD
                + " swam by\"}')");
        st.execute(
            "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
                + " updated_at) VALUES ('s-1', 'semantic', 'child', '\"the "
                + CHILD_MEMORY_WORD
                + " smiled\"', 1, 1767225700000, 1767225700000)");
      }
      System.out.println("written");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the connection open until killed
      }
      c.close();
    }
  }

  static long query(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** The first column of every row {@code sql} returns on {@code file} (other tests use it). */
  public static List<String> strings(Path file, String sql) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Runs {@code statements} on {@code file} in one connection (other tests use it). */
  public static void sql(Path file, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
