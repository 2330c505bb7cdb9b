package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit at the library level: many writers, one writer thread, one transaction per batch.
 */
class GroupCommitTest {
  static final int THREADS = 16;
  static final int PER_THREAD = 150;

  @TempDir Path dir;

  @Test
  void concurrentAppendsAreAllDurableAndOrdered() throws Exception {
    Path file = dir.resolve("gc.db");
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    try (SwarmDB db = SwarmDB.open(file)) {
      db.addListener(
          new SwarmDbListener() {
            @Override
            public void onCommit(int writes, long nanos) {
              batchSizes.add(writes);
            }
          });
      List<List<AgentEvent>> results =
          Concurrently.calls(
              THREADS,
              PER_THREAD,
              (t, i) ->
                  db.events().append(AgentEvent.of("run", "agent-" + t, null, Map.of("i", i))));
      List<AgentEvent> acknowledged = new ArrayList<>();
      for (List<AgentEvent> mine : results) {
        // each thread's appends commit in the order it made them
        assertThat(mine).extracting(AgentEvent::seq).isSorted().doesNotHaveDuplicates();
        assertThat(mine)
            .extracting(e -> e.metadata().get("i"))
            .containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, PER_THREAD).boxed().toList());
        acknowledged.addAll(mine);
      }
      int total = THREADS * PER_THREAD;
      Set<Long> seqs = new HashSet<>();
      for (AgentEvent e : acknowledged) {
        assertThat(seqs.add(e.seq())).isTrue();
        assertThat(db.events().get(e.eventId())).contains(e);
      }
      List<AgentEvent> tail = new ArrayList<>();
      long cursor = 0;
      for (List<AgentEvent> page = db.events().since(cursor, 1000);
          !page.isEmpty();
          page = db.events().since(cursor, 1000)) {
        tail.addAll(page);
        cursor = page.get(page.size() - 1).seq();
      }
      assertThat(tail).hasSize(total);
      assertThat(tail).extracting(AgentEvent::seq).isSorted().doesNotHaveDuplicates();
      assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
      assertThat(db.inspect().writerStats().writes()).isEqualTo(total);
    }
    try (SwarmDB again = SwarmDB.open(file)) {
      assertThat(again.events().count()).isEqualTo(THREADS * PER_THREAD);
    }
  }

  /** Holds the writer thread inside its first commit callback until released. */
  static final class WriterGate implements SwarmDbListener {
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Integer> commits = new CopyOnWriteArrayList<>();

    @Override
    public void onCommit(int writes, long nanos) {
      commits.add(writes);
      if (held.getCount() > 0) {
        held.countDown();
        OpeningTest.await(release);
      }
    }
  }

  @Test
  void aFailingWriteInABatchFailsAloneAndTheRestCommitTogether() throws Exception {
    Path file = dir.resolve("gc.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.sessions().start("s");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE TRIGGER reject_boom BEFORE INSERT ON agent_events WHEN NEW.event_type = 'boom'"
                + " BEGIN SELECT RAISE(ABORT, 'boom rejected'); END");
      }
      WriterGate gate = new WriterGate();
      db.addListener(gate);
      db.events().appendAsync(AgentEvent.of("run", "blocker", null, Map.of()));
      assertThat(gate.held.await(30, TimeUnit.SECONDS)).isTrue();

      // queued behind the held writer, in this order: 50 appends, three bad writes, 50 appends
      List<CompletableFuture<AgentEvent>> good = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        good.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("i", i))));
      }
      CompletableFuture<AgentEvent> boom =
          db.events().appendAsync(AgentEvent.of("boom", "a", null, Map.of()));
      int depth = db.inspect().writerStats().queueDepth();
      ExecutorService side = Executors.newFixedThreadPool(2);
      Future<Agent> ghost = side.submit(() -> db.agents().transition("ghost", AgentStatus.RUNNING));
      awaitQueueDepth(db, depth + 1);
      Future<MemoryEntry> noSession =
          side.submit(() -> db.sessions().memory("nope").put("semantic", "k", 1));
      awaitQueueDepth(db, depth + 2);
      for (int i = 50; i < 100; i++) {
        good.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("i", i))));
      }
      gate.release.countDown();

      for (CompletableFuture<AgentEvent> f : good) {
        assertThat(f.get(60, TimeUnit.SECONDS).isStored()).isTrue();
      }
      ExecutionException boomFailure =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              ExecutionException.class, () -> boom.get(60, TimeUnit.SECONDS));
      assertThat(boomFailure.getCause()).isInstanceOf(SwarmDbException.class);
      assertThat(((SwarmDbException) boomFailure.getCause()).code())
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(boomFailure.getCause().getMessage()).contains("boom rejected");
      assertFails(ErrorCode.NOT_FOUND, () -> unwrap(ghost));
      assertFails(ErrorCode.NOT_FOUND, () -> unwrap(noSession));
      side.shutdown();

      // the 100 good writes were replayed without the bad ones and committed as one transaction
      assertThat(gate.commits).contains(100);
      assertThat(db.events().count()).isEqualTo(101);
      assertThat(db.events().count(EventQuery.type("boom"))).isZero();
      assertThat(db.inspect().writerStats().failures()).isEqualTo(3);
    }
  }

  static void awaitQueueDepth(SwarmDB db, int depth) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (db.inspect().writerStats().queueDepth() < depth) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("queue never reached depth " + depth);
      }
      Thread.onSpinWait();
    }
  }

  static <T> T unwrap(Future<T> f) throws Exception {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SwarmDbException s) {
        throw s;
      }
      throw e;
    }
  }

  @Test
  void aFullQueueTimesOutNamingTheCapacity() throws Exception {
    SwarmDbConfig config =
        SwarmDbConfig.builder(dir.resolve("q.db"))
            .writeQueueCapacity(2)
            .writeTimeout(java.time.Duration.ofMillis(50))
            .build();
    try (SwarmDB db = SwarmDB.open(config)) {
      WriterGate gate = new WriterGate();
      db.addListener(gate);
      db.events().appendAsync(AgentEvent.of("run", "blocker", null, Map.of()));
      assertThat(gate.held.await(30, TimeUnit.SECONDS)).isTrue();
      var a = db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of()));
      var b = db.events().appendAsync(AgentEvent.of("run", "b", null, Map.of()));
      SwarmDbException e =
          assertFails(
              ErrorCode.TIMEOUT,
              () -> db.events().appendAsync(AgentEvent.of("run", "c", null, Map.of())));
      assertThat(e.getMessage()).contains("depth=2", "capacity=2", "writeQueueCapacity");
      gate.release.countDown();
      a.get(30, TimeUnit.SECONDS);
      b.get(30, TimeUnit.SECONDS);
      assertThat(db.events().count()).isEqualTo(3);
    }
  }

  /**
   * A lone synchronous caller commits on its own thread (no hand-off to the writer thread and
   * back), and never overtakes writes it queued before: 1,000 appendAsync calls then one append
   * from the same thread, the append's seq is after every async one. Repeated 20 times.
   */
  @Test
  void aLoneCallerCommitsOnItsOwnThreadWithoutOvertakingQueuedWrites() throws Exception {
    try (SwarmDB db = SwarmDB.open(dir.resolve("idle.db"))) {
      List<String> committers = new CopyOnWriteArrayList<>();
      db.addListener(
          new SwarmDbListener() {
            @Override
            public void onCommit(int writes, long nanos) {
              committers.add(Thread.currentThread().getName());
            }
          });
      for (int i = 0; i < 200; i++) {
        db.events().append(AgentEvent.of("run", "agent-1", null, Map.of("i", i)));
      }
      assertThat(committers).hasSize(200);
      // after the first (the initial state), every lone synchronous append commits on this thread
      assertThat(committers.subList(1, 200)).containsOnly(Thread.currentThread().getName());
      for (int round = 0; round < 20; round++) {
        List<CompletableFuture<AgentEvent>> queued = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          queued.add(db.events().appendAsync(AgentEvent.of("async", "agent-1", null, Map.of())));
        }
        AgentEvent last = db.events().append(AgentEvent.of("sync", "agent-1", null, Map.of()));
        for (CompletableFuture<AgentEvent> f : queued) {
          assertThat(f.get().seq()).as("round %d", round).isLessThan(last.seq());
        }
      }
    }
  }
}
