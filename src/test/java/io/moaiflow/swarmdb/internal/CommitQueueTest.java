package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.CommitQueue.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue both backends commit through, with a committer of strings: the fallback for each kind
 * of failure, the drain on close, and the one wording of CLOSED, TIMEOUT and INTERRUPTED. The first
 * write ("hold") blocks its transaction until {@link #release}, so the tests decide what queues.
 */
class CommitQueueTest {
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<List<String>> transactions = new CopyOnWriteArrayList<>();
  private final List<CommitQueue<String>> open = new ArrayList<>();
  private int retriesLeft;

  @AfterEach
  void tearDown() {
    release.countDown();
    open.forEach(CommitQueue::close);
  }

  /** Upper-cases each write; "bad" is at fault (named or not), "disk" fails the transaction. */
  private CommitQueue<String> queue(boolean named, int capacity, long timeoutMillis) {
    CommitQueue<String> q =
        new CommitQueue<>(
            "test-committer",
            "db",
            (batch, results) -> {
              List<String> works = new ArrayList<>();
              batch.forEach(t -> works.add(t.work()));
              transactions.add(works);
              for (int i = 0; i < batch.size(); i++) {
                String w = batch.get(i).work();
                if (w.equals("hold")) {
                  held.countDown();
                  await(release);
                }
                if (w.equals("disk") || (w.equals("busy") && retriesLeft-- > 0)) {
                  SwarmDbException e = new SwarmDbException(ErrorCode.DISK_FULL, "disk full");
                  return new Failure(Failure.ALL, e, w.equals("busy"));
                }
                if (w.equals("dup") && works.subList(0, i).contains("a")) {
                  // refused only because of an earlier write of its own batch
                  SwarmDbException e = new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "dup");
                  return new Failure(i, e, false);
                }
                if (w.equals("bad")) {
                  SwarmDbException e = new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "bad");
                  return new Failure(named ? i : Failure.UNKNOWN, e, false);
                }
                results[i] = w.toUpperCase(java.util.Locale.ROOT);
              }
              return null;
            },
            new Listeners(),
            new SwarmDbConfig.WriteQueue(
                100, Duration.ZERO, capacity, Duration.ofMillis(timeoutMillis), 4096),
            false);
    q.start();
    open.add(q);
    return q;
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private CompletableFuture<Object> hold(CommitQueue<String> q) {
    CompletableFuture<Object> f = q.submit("hold", "hold", false);
    await(held);
    return f;
  }

  private static SwarmDbException failure(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (CompletionException e) {
      return (SwarmDbException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  /** Queues the works behind a held transaction, then releases it. */
  private List<CompletableFuture<Object>> behindHold(CommitQueue<String> q, String... works) {
    CompletableFuture<Object> blocker = hold(q);
    List<CompletableFuture<Object>> out = new ArrayList<>();
    for (String w : works) {
      out.add(q.submit(w, w, false));
    }
    release.countDown();
    assertThat(blocker.join()).isEqualTo("HOLD");
    return out;
  }

  private static SwarmDbException thrown(Runnable call) {
    try {
      call.run();
    } catch (SwarmDbException e) {
      return e;
    }
    throw new AssertionError("expected a SwarmDbException");
  }

  @Test
  void workThatMustRunAloneIsByDefaultATransactionOfItsOwn() {
    CommitQueue<String> q = queue(true, 10, 1_000);
    assertThat(q.submit("alone", "x", true).join()).isEqualTo("X");
    assertThat(failure(q.submit("alone", "bad", true)).getMessage()).isEqualTo("bad");
    assertThat(transactions).containsExactly(List.of("x"), List.of("bad"));
  }

  @Test
  void aNamedCulpritIsDroppedAndTheRestCommitInOneTransaction() {
    CommitQueue<String> q = queue(true, 10, 1_000);
    List<CompletableFuture<Object>> f = behindHold(q, "a", "bad", "b");
    assertThat(f.get(0).join()).isEqualTo("A");
    assertThat(failure(f.get(1)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(f.get(2).join()).isEqualTo("B");
    assertThat(transactions)
        .containsExactly(
            List.of("hold"), List.of("a", "bad", "b"), List.of("a", "b"), List.of("bad"));
    assertThat(q.stats().transactions()).isEqualTo(2);
    assertThat(q.stats().writes()).isEqualTo(3);
    assertThat(q.stats().failures()).isOne();
  }

  @Test
  void aCulpritIsAnsweredOnlyAfterTheOthersCommitAndByItselfAlone() {
    CommitQueue<String> q = queue(true, 10, 1_000);
    List<String> completed = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Object>> f = new ArrayList<>();
    CompletableFuture<Object> blocker = hold(q); // nothing below completes before the release
    for (String w : List.of("a", "dup", "disk")) {
      CompletableFuture<Object> one = q.submit(w, w, false);
      one.whenComplete((r, e) -> completed.add(w));
      f.add(one);
    }
    release.countDown();
    blocker.join();
    // "dup" was refused because of "a", whose transaction then failed on "disk": alone, it commits
    assertThat(failure(f.get(0)).code()).isEqualTo(ErrorCode.DISK_FULL);
    assertThat(f.get(1).join()).isEqualTo("DUP");
    assertThat(failure(f.get(2)).code()).isEqualTo(ErrorCode.DISK_FULL);
    assertThat(completed).containsExactly("a", "disk", "dup");
    assertThat(transactions.subList(transactions.size() - 3, transactions.size()))
        .containsExactly(List.of("a", "dup", "disk"), List.of("a", "disk"), List.of("dup"));
  }

  @Test
  void anUnknownCulpritRetriesEachWriteAlone() {
    List<CompletableFuture<Object>> f = behindHold(queue(false, 10, 1_000), "a", "bad", "b");
    assertThat(f.get(0).join()).isEqualTo("A");
    assertThat(failure(f.get(1)).getMessage()).isEqualTo("bad");
    assertThat(f.get(2).join()).isEqualTo("B");
    assertThat(transactions.subList(1, transactions.size()))
        .containsExactly(List.of("a", "bad", "b"), List.of("a"), List.of("bad"), List.of("b"));
  }

  @Test
  void aDatabaseFailureFailsEveryWriteOfItsTransactionAndIsRecorded() {
    CommitQueue<String> q = queue(true, 10, 1_000);
    List<CompletableFuture<Object>> f = behindHold(q, "a", "disk", "b");
    for (CompletableFuture<Object> each : f) {
      assertThat(failure(each).code()).isEqualTo(ErrorCode.DISK_FULL);
    }
    assertThat(q.stats().failures()).isEqualTo(3);
    assertThat(q.recentFailures().recent()).containsEntry(ErrorCode.DISK_FULL, 1L);
  }

  @Test
  void aTransientFailureRetriesTheWholeTransactionUpToFiveTimes() {
    CommitQueue<String> q = queue(true, 10, 1_000);
    retriesLeft = 2;
    assertThat(q.<String>call("busy", "busy", false)).isEqualTo("BUSY");
    assertThat(q.stats().busyRetries()).isEqualTo(2);
    retriesLeft = 6;
    assertThat(thrown(() -> q.call("busy", "busy", false)).code()).isEqualTo(ErrorCode.DISK_FULL);
    assertThat(q.stats().busyRetries()).isEqualTo(7);
  }

  @Test
  void closeCommitsEverythingQueuedThenRefusesWithTheOneClosedWording() throws Exception {
    CommitQueue<String> q = queue(true, 10, 1_000);
    hold(q);
    List<CompletableFuture<Object>> f =
        List.of(q.submit("a", "a", false), q.submit("b", "b", false));
    Thread closer = new Thread(q::close);
    closer.start();
    while (closer.getState() != Thread.State.WAITING) {
      Thread.onSpinWait(); // close() waits for the committing thread
    }
    release.countDown();
    closer.join();
    assertThat(f.get(0).join()).isEqualTo("A");
    assertThat(f.get(1).join()).isEqualTo("B");
    SwarmDbException e = thrown(() -> q.submit("events.append", "c", false));
    assertThat(e.code()).isEqualTo(ErrorCode.CLOSED);
    assertThat(e.getMessage())
        .isEqualTo("events.append failed: the database db is closed; open it again")
        .isEqualTo(new OpenState("db", 1, 1).closedError("events.append").getMessage());
  }

  @Test
  void aFullQueueTimesOutWithLiveCounts() {
    CommitQueue<String> q = queue(true, 1, 50);
    hold(q);
    q.submit("a", "a", false);
    SwarmDbException e = thrown(() -> q.submit("events.append", "b", false));
    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(e.getMessage())
        .isEqualTo(
            "events.append timed out after 50 ms waiting for room in the write queue"
                + " (depth=1, capacity=1, committed=0); the writer is saturated: slow down, batch"
                + " with appendAll, or raise writeQueueCapacity/writeTimeout");
  }

  @Test
  void aCallerInterruptedWhileWaitingForItsCommitIsToldItMayStillCommit() throws Exception {
    CommitQueue<String> q = queue(true, 10, 1_000);
    hold(q);
    CompletableFuture<SwarmDbException> seen = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                q.call("events.append", "a", false);
              } catch (SwarmDbException e) {
                seen.complete(Thread.currentThread().isInterrupted() ? e : null);
              }
            });
    caller.start();
    while (q.stats().queueDepth() == 0) {
      Thread.onSpinWait();
    }
    caller.interrupt();
    SwarmDbException e = seen.get(30, TimeUnit.SECONDS);
    assertThat(e).as("the interrupt flag is kept").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED);
    assertThat(e.getMessage())
        .isEqualTo(
            "events.append was interrupted while waiting for its commit; the write may still"
                + " commit (depth=1, capacity=10, committed=0)");
  }
}
