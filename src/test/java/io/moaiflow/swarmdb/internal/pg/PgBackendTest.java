package io.moaiflow.swarmdb.internal.pg;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** PostgreSQL-only behaviour: configuration, SQLite-only operations, the caller's pool, errors. */
class PgBackendTest {
  @TempDir Path dir;

  @Test
  void configurationNamesPostgresAndHidesPasswords() {
    SwarmDbConfig c =
        SwarmDbConfig.postgres("jdbc:postgresql://db:5432/swarm?user=u&password=secret").build();
    assertThat(c.isPostgres()).isTrue();
    assertThat(c.isInMemory()).isFalse();
    assertThat(c.path()).isNull();
    assertThat(c.toString()).doesNotContain("secret").contains("password=***");
    assertThat(SwarmDbConfig.redact("jdbc:postgresql://u:pw@db/x"))
        .isEqualTo("jdbc:postgresql://u:***@db/x");
    SwarmDbException e =
        assertFails(
            ErrorCode.INVALID_ARGUMENT,
            () -> SwarmDbConfig.postgres("jdbc:sqlite:/tmp/x.db?password=p").build());
    assertThat(e.getMessage()).contains("not a PostgreSQL JDBC URL").doesNotContain("=p");
    assertThat(SwarmDbConfig.builder(dir.resolve("x.db")).build().isPostgres()).isFalse();
    assertThat(SwarmDbConfig.inMemory().build().isInMemory()).isTrue();
    // a file and a PostgreSQL URL at once used to be refused at run time; the sealed target now
    // holds exactly one of them, so the positional constructor that allowed both is gone
    SwarmDbConfig pg = SwarmDbConfig.postgres("jdbc:postgresql://db/x").build();
    assertThat(pg.target()).isEqualTo(new SwarmDbConfig.PostgresUrl("jdbc:postgresql://db/x"));
    assertThat(pg.path()).isNull();
    assertThat(pg.dataSource()).isNull();
    assertThat(pg.isInMemory()).isFalse();
  }

  @Test
  void anUnreachableServerFailsOpenWithAnIoError() {
    SwarmDbException e =
        assertFails(
            ErrorCode.IO_ERROR,
            () ->
                SwarmDB.open(
                    SwarmDbConfig.postgres("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2")
                        .writeTimeout(Duration.ofSeconds(2))
                        .build()));
    assertThat(e.getMessage()).contains("127.0.0.1:1");
  }

  @Test
  void aDataSourceThatIsNotPostgresIsRefused() {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + dir.resolve("other.db"));
    SwarmDbException e =
        assertFails(
            ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.open(SwarmDbConfig.dataSource(ds).build()));
    assertThat(e.getMessage()).contains("not PostgreSQL");
  }

  @Test
  void sqliteOnlyOperationsSaySoAndNameTheAlternative() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
      SwarmDbException backup =
          assertFails(ErrorCode.UNSUPPORTED, () -> db.maintenance().backupTo(dir.resolve("b.db")));
      assertThat(backup.getMessage()).contains("SQLite-only", "pg_dump", schema.name());
      SwarmDbException checkpoint =
          assertFails(ErrorCode.UNSUPPORTED, () -> db.maintenance().checkpoint());
      assertThat(checkpoint.getMessage()).contains("SQLite-only", "CHECKPOINT");
      assertThat(db.maintenance().vacuum()).isPositive();
      assertThat(db.path()).isEmpty();
      assertThat(db.inspect().walSizeBytes()).isZero();
      DatabaseInfo info = db.inspect().info();
      assertThat(info.pragmas())
          .containsEntry("backend", "postgresql")
          .containsEntry("schema", schema.name())
          .containsKeys("server_version", "synchronous_commit", "database_size_bytes");
      assertThat(info.sqliteVersion()).isNotBlank();
      assertThat(info.files().mainBytes()).isEqualTo(db.inspect().sizeBytes());
      assertThat(db.inspect().writerStats().queueCapacity())
          .isEqualTo(db.config().writeQueue().capacity());
    }
  }

  /**
   * The writer-failure rule on PostgreSQL: a trigger makes the server refuse inserts with SQLSTATE
   * 53100 (disk full); health is unhealthy while appends fail, and healthy at the first append that
   * commits after the trigger is dropped.
   */
  @Test
  void healthIsUnhealthyWhileTheServerFailsWrites() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
      db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      assertThat(db.inspect().health().healthy()).isTrue();
      try (Connection c = schema.connect();
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
                + " 'no space left on device' USING ERRCODE = '53100'; END $$");
        st.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON agent_events FOR EACH ROW EXECUTE FUNCTION"
                + " refuse()");
      }
      assertFails(
          ErrorCode.DISK_FULL,
          () -> db.events().append(AgentEvent.of("spawn", "b", null, Map.of())));
      var full = db.inspect().health();
      assertThat(full.healthy()).isFalse();
      assertThat(full.writable()).as("the probe still passes").isTrue();
      assertThat(full.problems())
          .singleElement()
          .asString()
          .startsWith("writes are failing: 1 failed write transaction(s) in the last 60 s")
          .contains("{DISK_FULL=1}");
      assertThat(full.recentWriteFailures()).containsEntry(ErrorCode.DISK_FULL, 1L);
      assertThat(full.usableBytes()).isEqualTo(-1);
      try (Connection c = schema.connect();
          Statement st = c.createStatement()) {
        st.execute("DROP TRIGGER refuse ON agent_events");
      }
      assertThat(db.inspect().health().healthy()).as("no write has succeeded yet").isFalse();
      db.events().append(AgentEvent.of("spawn", "c", null, Map.of()));
      var again = db.inspect().health();
      assertThat(again.healthy()).as(again.problems().toString()).isTrue();
    }
  }

  @Test
  void theCallersDataSourceIsUsedAndLeftOpen() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      HikariConfig hc = new HikariConfig();
      hc.setJdbcUrl(schema.url());
      hc.setMaximumPoolSize(3);
      hc.setAutoCommit(false); // SwarmDB must cope with a pool that hands out transactions
      try (HikariDataSource ds = new HikariDataSource(hc)) {
        try (SwarmDB db = SwarmDB.open(SwarmDbConfig.dataSource(ds).build())) {
          db.sessions().start("s");
          // seq 2: the session start took 1 of the one sequence (schema v3)
          assertThat(db.events().append(AgentEvent.of("spawn", "a", null, Map.of())).seq())
              .isEqualTo(2);
          assertThat(db.events().count()).isOne();
          assertThat(db.inspect().info().pragmas()).containsEntry("pool", "caller DataSource");
          assertThat(db.inspect().writerStats().queueDepth()).isZero();
          assertThat(db.toString()).contains("DataSource");
        }
        assertThat(ds.isClosed()).isFalse();
        try (Connection c = ds.getConnection()) {
          assertThat(PgTestSupport.queryLong(c, "SELECT count(*) FROM agent_events")).isOne();
          c.rollback();
        }
      }
    }
  }

  @Test
  void valuesPostgresCannotStoreAreInvalidArgumentsAndWriteNothing() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
      SwarmDbException e =
          assertFails(
              ErrorCode.INVALID_ARGUMENT,
              () ->
                  db.events().append(AgentEvent.of("spawn", "a", null, Map.of("nul", "a\u0000b"))));
      assertThat(e.getMessage()).contains("SQLSTATE 22");
      assertThat(db.events().count()).isZero();
      assertThat(db.inspect().writerStats().failures()).isOne();
    }
  }

  @Test
  void asyncAppendsCommitBeforeClose() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
      SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build());
      for (int i = 0; i < 200; i++) {
        futures.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("i", i))));
      }
      db.close();
      for (CompletableFuture<AgentEvent> f : futures) {
        assertThat(f.get().isStored()).isTrue();
      }
      assertFails(
          ErrorCode.CLOSED,
          () -> db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of())));
      try (Connection c = schema.connect()) {
        assertThat(PgTestSupport.queryLong(c, "SELECT count(*) FROM agent_events")).isEqualTo(200);
      }
    }
  }

  @Test
  void errorsMapBySqlState() {
    Map<SQLException, ErrorCode> expected = new LinkedHashMap<>();
    expected.put(new SQLException("x", "55P03"), ErrorCode.BUSY);
    expected.put(new SQLException("x", "40P01"), ErrorCode.BUSY);
    expected.put(new SQLException("x", "57014"), ErrorCode.TIMEOUT);
    expected.put(new SQLException("x", "53100"), ErrorCode.DISK_FULL);
    expected.put(new SQLException("x", "25006"), ErrorCode.READ_ONLY);
    expected.put(new SQLException("x", "XX001"), ErrorCode.CORRUPT);
    expected.put(new SQLException("x", "08006"), ErrorCode.IO_ERROR);
    expected.put(new SQLException("x", "23505"), ErrorCode.INVALID_ARGUMENT);
    expected.put(new SQLException("x", "42P01"), ErrorCode.DATABASE_ERROR);
    expected.put(new SQLException("x"), ErrorCode.DATABASE_ERROR);
    expected.put(new SQLTransientConnectionException("x"), ErrorCode.TIMEOUT);
    expected.forEach(
        (e, code) ->
            assertThat(PgErrors.map("op", "db", e).code()).as(e.getSQLState()).isEqualTo(code));
    assertThat(PgErrors.isRetryable(new SQLException("x", "40001"))).isTrue();
    assertThat(PgErrors.isRetryable(new SQLException("x", "23505"))).isFalse();
  }

  @Test
  void globsTranslateToAnchoredRegularExpressions() {
    assertThat(PgDialect.globToRegex("a*b?c")).isEqualTo("^a.*b.c$");
    assertThat(PgDialect.globToRegex("[^x]")).isEqualTo("^[^x]$");
    assertThat(PgDialect.globToRegex("[]a]")).isEqualTo("^[]a]$");
    assertThat(PgDialect.globToRegex("a.b+(c)")).isEqualTo("^a\\.b\\+\\(c\\)$");
    assertThat(PgDialect.globToRegex("x[")).isEqualTo("^x\\[$");
  }

  @Test
  void quickCheckReportsTheEventIndexTriggerOutOfStepWithTheSetting() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build());
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      assertThat(db.maintenance().quickCheck().problems()).isEmpty();
      st.execute("DROP TRIGGER agent_events_search ON agent_events");
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("trigger agent_events_search is missing", "drifts from the data");
      assertThat(db.maintenance().integrityCheck().ok()).isFalse();
      st.execute("UPDATE swarm_settings SET value = 'off' WHERE name = 'event_index'");
      assertThat(db.maintenance().quickCheck().problems()).isEmpty();
      st.execute(
          "CREATE TRIGGER agent_events_search BEFORE INSERT ON agent_events"
              + " FOR EACH ROW EXECUTE FUNCTION swarmdb_event_search()");
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("agent_events_search exists but event_index is 'off'");
      st.execute("UPDATE swarm_settings SET value = 'maybe' WHERE name = 'event_index'");
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("event_index maybe; it must be 'on' or 'off'");
      st.execute("DROP TABLE scoped_memory"); // and with it its two indexes
      assertThat(db.maintenance().quickCheck().problems())
          .contains("table scoped_memory is missing")
          .anyMatch(
              p -> p.contains("missing [idx_scoped_memory_expires, idx_scoped_memory_search]"));
    }
  }

  @Test
  void quickAndIntegrityChecksReportAnInvalidIndex() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build());
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      st.execute("DROP INDEX idx_events_ts");
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("expected 16 SwarmDB indexes, found 15");
      assertThat(db.maintenance().integrityCheck().ok()).isFalse();
      // sixteen indexes again, but one of them foreign: the count alone would pass
      st.execute("CREATE INDEX idx_someone_elses ON agent_events (agent_type)");
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("expected 16 SwarmDB indexes, found 16")
          .contains("missing [idx_events_ts]");
    }
  }
}
