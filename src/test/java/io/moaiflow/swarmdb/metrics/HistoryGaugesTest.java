package io.moaiflow.swarmdb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import io.moaiflow.swarmdb.health.HistoryInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The history gauges on both backends: the figures of {@code inspect().history()} (checked against
 * the rows in {@code HistoryBudgetTest}), from one count per {@link
 * SwarmDbMetrics#HISTORY_SNAPSHOT_TTL}; the budget gauge only with a budget.
 */
class HistoryGaugesTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private static long historyRows(TestBackend backend) throws SQLException {
    long n = 0;
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      for (String t : new String[] {"memory_history", "agent_history", "session_history"}) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
          rs.next();
          n += rs.getLong(1);
        }
      }
    }
    return n;
  }

  private SwarmDbMetrics bind(SwarmDB db) {
    SwarmDbMetrics m =
        new SwarmDbMetrics(
            db,
            SwarmDbMetrics.DEFAULT_SNAPSHOT_TTL,
            SwarmDbMetrics.DEFAULT_MAX_EVENT_TYPES,
            SwarmDbMetrics.DEFAULT_STALE_AFTER,
            nanos::get);
    m.bindTo(registry);
    return m;
  }

  @BackendTest
  void gaugesShowTheHistoryCountedOncePerTtl(TestBackend backend) throws Exception {
    SwarmDB db = backend.open(b -> b.historyBudgetBytes(4096));
    db.sessions().start("s");
    for (int i = 0; i < 5; i++) {
      db.memory(Scope.swarm()).put("semantic", "k", i);
    }
    try (SwarmDbMetrics m = bind(db)) {
      assertThat(m.toString()).contains("registries=1");
      HistoryInfo h = db.inspect().history();
      assertThat(h.rows()).isEqualTo(historyRows(backend)).isEqualTo(6);
      assertThat(gauge("moai.flow.history.rows")).isEqualTo(h.rows());
      assertThat(gauge("moai.flow.history.size")).isEqualTo(h.bytes());
      assertThat(gauge("moai.flow.history.horizon")).isZero();
      assertThat(gauge("moai.flow.history.budget")).isEqualTo(4096);
      assertThat(registry.get("moai.flow.history.size").gauge().getId().getBaseUnit())
          .isEqualTo("bytes");

      long seq = db.asOf(Instant.now().plusSeconds(60)).seq();
      db.maintenance().pruneHistory(seq);
      // one count per TTL: the same figures until it passes, one tick short included
      nanos.addAndGet(SwarmDbMetrics.HISTORY_SNAPSHOT_TTL.toNanos() - 1);
      assertThat(gauge("moai.flow.history.rows")).isEqualTo(h.rows());
      nanos.incrementAndGet();
      HistoryInfo pruned = db.inspect().history();
      assertThat(gauge("moai.flow.history.rows"))
          .isEqualTo(pruned.rows())
          .isEqualTo(historyRows(backend))
          .isEqualTo(2);
      assertThat(gauge("moai.flow.history.size")).isEqualTo(pruned.bytes());
      assertThat(gauge("moai.flow.history.horizon")).isEqualTo(seq);
    }
    // closed database: NaN, not a stale figure
    SwarmDbMetrics after = bind(db);
    db.close();
    assertThat(gauge("moai.flow.history.rows")).isNaN();
    after.close();
  }

  @BackendTest
  void withoutABudgetThereIsNoBudgetGauge(TestBackend backend) {
    SwarmDB db = backend.open();
    try (SwarmDbMetrics m = bind(db)) {
      assertThat(m.toString()).contains("registries=1");
      assertThat(registry.find("moai.flow.history.budget").gauge()).isNull();
      assertThat(gauge("moai.flow.history.rows")).isZero();
    }
  }
}
