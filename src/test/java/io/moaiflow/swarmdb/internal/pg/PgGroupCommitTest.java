package io.moaiflow.swarmdb.internal.pg;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Group commit of single appends on PostgreSQL. The test holds the append lock on its own
 * connection so that the appender is stuck in its first batch while more appends queue behind it;
 * releasing the lock lets the queued appends commit as one batch.
 */
class PgGroupCommitTest {

  private static Connection holdAppendLock(PgTestSupport.Schema schema) throws Exception {
    Connection c = schema.connect();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute(PgEventStore.LOCK_SQL);
    }
    return c;
  }

  private static void rethrowCause(CompletableFuture<?> f) throws Throwable {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  @Test
  void queuedAppendsCommitTogetherAndABadRowFailsAlone() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = PgSwarm.open(schema);
        Connection observer = schema.connect()) {
      long before = db.inspect().writerStats().transactions();
      Connection gate = holdAppendLock(schema);
      CompletableFuture<AgentEvent> first =
          db.events().appendAsync(AgentEvent.of("spawn", "a", null, Map.of()));
      PgLocks.awaitWaiters(observer, PgEventStore.APPEND_LOCK, 1);
      List<CompletableFuture<AgentEvent>> good = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        good.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("i", i))));
      }
      // JSONB cannot store U+0000: this row fails inside the batch
      CompletableFuture<AgentEvent> bad =
          db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("nul", "\u0000")));
      assertThat(db.inspect().writerStats().queueDepth()).isGreaterThanOrEqualTo(21);
      gate.commit();
      gate.close();
      assertThat(first.get().isStored()).isTrue();
      for (CompletableFuture<AgentEvent> f : good) {
        assertThat(f.get().seq()).isGreaterThan(first.get().seq());
      }
      assertFails(ErrorCode.INVALID_ARGUMENT, () -> rethrowCause(bad));
      assertThat(db.events().count()).isEqualTo(21);
      // first batch, the failed batch of 21, then 21 single retries (20 committed)
      assertThat(db.inspect().writerStats().transactions() - before).isBetween(2L, 23L);
    }
  }

  @Test
  void aFullQueueTimesOutAndSynchronousAppendsReportTheirOwnErrors() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db =
            PgSwarm.open(
                schema, b -> b.writeQueueCapacity(2).writeTimeout(Duration.ofMillis(200)));
        Connection observer = schema.connect()) {
      Connection gate = holdAppendLock(schema);
      List<CompletableFuture<AgentEvent>> queued = new ArrayList<>();
      queued.add(db.events().appendAsync(AgentEvent.of("spawn", "a", null, Map.of())));
      PgLocks.awaitWaiters(observer, PgEventStore.APPEND_LOCK, 1);
      SwarmDbException timeout = null;
      for (int i = 0; i < 10 && timeout == null; i++) {
        try {
          queued.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of())));
        } catch (SwarmDbException e) {
          timeout = e;
        }
      }
      assertThat(timeout).isNotNull();
      assertThat(timeout.code()).isEqualTo(ErrorCode.TIMEOUT);
      // the wording of SQLite's writer: one queue builds it for both backends
      assertThat(timeout.getMessage())
          .contains("events.appendAsync timed out after 200 ms", "capacity=2", "committed=")
          .contains("writeQueueCapacity");
      gate.commit();
      gate.close();
      for (CompletableFuture<AgentEvent> f : queued) {
        assertThat(f.get().isStored()).isTrue();
      }
      assertFails(
          ErrorCode.INVALID_ARGUMENT,
          () -> db.events().append(AgentEvent.of("run", "a", null, Map.of("nul", "\u0000"))));
    }
  }

  @Test
  void integrityCheckRunsAmcheckWhenInstalled() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = PgSwarm.open(schema);
        Connection c = schema.connect();
        Statement st = c.createStatement()) {
      boolean installed;
      try {
        st.execute("CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA " + schema.name());
        installed = true;
      } catch (java.sql.SQLException e) {
        installed = false; // not a superuser, or contrib missing: the fallback path is tested
      }
      db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      assertThat(db.maintenance().integrityCheck().ok()).isTrue();
      org.junit.jupiter.api.Assumptions.assumeTrue(installed, "amcheck could not be installed");
      st.execute("DROP EXTENSION amcheck");
    }
  }
}
