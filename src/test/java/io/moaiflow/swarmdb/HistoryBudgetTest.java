package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.health.HistoryInfo;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The history size budget on both backends: the figures {@code inspect().history()} and {@code
 * info} report against a count made here from the rows read over plain JDBC, and {@code
 * pruneHistoryToBudget} against a model of what pruning at each horizon keeps: it picks the
 * smallest horizon that fits, every view from there on reads as before, and it refuses, changing
 * nothing, when the state at the latest change alone is over the budget.
 */
class HistoryBudgetTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  HistoryBudgetTest() {
    super(T0);
  }

  /** One history row as read over JDBC: its entity, whether a deletion, and its counted bytes. */
  record Row(long seq, String entity, boolean deleted, long bytes) {}

  /** Every history row, its bytes counted here: the UTF-8 bytes of its text columns plus 64. */
  private List<Row> rows() throws SQLException {
    String json = backend.isPostgres() ? "::text" : "";
    List<Row> out = new ArrayList<>();
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      String[] queries = {
        "SELECT seq, deleted, scope, memory_type, key, value" + json + " FROM memory_history",
        "SELECT seq, deleted, agent_id, agent_type, status, session_id, metadata"
            + json
            + " FROM agent_history",
        "SELECT seq, deleted, session_id, status, metadata" + json + " FROM session_history"
      };
      for (int t = 0; t < queries.length; t++) {
        try (ResultSet rs = st.executeQuery(queries[t])) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            long bytes = HistoryInfo.ROW_OVERHEAD_BYTES;
            for (int i = 3; i <= columns; i++) {
              String v = rs.getString(i);
              bytes += v == null ? 0 : v.getBytes(StandardCharsets.UTF_8).length;
            }
            String entity =
                t
                    + ":"
                    + rs.getString(3)
                    + (t == 0 ? "/" + rs.getString(4) + "/" + rs.getString(5) : "");
            out.add(new Row(rs.getLong(1), entity, rs.getBoolean(2), bytes));
          }
        }
      }
    }
    out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    return out;
  }

  private static long bytes(List<Row> rows) {
    return rows.stream().mapToLong(Row::bytes).sum();
  }

  /**
   * What pruning at {@code horizon} keeps, by the rule of {@code pruneHistory}: every row from the
   * horizon on, and of each entity its latest row before it unless that is a deletion or the entity
   * has a later row at or before the horizon.
   */
  private static long keptAt(List<Row> rows, long horizon) {
    Map<String, Row> latestBefore = new HashMap<>();
    Map<String, Long> latestAtOrBefore = new HashMap<>();
    long kept = 0;
    for (Row r : rows) {
      if (r.seq() >= horizon) {
        kept += r.bytes();
      } else {
        latestBefore.put(r.entity(), r);
      }
      if (r.seq() <= horizon) {
        latestAtOrBefore.put(r.entity(), r.seq());
      }
    }
    for (Row r : latestBefore.values()) {
      if (!r.deleted() && latestAtOrBefore.get(r.entity()) == r.seq()) {
        kept += r.bytes();
      }
    }
    return kept;
  }

  /** The latest seq: the view of the far future is as of it. */
  private long latest() {
    return db.asOf(Instant.now().plusSeconds(86_400)).seq();
  }

  private SwarmDB budgeted(long budget) {
    return backend.open(b -> b.clock(clock).historyBudgetBytes(budget));
  }

  /** A history of every kind of row: versions, deletions, agents, sessions, non-ASCII text. */
  private List<Long> writeHistory() {
    List<Long> seqs = new ArrayList<>();
    db.sessions().start("s", Map.of("owner", "zoë"));
    seqs.add(latest());
    db.agents().register("a", "worker", "s", Map.of("n", 1));
    seqs.add(latest());
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofSeconds(1));
      db.memory(Scope.swarm()).put("semantic", "plan", Map.of("step", i, "note", "é☃".repeat(i)));
      seqs.add(latest());
      db.memory(Scope.session("s")).put("episodic", "k" + (i % 2), "v" + i);
      seqs.add(latest());
      if (i == 2) {
        db.memory(Scope.swarm()).put("semantic", "gone", "soon deleted");
        seqs.add(latest());
        db.memory(Scope.swarm()).delete("semantic", "gone");
        seqs.add(latest());
        db.agents().transition("a", AgentStatus.RUNNING);
        seqs.add(latest());
      }
      db.events().append(AgentEvent.of("tick", "a", null, Map.of("i", i)));
    }
    db.agents().transition("a", AgentStatus.COMPLETE, Map.of("done", true));
    seqs.add(latest());
    db.sessions().end("s");
    seqs.add(latest());
    return seqs;
  }

  /** Every read an operator compares: the registry, the sessions and two scopes' memory. */
  private static String view(SwarmState v) {
    return v.agents().get("a")
        + "|"
        + v.agents().active()
        + "|"
        + v.sessions().get("s")
        + "|"
        + v.memory(Scope.swarm()).exportJson()
        + "|"
        + v.sessions().memory("s").exportJson();
  }

  @BackendTest
  void figuresEqualACountOfTheRows() throws Exception {
    HistoryInfo empty = db.inspect().history();
    assertThat(empty).isEqualTo(new HistoryInfo(0, 0, 0, OptionalLong.empty()));
    assertThat(empty.overBudget()).isFalse();
    List<Long> seqs = writeHistory();
    List<Row> rows = rows();
    long bytes = bytes(rows);
    HistoryInfo h = db.inspect().history();
    assertThat(h.rows()).isEqualTo(rows.size());
    assertThat(h.bytes()).isEqualTo(bytes);
    assertThat(h.horizon()).isZero();
    assertThat(h.budgetBytes()).isEmpty();
    assertThat(db.inspect().info().history()).isEqualTo(h);
    Map<String, Object> json = new java.util.LinkedHashMap<>();
    json.put("rows", (long) rows.size());
    json.put("bytes", bytes);
    json.put("budgetBytes", null);
    json.put("horizon", 0L);
    json.put("overBudget", false);
    assertThat(db.inspect().info().toJsonMap()).containsEntry("history", json);
    // over budget at the budget's limits: one byte under the history is over, at it and above not
    assertThat(budgeted(bytes - 1).inspect().history().overBudget()).isTrue();
    assertThat(budgeted(bytes).inspect().history().overBudget()).isFalse();
    HistoryInfo above = budgeted(bytes + 1).inspect().history();
    assertThat(above.overBudget()).isFalse();
    assertThat(above.budgetBytes()).hasValue(bytes + 1);
    // the recorded horizon, and the figures after a prune
    long horizon = seqs.get(seqs.size() / 2);
    db.maintenance().pruneHistory(horizon);
    HistoryInfo pruned = db.inspect().history();
    assertThat(pruned.horizon()).isEqualTo(horizon);
    assertThat(pruned.rows()).isEqualTo(rows().size()).isLessThan(rows.size());
    assertThat(pruned.bytes()).isEqualTo(bytes(rows())).isEqualTo(keptAt(rows, horizon));
  }

  @BackendTest
  void pruneToBudgetPicksTheSmallestHorizonThatFitsAndKeepsLaterViews() throws Exception {
    List<Long> seqs = writeHistory();
    List<String> views = seqs.stream().map(s -> view(db.asOf(s))).toList();
    List<Row> rows = rows();
    long bytes = bytes(rows);
    // at the budget and above it nothing changes
    for (long budget : new long[] {bytes + 1, bytes}) {
      HistoryPruneResult none = budgeted(budget).maintenance().pruneHistoryToBudget();
      assertThat(none).isEqualTo(new HistoryPruneResult(budget, 0, 0, 0, bytes, bytes));
      assertThat(none.pruned()).isFalse();
      assertThat(none.withinBudget()).isTrue();
    }
    assertThat(rows()).isEqualTo(rows);
    // one byte under: the first horizon whose pruning removes a row
    long latest = latest();
    long snapshot = keptAt(rows, latest);
    long budget = (bytes + snapshot) / 2;
    long expected = smallestFitting(rows, budget, 1, latest);
    assertThat(keptAt(rows, expected - 1)).isGreaterThan(budget);
    HistoryPruneResult r = budgeted(budget).maintenance().pruneHistoryToBudget();
    assertThat(r.horizon()).isEqualTo(expected);
    assertThat(r.previousHorizon()).isZero();
    assertThat(r.bytesBefore()).isEqualTo(bytes);
    assertThat(r.bytesAfter()).isEqualTo(keptAt(rows, expected)).isEqualTo(bytes(rows()));
    assertThat(r.withinBudget()).isTrue();
    assertThat(r.pruned()).isTrue();
    assertThat(r.rowsDeleted()).isEqualTo(rows.size() - rows().size()).isPositive();
    for (int i = 0; i < seqs.size(); i++) {
      long seq = seqs.get(i);
      if (seq >= expected) {
        assertThat(view(db.asOf(seq))).as("view as of " + seq).isEqualTo(views.get(i));
      }
    }
    assertInvalid(() -> db.asOf(expected - 1), "before the history horizon, seq " + expected);
    assertThat(db.inspect().history().horizon()).isEqualTo(expected);

    // one byte under the new size: the next horizon that removes something, after the recorded one
    List<Row> left = rows();
    long tighter = bytes(left) - 1;
    long next = smallestFitting(left, tighter, expected + 1, latest);
    HistoryPruneResult again = budgeted(tighter).maintenance().pruneHistoryToBudget();
    assertThat(again.previousHorizon()).isEqualTo(expected);
    assertThat(again.horizon()).isEqualTo(next).isGreaterThan(expected);
    assertThat(again.bytesAfter()).isLessThanOrEqualTo(tighter).isEqualTo(keptAt(left, next));
  }

  /** The smallest horizon from {@code from} to {@code latest} whose pruning keeps the budget. */
  private static long smallestFitting(List<Row> rows, long budget, long from, long latest) {
    for (long h = from; h <= latest; h++) {
      if (keptAt(rows, h) <= budget) {
        return h;
      }
    }
    throw new AssertionError("no horizon fits " + budget + " bytes");
  }

  @BackendTest
  void aStateOverTheBudgetAloneIsRefusedAndNothingChanges() throws Exception {
    writeHistory();
    List<Row> rows = rows();
    long latest = latest();
    long snapshot = keptAt(rows, latest);
    HistoryInfo before = db.inspect().history();
    SwarmDbException refused =
        assertInvalid(
            () -> budgeted(snapshot - 1).maintenance().pruneHistoryToBudget(),
            "history of " + rows.size() + " rows is " + bytes(rows) + " bytes",
            "over its budget of " + (snapshot - 1) + " bytes",
            "even pruning at the latest change, seq " + latest + ", keeps " + snapshot + " bytes",
            "nothing was pruned",
            "to at least " + snapshot + " bytes");
    assertThat(refused.getMessage()).contains("sessions().erase(id)");
    assertThat(db.inspect().history()).isEqualTo(before);
    assertThat(rows()).isEqualTo(rows);
    // at exactly the state's size it fits: pruned at the latest change
    HistoryPruneResult r = budgeted(snapshot).maintenance().pruneHistoryToBudget();
    assertThat(r.horizon()).isEqualTo(smallestFitting(rows, snapshot, 1, latest));
    assertThat(r.bytesAfter()).isEqualTo(snapshot);
  }

  @BackendTest
  void withoutABudgetPruningToItIsRefused() {
    db.memory(Scope.swarm()).put("t", "k", 1);
    assertInvalid(
        () -> db.maintenance().pruneHistoryToBudget(),
        "no history budget is configured",
        "historyBudgetBytes");
    assertThat(db.inspect().history().rows()).isEqualTo(1);
  }

  @BackendTest
  void pruningWhileAWriterWritesKeepsEveryViewFromTheHorizonExact() throws Exception {
    Memory m = db.memory(Scope.swarm());
    m.put("t", "k", -1);
    long oneVersion = db.inspect().history().bytes();
    SwarmDB pruner = budgeted(oneVersion * 20);
    int writes = 300;
    long[] seqOf = new long[writes];
    CountDownLatch writing = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    List<Integer> prunes =
        Concurrently.run(
            2,
            thread -> {
              int n = 0;
              if (thread == 0) {
                try {
                  for (int i = 0; i < writes; i++) {
                    m.put("t", "k", i);
                    seqOf[i] = latest(); // the only writer: the put's seq
                    writing.countDown();
                  }
                } finally {
                  done.set(true);
                  writing.countDown();
                }
              } else {
                writing.await();
                while (!done.get()) {
                  if (pruner.maintenance().pruneHistoryToBudget().pruned()) {
                    n++;
                  }
                }
              }
              return n;
            });
    assertThat(prunes.get(1)).as("prunes that moved the horizon while writes ran").isPositive();
    HistoryPruneResult last = pruner.maintenance().pruneHistoryToBudget();
    assertThat(last.withinBudget()).isTrue();
    long horizon = db.inspect().history().horizon();
    assertThat(horizon).isPositive();
    for (int i = 0; i < writes; i++) {
      int value = i;
      if (seqOf[i] >= horizon) {
        assertThat(db.asOf(seqOf[i]).memory(Scope.swarm()).get("t", "k", Integer.class))
            .as("as of the seq of write " + i)
            .contains(value);
      } else {
        assertInvalid(() -> db.asOf(seqOf[value]), "before the history horizon, seq " + horizon);
      }
    }
  }
}
