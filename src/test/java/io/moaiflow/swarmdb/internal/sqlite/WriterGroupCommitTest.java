package io.moaiflow.swarmdb.internal.sqlite;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.Concurrently;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventTail;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit through the real writer on real SQLite files: acknowledgement, failure isolation,
 * draining on close, seq order and back-pressure. The writer is held with a latch inside a write so
 * that the tests decide exactly which writes share a transaction.
 */
class WriterGroupCommitTest {
  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<SqliteDatabase> open = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    for (SqliteDatabase db : open) {
      db.close();
    }
  }

  private SqliteDatabase open(UnaryOperator<SwarmDbConfig.Builder> tune) {
    SwarmDbConfig.Builder b = SwarmDbConfig.builder(dir.resolve("swarm.db"));
    SqliteDatabase db = SqliteDatabase.open(tune.apply(b).build());
    open.add(db);
    return db;
  }

  private static AgentEvent event(int i) {
    return AgentEvent.of("step", "agent-" + (i % 7), "worker", Map.of("i", i));
  }

  /**
   * Occupies the writer with a write that waits for {@link #release}; returns once the writer is
   * inside it, so everything submitted afterwards queues behind it.
   */
  private static final class Blocker {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<Boolean> done;

    Blocker(SqliteDatabase db) throws InterruptedException {
      done =
          db.writeAsync(
              "blocker",
              h -> {
                entered.countDown();
                try {
                  return release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              });
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    }

    void release() {
      release.countDown();
      assertThat(done.join()).isTrue();
    }
  }

  private static SwarmDbException failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(SwarmDbException.class);
      return (SwarmDbException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void everyAcknowledgedAppendIsReadableWithTheSeqItWasGiven() throws Exception {
    SqliteDatabase db = open(b -> b);
    SqliteEventStore events = new SqliteEventStore(db);
    int threads = 8;
    int perThread = 150;
    List<AgentEvent> acked = new ArrayList<>();
    Concurrently.calls(threads, perThread, (id, i) -> events.append(event(id * perThread + i)))
        .forEach(acked::addAll);

    assertThat(acked).hasSize(threads * perThread);
    assertThat(acked).extracting(AgentEvent::seq).doesNotHaveDuplicates().allMatch(s -> s > 0);
    for (AgentEvent e : acked) {
      AgentEvent read = events.get(e.eventId()).orElseThrow();
      assertThat(read.seq()).isEqualTo(e.seq());
      assertThat(read.sameContent(e)).isTrue();
    }
    // group commit happened: fewer transactions than writes
    assertThat(db.writer.queue.stats().transactions()).isLessThan(db.writer.queue.stats().writes());
  }

  @Test
  void aDatabaseFailureReportsToExactlyTheCallersOfItsTransaction() throws Exception {
    SqliteDatabase db = open(b -> b.maxBatchSize(4));
    SqliteEventStore events = new SqliteEventStore(db);
    events.append(event(0));
    long pages = db.read("pages", h -> h.queryLong("PRAGMA page_count"));

    Blocker blocker = new Blocker(db);
    // Batch 1 (4 writes): three appends, then a write that fills the database (SQLITE_FULL).
    List<CompletableFuture<AgentEvent>> doomed = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      doomed.add(events.appendAsync(event(i)));
    }
    CompletableFuture<Integer> full =
        db.writeAsync(
            "fill the disk",
            h -> {
              h.execute("PRAGMA max_page_count = " + (pages + 2));
              try {
                PreparedStatement ps =
                    h.prepare(
                        "INSERT INTO sessions (session_id, status, started_at) VALUES (?, ?, 0)");
                ps.setString(1, "x".repeat(1 << 20));
                ps.setString(2, "active");
                return ps.executeUpdate();
              } finally {
                h.execute("PRAGMA max_page_count = 1073741823");
              }
            });
    // Batch 2 (4 writes): must commit.
    List<CompletableFuture<AgentEvent>> fine = new ArrayList<>();
    for (int i = 4; i <= 7; i++) {
      fine.add(events.appendAsync(event(i)));
    }
    long txBefore = db.writer.queue.stats().transactions();
    blocker.release();
    CompletableFuture.allOf(fine.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    for (CompletableFuture<?> f : doomed) {
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // checked below
      }
    }

    SwarmDbException fullError = failure(full);
    assertThat(fullError.code()).isEqualTo(ErrorCode.DISK_FULL);
    for (CompletableFuture<AgentEvent> f : doomed) {
      SwarmDbException e = failure(f);
      assertThat(e.code()).isEqualTo(ErrorCode.DISK_FULL);
      assertThat(e.getMessage()).contains("a transaction of 4 writes");
    }
    List<AgentEvent> committed = new ArrayList<>();
    for (CompletableFuture<AgentEvent> f : fine) {
      committed.add(f.join());
    }
    assertThat(events.count()).isEqualTo(1 + 4);
    assertThat(events.since(0, 100))
        .extracting(AgentEvent::eventId)
        .containsExactlyElementsOf(
            concat(List.of(events.since(0, 1).get(0).eventId()), ids(committed)));
    // the blocker's transaction, then batch 2 (batch 1 rolled back)
    assertThat(db.writer.queue.stats().transactions() - txBefore).isEqualTo(2);
  }

  @Test
  void aBadWriteFailsAloneAndTheRestOfItsTransactionCommits() throws Exception {
    SqliteDatabase db = open(b -> b);
    SqliteEventStore events = new SqliteEventStore(db);
    Blocker blocker = new Blocker(db);
    List<CompletableFuture<AgentEvent>> good = new ArrayList<>();
    good.add(events.appendAsync(event(1)));
    good.add(events.appendAsync(event(2)));
    CompletableFuture<Integer> bad =
        db.writeAsync(
            "insert a session in a status the schema forbids",
            h -> {
              PreparedStatement ps =
                  h.prepare(
                      "INSERT INTO sessions (session_id, status, started_at) VALUES (?, ?, 0)");
              ps.setString(1, "s1");
              ps.setString(2, "bogus");
              return ps.executeUpdate();
            });
    CompletableFuture<Integer> ownRule =
        db.writeAsync(
            "a write that rejects its own input late",
            h -> {
              throw new SwarmDbException(ErrorCode.NOT_FOUND, "session s2 does not exist");
            });
    good.add(events.appendAsync(event(3)));
    good.add(events.appendAsync(event(4)));
    long txBefore = db.writer.queue.stats().transactions();
    blocker.release();

    List<AgentEvent> stored = new ArrayList<>();
    for (CompletableFuture<AgentEvent> f : good) {
      stored.add(f.get(30, TimeUnit.SECONDS));
    }
    // each refused write runs again alone after the others' commit, in turn: wait for both (the
    // second may still be running when the first has failed)
    assertThatThrownBy(bad::join).hasCauseInstanceOf(SwarmDbException.class);
    assertThatThrownBy(ownRule::join).hasCauseInstanceOf(SwarmDbException.class);
    assertThat(failure(bad).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(failure(bad).getMessage()).contains("constraint");
    assertThat(failure(ownRule).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(events.since(0, 100)).extracting(AgentEvent::eventId).isEqualTo(ids(stored));
    long sessions = db.read("n", h -> h.queryLong("SELECT count(*) FROM sessions"));
    assertThat(sessions).isZero();
    // the blocker's transaction, then one transaction holding the four good appends
    assertThat(db.writer.queue.stats().transactions() - txBefore).isEqualTo(2);
  }

  @Test
  void closeDrainsEveryQueuedAndAcknowledgedAppend() throws Exception {
    SqliteDatabase db = open(b -> b.maxBatchSize(16));
    SqliteEventStore events = new SqliteEventStore(db);
    List<AgentEvent> acked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      acked.add(events.append(event(i)));
    }
    Blocker blocker = new Blocker(db);
    List<CompletableFuture<AgentEvent>> queued = new ArrayList<>();
    for (int i = 10; i < 300; i++) {
      queued.add(events.appendAsync(event(i)));
    }
    Future<?> closer = pool.submit(db::close);
    // close() has queued its final checkpoint behind the 290 appends
    awaitState(
        "close() is waiting in the queue", () -> db.writer.queue.stats().queueDepth() == 291);
    blocker.release();
    closer.get(60, TimeUnit.SECONDS);
    assertThat(db.isClosed()).isTrue();

    for (CompletableFuture<AgentEvent> f : queued) {
      acked.add(f.get(0, TimeUnit.SECONDS)); // complete, and successfully
    }
    assertFails(ErrorCode.CLOSED, () -> events.append(event(999)));

    SqliteDatabase reopened = open(b -> b);
    SqliteEventStore again = new SqliteEventStore(reopened);
    assertThat(again.count()).isEqualTo(300);
    assertThat(ids(EventTail.readAll(cursor -> again.since(cursor, 100)))).isEqualTo(ids(acked));
  }

  @Test
  void seqOrderFollowsSubmissionFromOneThread() throws Exception {
    SqliteDatabase db = open(b -> b.maxBatchSize(50));
    SqliteEventStore events = new SqliteEventStore(db);
    List<AgentEvent> submitted = new ArrayList<>();
    List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      AgentEvent e = event(i);
      submitted.add(e);
      futures.add(events.appendAsync(e));
    }
    List<Long> seqs = new ArrayList<>();
    for (CompletableFuture<AgentEvent> f : futures) {
      seqs.add(f.get(30, TimeUnit.SECONDS).seq());
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    assertThat(events.since(0, 1_000)).extracting(AgentEvent::eventId).isEqualTo(ids(submitted));
  }

  @Test
  void anAppendAcknowledgedBeforeAnotherStartsHasTheSmallerSeq() throws Exception {
    SqliteDatabase db = open(b -> b);
    SqliteEventStore events = new SqliteEventStore(db);
    int threads = 6;
    int perThread = 100;
    List<List<long[]>> results =
        Concurrently.calls(
            threads,
            perThread,
            (id, i) -> {
              long called = System.nanoTime();
              long seq = events.append(event(id * perThread + i)).seq();
              return new long[] {called, System.nanoTime(), seq};
            });
    List<long[]> calls = new ArrayList<>();
    for (List<long[]> own : results) {
      // one thread's appends commit in the order it made them
      assertThat(own).extracting(c -> c[2]).isSorted();
      calls.addAll(own);
    }
    // across threads: if A returned before B was called, A committed first
    long[][] byReturn = calls.toArray(new long[0][]);
    Arrays.sort(byReturn, Comparator.comparingLong(c -> c[1]));
    long[] returns = new long[byReturn.length];
    long[] maxSeqUpTo = new long[byReturn.length];
    long max = 0;
    for (int i = 0; i < byReturn.length; i++) {
      returns[i] = byReturn[i][1];
      max = Math.max(max, byReturn[i][2]);
      maxSeqUpTo[i] = max;
    }
    for (long[] b : calls) {
      int before = countBelow(returns, b[0]); // calls that returned before b was made
      if (before > 0) {
        assertThat(maxSeqUpTo[before - 1]).isLessThan(b[2]);
      }
    }
  }

  @Test
  void aFullQueueMakesCallersWaitAndThenTimeOut() throws Exception {
    SqliteDatabase db =
        open(b -> b.writeQueueCapacity(2).writeTimeout(Duration.ofMillis(200)).maxBatchSize(2));
    SqliteEventStore events = new SqliteEventStore(db);
    Blocker blocker = new Blocker(db);
    CompletableFuture<AgentEvent> q1 = events.appendAsync(event(1));
    CompletableFuture<AgentEvent> q2 = events.appendAsync(event(2));
    assertThat(db.writer.queue.stats().queueDepth()).isEqualTo(2);

    long start = System.nanoTime();
    assertThat(assertFails(ErrorCode.TIMEOUT, () -> events.append(event(3))).getMessage())
        .contains("timed out after 200 ms")
        .contains("capacity=2")
        .contains("writeQueueCapacity");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    assertFails(ErrorCode.TIMEOUT, () -> events.appendAsync(event(4)));

    blocker.release();
    assertThat(q1.get(30, TimeUnit.SECONDS).seq()).isLessThan(q2.get(30, TimeUnit.SECONDS).seq());
    assertThat(events.count()).isEqualTo(2);
  }

  @Test
  void aFullQueueMakesCallersWaitUntilThereIsRoom() throws Exception {
    SqliteDatabase db = open(b -> b.writeQueueCapacity(1).writeTimeout(Duration.ofMinutes(1)));
    SqliteEventStore events = new SqliteEventStore(db);
    Blocker blocker = new Blocker(db);
    CompletableFuture<AgentEvent> queued = events.appendAsync(event(1));
    CompletableFuture<AgentEvent> waiter = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                waiter.complete(events.append(event(2)));
              } catch (RuntimeException e) {
                waiter.completeExceptionally(e);
              }
            });
    caller.start();
    // blocked in the timed wait for room (a queued caller would wait untimed for its commit)
    awaitState("the caller waits for room", () -> caller.getState() == Thread.State.TIMED_WAITING);
    assertThat(db.writer.queue.stats().queueDepth()).isEqualTo(1);
    assertThat(waiter).isNotDone();

    blocker.release();
    AgentEvent second = waiter.get(30, TimeUnit.SECONDS);
    caller.join();
    assertThat(second.seq()).isGreaterThan(queued.get(30, TimeUnit.SECONDS).seq());
    assertThat(events.count()).isEqualTo(2);
  }

  /**
   * The writer reads the WAL's size only every few changed rows (threshold / 64 KiB: 16 at 1 MiB),
   * not after every commit, yet still truncates it once past the threshold: 300 lone appends of
   * about 8 KB each write well over 2 MiB of WAL, which never reaches twice the threshold.
   */
  @Test
  void theWalIsTruncatedPastTheThresholdThoughItsSizeIsNotReadAfterEveryCommit() throws Exception {
    long threshold = 1 << 20;
    SqliteDatabase db = open(b -> b.walCheckpointThresholdBytes(threshold));
    SqliteEventStore events = new SqliteEventStore(db);
    Path wal = dir.resolve("swarm.db-wal");
    long max = 0;
    int truncations = 0;
    long last = 0;
    for (int i = 0; i < 300; i++) {
      events.append(AgentEvent.of("step", "a", null, Map.of("pad", "x".repeat(8_000), "i", i)));
      long size = java.nio.file.Files.size(wal); // the lone caller's commit ran its checkpoint
      truncations += size < last ? 1 : 0;
      max = Math.max(max, size);
      last = size;
    }
    assertThat(max).as("the WAL passed the threshold").isGreaterThan(threshold);
    assertThat(max).as("and was truncated soon after").isLessThan(2 * threshold);
    assertThat(truncations).isPositive();
    assertThat(events.count()).isEqualTo(300);
  }

  private static List<String> ids(List<AgentEvent> events) {
    List<String> out = new ArrayList<>();
    for (AgentEvent e : events) {
      out.add(e.eventId());
    }
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Spins (no sleeping) until the condition holds; fails after 30 s. */
  private static void awaitState(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
    }
  }

  /** The number of entries of the sorted array strictly less than the key. */
  private static int countBelow(long[] sorted, long key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
