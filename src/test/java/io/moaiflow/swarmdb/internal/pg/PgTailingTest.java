package io.moaiflow.swarmdb.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Tailing across hosts: {@code since(seq)} never skips a committed row. */
class PgTailingTest {

  private static List<Long> seqs(Statement st, String sql) throws Exception {
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /**
   * Why the lock exists: with free-running identity values a tailer can read seq 2, move its
   * cursor, and never see seq 1, which commits later.
   */
  @Test
  void withoutTheLockALowerSeqCanCommitAfterAHigherOneIsRead() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        Connection slow = schema.connect();
        Connection fast = schema.connect();
        Connection tailer = schema.connect();
        Statement tail = tailer.createStatement()) {
      try (Statement st = fast.createStatement()) {
        st.execute("CREATE TABLE demo (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY)");
      }
      slow.setAutoCommit(false);
      try (Statement st = slow.createStatement()) {
        st.execute("INSERT INTO demo DEFAULT VALUES"); // takes seq 1, not committed
      }
      try (Statement st = fast.createStatement()) {
        st.execute("INSERT INTO demo DEFAULT VALUES"); // takes seq 2, commits
      }
      assertThat(seqs(tail, "SELECT seq FROM demo WHERE seq > 0 ORDER BY seq")).containsExactly(2L);
      slow.commit();
      assertThat(seqs(tail, "SELECT seq FROM demo WHERE seq > 2 ORDER BY seq")).isEmpty();
      assertThat(seqs(tail, "SELECT seq FROM demo ORDER BY seq")).containsExactly(1L, 2L);
    }
  }

  /**
   * An append in flight on another host holds the append lock: a later append waits for it, so it
   * cannot commit a higher seq first, and a tailer sees both in seq order.
   */
  @Test
  void anInFlightAppendHoldsBackLaterAppendsUntilItCommits() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB db = PgSwarm.open(schema);
        Connection otherHost = schema.connect();
        Connection observer = schema.connect()) {
      otherHost.setAutoCommit(false);
      long held;
      try (Statement st = otherHost.createStatement()) {
        st.execute(PgEventStore.LOCK_SQL);
        try (ResultSet rs =
            st.executeQuery(
                "INSERT INTO agent_events (event_id, event_type, agent_id, ts)"
                    + " VALUES ('held', 'spawn', 'h', 1) RETURNING seq")) {
          rs.next();
          held = rs.getLong(1);
        }
      }
      Future<AgentEvent> later =
          pool.submit(() -> db.events().append(AgentEvent.of("run", "b", null, Map.of())));
      PgLocks.awaitWaiters(observer, PgEventStore.APPEND_LOCK, 1);
      assertThat(later.isDone()).isFalse();
      assertThat(db.events().since(0, 10)).isEmpty();
      otherHost.commit();
      AgentEvent appended = later.get(60, TimeUnit.SECONDS);
      assertThat(appended.seq()).isGreaterThan(held);
      assertThat(db.events().since(0, 10))
          .extracting(AgentEvent::eventId)
          .containsExactly("held", appended.eventId());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Two writer hosts (separate pools) commit concurrently from several threads while a tailer on a
   * third host follows {@code since(cursor)}. Every row in the table must reach the tailer, in
   * strictly increasing seq order: a skipped row would be missing from what it saw.
   */
  @Test
  void tailersOnAnotherHostNeverSkipUnderConcurrentCommits() throws Exception {
    int threadsPerHost = 3;
    int perThread = 120;
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB hostA = PgSwarm.open(schema);
        SwarmDB hostB = PgSwarm.open(schema);
        SwarmDB tailHost = PgSwarm.open(schema)) {
      int writers = threadsPerHost * 2;
      ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
      CyclicBarrier start = new CyclicBarrier(writers + 1);
      AtomicBoolean writing = new AtomicBoolean(true);
      try {
        List<Future<Integer>> writes = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
          SwarmDB host = t % 2 == 0 ? hostA : hostB;
          int thread = t;
          writes.add(
              pool.submit(
                  () -> {
                    start.await();
                    int acked = 0;
                    for (int i = 0; i < perThread; ) {
                      if (i % 10 == 9) {
                        List<AgentEvent> batch = new ArrayList<>();
                        for (int k = 0; k < 3; k++) {
                          batch.add(AgentEvent.of("run", "w" + thread, null, Map.of("i", i + k)));
                        }
                        acked += host.events().appendAll(batch).size();
                        i += 3;
                      } else {
                        host.events().append(AgentEvent.of("run", "w" + thread, null, Map.of()));
                        acked++;
                        i++;
                      }
                    }
                    return acked;
                  }));
        }
        CompletableFuture<List<AgentEvent>> tail = new CompletableFuture<>();
        pool.submit(
            () -> {
              List<AgentEvent> seen = new ArrayList<>();
              long cursor = 0;
              try {
                start.await();
                boolean drained = false;
                while (!drained) {
                  boolean finalPass = !writing.get();
                  List<AgentEvent> next = tailHost.events().since(cursor, 50);
                  seen.addAll(next);
                  if (!next.isEmpty()) {
                    cursor = next.get(next.size() - 1).seq();
                  }
                  drained = finalPass && next.isEmpty();
                }
                tail.complete(seen);
              } catch (Throwable e) {
                tail.completeExceptionally(e);
              }
              return null;
            });
        int acknowledged = 0;
        for (Future<Integer> f : writes) {
          acknowledged += f.get(300, TimeUnit.SECONDS);
        }
        writing.set(false);
        List<AgentEvent> seen = tail.get(300, TimeUnit.SECONDS);

        assertThat(acknowledged).isGreaterThanOrEqualTo(writers * perThread);
        for (int i = 1; i < seen.size(); i++) {
          assertThat(seen.get(i).seq()).isGreaterThan(seen.get(i - 1).seq());
        }
        Set<String> all = new HashSet<>();
        try (Connection c = schema.connect();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT event_id FROM agent_events")) {
          while (rs.next()) {
            all.add(rs.getString(1));
          }
        }
        assertThat(all).hasSize(acknowledged);
        Set<String> seenIds = new HashSet<>();
        for (AgentEvent e : seen) {
          seenIds.add(e.eventId());
        }
        assertThat(seenIds).hasSize(seen.size()).isEqualTo(all);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
