package io.moaiflow.swarmdb.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extension the DAO suites run on: fresh databases, the leak check, the cleanup. */
class SwarmDbExtensionTest {

  @BackendTest
  void eachInvocationGetsAFreshDatabaseOfItsBackend(TestBackend backend) throws Exception {
    SwarmDB db = backend.open();
    assertThat(db.config().isPostgres()).isEqualTo(backend.isPostgres());
    assertThat(db.events().count()).isZero();
    db.events().append(AgentEvent.of("spawn", "a", "w", Map.of()));
    // a second SwarmDB on the same invocation's database sees the first one's rows
    assertThat(backend.open().events().count()).isEqualTo(1);
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }

  @BackendTest
  void theLeakCheckFailsWhileAPooledConnectionIsBorrowed(TestBackend backend) throws Exception {
    SwarmDB db = backend.open();
    List<HikariDataSource> pools = PoolLeaks.pools(db);
    assertThat(pools).hasSize(1);
    PoolLeaks.assertNoneBorrowed(db);
    try (Connection leaked = pools.get(0).getConnection()) {
      assertThat(leaked.isValid(1)).isTrue();
      assertThatThrownBy(() -> PoolLeaks.assertNoneBorrowed(db))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("has 1 connection(s) still borrowed")
          .hasMessageContaining(pools.get(0).getPoolName())
          .hasMessageContaining("did not give its connection back");
    }
    PoolLeaks.assertNoneBorrowed(db);
  }

  @BackendTest
  @SqliteOnly("shows that @SqliteOnly provides the SQLite invocation alone")
  void sqliteOnlyRunsOnSqliteAlone(TestBackend backend) {
    assertThat(backend.kind()).isEqualTo(TestBackend.Kind.SQLITE);
    assertThat(backend.file().getFileName()).hasToString("swarm.db");
  }

  @Test
  void finishFailsOnALeakYetClosesEverythingAndDeletesTheDirectory() throws Exception {
    TestBackend backend = new TestBackend(TestBackend.Kind.SQLITE);
    backend.start();
    Path dir = backend.file().getParent();
    SwarmDB db = backend.open();
    SwarmDB closedByTheTest = backend.open();
    closedByTheTest.close();
    Connection leaked = PoolLeaks.pools(db).get(0).getConnection();
    try {
      Throwable t = catchThrowable(backend::finish);
      assertThat(t).isInstanceOf(AssertionError.class).hasMessageContaining("still borrowed");
    } finally {
      leaked.close();
    }
    assertThat(db.isClosed()).isTrue();
    assertThat(Files.exists(dir)).isFalse();
  }

  @Test
  void finishDropsThePostgresSchema() throws Exception {
    TestBackend backend = new TestBackend(TestBackend.Kind.POSTGRES);
    backend.start(); // skipped, naming SWARMDB_TEST_PG_URL, without a server
    SwarmDB db = backend.open();
    db.events().append(AgentEvent.of("spawn", "a", "w", Map.of()));
    String schema;
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_schema()")) {
      assertThat(rs.next()).isTrue();
      schema = rs.getString(1);
    }
    backend.finish();
    assertThat(db.isClosed()).isTrue();
    try (Connection c = java.sql.DriverManager.getConnection(PgTestSupport.requireUrl());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  @Test
  void withoutAServerThePostgresInvocationIsAnAssumptionNamingTheVariable() {
    assumeTrue(PgTestSupport.url() == null, "runs only without " + PgTestSupport.VARIABLE);
    TestBackend backend = new TestBackend(TestBackend.Kind.POSTGRES);
    assertThatThrownBy(backend::start)
        .isInstanceOf(org.opentest4j.TestAbortedException.class)
        .hasMessageContaining("SWARMDB_TEST_PG_URL");
  }
}
