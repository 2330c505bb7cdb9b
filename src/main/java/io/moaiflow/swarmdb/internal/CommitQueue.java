package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.WriterStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one backend: writes wait in a bounded queue; one thread takes the first and
 * every write queued behind it (up to {@code maxBatchSize}) and hands them to the backend's {@link
 * Committer} as one transaction. A write's future completes only after that transaction has
 * committed.
 *
 * <p>The queue owns what both backends share: the offer timeout; the CLOSED, TIMEOUT and
 * INTERRUPTED errors, built here with live counts; the drain on close (every write queued before
 * {@link #close()} commits, later ones are refused with CLOSED); the counters; and the fallback
 * when a transaction fails. The committer names the write at fault (it is dropped, the rest
 * replayed, and then it runs again alone, so its answer is judged against committed data only and
 * reaches its caller after the others' commit), or says the database failed the whole transaction
 * (every write of it gets the error), or cannot tell (each write is retried alone), so one bad
 * write fails only its own caller.
 *
 * <p>A queue that {@code waits} (SQLite, whose commit takes about 100 µs) has three latency paths.
 * It waits {@code maxBatchWait} for a batch to fill. Without one, when fewer writes are queued than
 * shared the last transaction, it waits up to 50 µs (about one commit) for the rest: their callers
 * are most likely between their previous commit and their next write. And, also without one, a
 * synchronous caller that finds the queue idle (nothing queued or in hand, and the last transaction
 * carried a single write) runs its write on its own thread under the same lock, saving two thread
 * hand-offs; it never overtakes a write submitted before it.
 *
 * <p>Thread safe: any thread may submit.
 *
 * @param <W> the work a write carries, which the committer runs
 */
public final class CommitQueue<W> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommitQueue.class);
  private static final int MAX_RETRIES = 5;
  private static final long FILL_NANOS = 50_000;

  /** What a backend supplies; called on one thread at a time, holding the commit lock. */
  public interface Committer<W> {
    /**
     * Runs the writes in one transaction, putting each one's result in {@code results} by index.
     * Returns null once committed, else why the transaction was rolled back.
     */
    @Nullable Failure commit(List<Task<W>> batch, @Nullable Object[] results);

    /**
     * Runs work that must run alone and returns its result, or throws its SwarmDbException. By
     * default a transaction of its own; SQLite's writer overrides it to run outside any transaction
     * (VACUUM, checkpoints, migrations).
     */
    default @Nullable Object runAlone(Task<W> task) {
      @Nullable Object[] result = new Object[1];
      Failure failure = commit(List.of(task), result);
      if (failure != null) {
        throw failure.error();
      }
      return result[0];
    }

    /** After a commit is counted, before its callers are released. */
    default void committed(int writes, long nanos) {}

    /** After a commit's callers are released. */
    default void afterCommit() {}

    /** Once the queue is closed and drained. */
    default void closed() {}
  }

  /**
   * Why a transaction was rolled back: {@code culprit} is the index of the write at fault (dropped,
   * the rest replayed), {@link #ALL} (every write gets {@code error}) or {@link #UNKNOWN} (each
   * write is retried alone); {@code retry} runs the whole transaction again (a transient conflict),
   * at most five times.
   */
  public record Failure(int culprit, SwarmDbException error, boolean retry) {
    public static final int ALL = -1;
    public static final int UNKNOWN = -2;
  }

  /** One queued write and the future its caller waits on. */
  public static final class Task<W> {
    public final String op;
    private final @Nullable W work; // null only in the close marker
    final boolean alone;
    final CompletableFuture<@Nullable Object> future = new CompletableFuture<>();

    Task(String op, @Nullable W work, boolean alone) {
      this.op = op;
      this.work = work;
      this.alone = alone;
    }

    public W work() {
      return Objects.requireNonNull(work);
    }
  }

  private final String label;
  private final Committer<W> committer;
  private final Listeners listeners;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final boolean waits;
  private final long offerTimeoutNanos;
  private final ArrayBlockingQueue<Task<W>> queue;
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  // held by whichever thread commits: the queue's thread or an idle-path caller
  private final ReentrantLock commitLock = new ReentrantLock();
  // writes submitted and not yet started (queued, carried, or taken but waiting for the lock)
  private final AtomicInteger pending = new AtomicInteger();
  private volatile int lastBatchSize = 1;
  private final Thread thread;
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final WriteFailures recentFailures = new WriteFailures();
  private final Task<W> poison = new Task<>("close", null, true); // the close marker
  private @Nullable Task<W> carried;
  private boolean closed; // guarded by gate

  /** A queue whose thread runs from {@link #start()}; see the class description for waits. */
  public CommitQueue(
      String threadName,
      String label,
      Committer<W> committer,
      Listeners listeners,
      SwarmDbConfig.WriteQueue settings,
      boolean waits) {
    this.label = label;
    this.committer = committer;
    this.listeners = listeners;
    this.maxBatch = settings.maxBatchSize();
    this.maxWaitNanos = waits ? settings.maxBatchWait().toNanos() : 0;
    this.waits = waits;
    this.offerTimeoutNanos = settings.timeout().toNanos();
    this.queue = new ArrayBlockingQueue<>(settings.capacity());
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Queues a write, waiting up to the write timeout for room; {@code alone} for work that must run
   * by itself outside a transaction (VACUUM, checkpoints).
   */
  @SuppressWarnings("unchecked")
  <T> CompletableFuture<T> submit(String op, W work, boolean alone) {
    Task<W> task = new Task<>(op, work, alone);
    gate.readLock().lock();
    try {
      if (closed) {
        throw closedError(op, label);
      }
      pending.incrementAndGet();
      if (!queue.offer(task, offerTimeoutNanos, TimeUnit.NANOSECONDS)) {
        pending.decrementAndGet();
        throw new SwarmDbException(
            ErrorCode.TIMEOUT,
            op
                + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(offerTimeoutNanos)
                + " ms waiting for room in the write queue "
                + counts()
                + "; the writer is saturated: slow down, batch with appendAll, or raise"
                + " writeQueueCapacity/writeTimeout");
      }
    } catch (InterruptedException e) {
      pending.decrementAndGet();
      throw interrupted(op, "room in the write queue; nothing was written", e);
    } finally {
      gate.readLock().unlock();
    }
    return (CompletableFuture<T>) (CompletableFuture<?>) task.future;
  }

  /** Queues a transactional write, reported to the listeners when its future completes. */
  public <T> CompletableFuture<T> submitObserved(String op, W work) {
    if (!listeners.active()) {
      return submit(op, work, false);
    }
    long start = System.nanoTime();
    CompletableFuture<T> f = submit(op, work, false);
    return f.whenComplete(
        (v, e) ->
            listeners.onOperation(
                op,
                System.nanoTime() - start,
                e == null
                    ? null
                    : e instanceof SwarmDbException s ? s.code() : ErrorCode.DATABASE_ERROR));
  }

  /**
   * Runs a write and waits for its commit, on the caller's thread when the queue is idle; {@code T}
   * is the type the committer puts in the write's result (unchecked, as a future's would be).
   */
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <T> T call(String op, W work, boolean alone) {
    Task<W> direct = waits && maxWaitNanos <= 0 ? runIfIdle(op, work, alone) : null;
    return (T) await(op, direct != null ? direct.future : submit(op, work, alone));
  }

  private @Nullable Task<W> runIfIdle(String op, W work, boolean alone) {
    if (pending.get() != 0
        || lastBatchSize != 1
        || Thread.currentThread() == thread
        || commitLock.isHeldByCurrentThread()
        || !commitLock.tryLock()) {
      return null;
    }
    try {
      // re-checked under the lock: a write queued (or taken by the thread) before this one must
      // commit first
      if (pending.get() != 0 || !gate.readLock().tryLock()) {
        return null;
      }
      try {
        if (closed) {
          return null; // submit reports CLOSED
        }
        Task<W> task = new Task<>(op, work, alone);
        if (alone) {
          runAlone(task);
        } else {
          List<Task<W>> batch = new ArrayList<>(1);
          batch.add(task);
          commit(batch);
        }
        return task;
      } finally {
        gate.readLock().unlock();
      }
    } finally {
      commitLock.unlock();
    }
  }

  /** Waits for a write's commit, rethrowing its failure on the caller's stack. */
  private Object await(String op, CompletableFuture<?> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      throw interrupted(op, "its commit; the write may still commit", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SwarmDbException s) {
        Throwable root = s.getCause() == null ? s : s.getCause();
        throw new SwarmDbException(
            s.code(), String.valueOf(s.getMessage()), root, s.sqliteResultCode());
      }
      throw new SwarmDbException(ErrorCode.DATABASE_ERROR, op + " failed: " + cause, cause);
    }
  }

  private SwarmDbException interrupted(String op, String waitingFor, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new SwarmDbException(
        ErrorCode.INTERRUPTED,
        op + " was interrupted while waiting for " + waitingFor + " " + counts(),
        e);
  }

  private String counts() {
    return String.format(
        Locale.ROOT,
        "(depth=%d, capacity=%d, committed=%d)",
        queue.size(),
        queue.size() + queue.remainingCapacity(),
        transactions.get());
  }

  static SwarmDbException closedError(String op, String label) {
    return new SwarmDbException(
        ErrorCode.CLOSED, op + " failed: the database " + label + " is closed; open it again");
  }

  /** A SwarmDbException as it is; anything else logged and wrapped as DATABASE_ERROR. */
  public static SwarmDbException unexpected(String op, Throwable failure) {
    if (failure instanceof SwarmDbException e) {
      return e;
    }
    LOG.error("{} failed with an unexpected exception", op, failure);
    return new SwarmDbException(
        ErrorCode.DATABASE_ERROR, op + " failed unexpectedly: " + failure, failure);
  }

  public WriterStats stats() {
    return new WriterStats(
        queue.size(),
        queue.size() + queue.remainingCapacity(),
        transactions.get(),
        writes.get(),
        retries.get(),
        failures.get());
  }

  public WriteFailures recentFailures() {
    return recentFailures;
  }

  /**
   * Refuses new writes, commits every queued one, stops the thread, then runs {@link
   * Committer#closed()}. Idempotent.
   */
  @Override
  public void close() {
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      gate.writeLock().unlock();
    }
    try {
      if (thread.isAlive()) {
        queue.put(poison); // no submit gets past the gate now: the marker is last
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      commitLock.lock();
      try {
        committer.closed();
      } finally {
        commitLock.unlock();
      }
    }
  }

  private void run() {
    List<Task<W>> batch = new ArrayList<>();
    while (true) {
      Task<W> first;
      try {
        first = next();
      } catch (InterruptedException e) {
        continue; // nobody interrupts the thread; keep draining
      }
      if (first == poison) {
        return;
      }
      commitLock.lock();
      try {
        pending.decrementAndGet();
        if (first.alone) {
          runAlone(first);
        } else {
          batch.clear();
          batch.add(first);
          collect(batch);
          commit(batch);
        }
      } finally {
        commitLock.unlock();
      }
    }
  }

  private Task<W> next() throws InterruptedException {
    Task<W> c = carried;
    if (c != null) {
      carried = null;
      return c;
    }
    return queue.take();
  }

  private void collect(List<Task<W>> batch) {
    while (batch.size() < maxBatch) {
      Task<W> t = queue.peek();
      if (t == null || t.alone) {
        break;
      }
      batch.add(queue.remove());
      pending.decrementAndGet();
    }
    if (maxWaitNanos > 0) {
      waitFor(batch, maxBatch, maxWaitNanos);
    } else if (waits) {
      // each offer wakes the thread; a lone caller (last batch of one) never waits
      waitFor(batch, Math.min(lastBatchSize, maxBatch), FILL_NANOS);
    }
  }

  /**
   * Adds queued transactional writes to {@code batch} until it holds {@code size} or time runs out.
   */
  private void waitFor(List<Task<W>> batch, int size, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (batch.size() < size) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Task<W> t;
      try {
        t = queue.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (t == null) {
        return;
      }
      if (t.alone) { // alone work or the close marker: it runs next, by itself
        carried = t;
        return;
      }
      batch.add(t);
      pending.decrementAndGet();
    }
  }

  private void runAlone(Task<W> task) {
    try {
      task.future.complete(committer.runAlone(task));
    } catch (RuntimeException | Error e) {
      failures.incrementAndGet();
      task.future.completeExceptionally(unexpected(task.op, e));
    }
  }

  private void commit(List<Task<W>> batch) {
    List<Task<W>> refused = new ArrayList<>();
    commit(batch, refused);
    // a write the committer refused inside a batch was judged against the batch's earlier writes,
    // which were not committed then (and may never be): it runs again alone, so its answer (say,
    // ALREADY_EXISTS) holds for what is committed, and comes after the others' commit
    for (Task<W> t : refused) {
      commit(List.of(t), refused);
    }
  }

  private void commit(List<Task<W>> batch, List<Task<W>> refused) {
    List<Task<W>> live = new ArrayList<>(batch);
    int attempts = 0;
    while (!live.isEmpty()) {
      long start = System.nanoTime();
      @Nullable Object[] results = new Object[live.size()];
      Failure failure;
      try {
        failure = committer.commit(live, results);
      } catch (RuntimeException | Error e) {
        failure = new Failure(Failure.UNKNOWN, unexpected(live.get(0).op, e), false);
      }
      if (failure == null) {
        lastBatchSize = live.size();
        transactions.incrementAndGet();
        writes.addAndGet(live.size());
        // health and listeners learn of the commit before any caller returns: a caller that
        // reads health or metrics right after its write sees it
        recentFailures.succeeded();
        committer.committed(live.size(), System.nanoTime() - start);
        for (int i = 0; i < live.size(); i++) {
          live.get(i).future.complete(results[i]);
        }
        committer.afterCommit();
        return;
      }
      if (failure.culprit() >= 0) {
        Task<W> culprit = live.remove(failure.culprit());
        if (batch.size() > 1) {
          refused.add(culprit);
        } else {
          failures.incrementAndGet();
          culprit.future.completeExceptionally(failure.error());
        }
        continue;
      }
      if (failure.retry() && attempts++ < MAX_RETRIES) {
        retries.incrementAndGet();
        listeners.onBusyRetry();
        continue;
      }
      if (failure.culprit() == Failure.UNKNOWN && live.size() > 1) {
        LOG.debug("a batch of {} writes failed ({}); retrying them alone", live.size(), failure);
        for (Task<W> t : live) {
          commit(List.of(t));
        }
        return;
      }
      failures.addAndGet(live.size());
      recentFailures.failed(failure.error().code(), failure.error().getMessage());
      for (Task<W> t : live) {
        t.future.completeExceptionally(failure.error());
      }
      return;
    }
  }
}
