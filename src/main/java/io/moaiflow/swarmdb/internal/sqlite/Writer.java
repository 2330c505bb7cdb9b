package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.WriterStats;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Listeners;
import io.moaiflow.swarmdb.internal.SqlFunction;
import io.moaiflow.swarmdb.internal.StatementCache;
import io.moaiflow.swarmdb.internal.TimeSource;
import io.moaiflow.swarmdb.internal.WriteFailures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
 * The single writer: one thread owns the one writable connection and runs every write.
 *
 * <p>Writes wait in a bounded queue. The writer takes the first, then every queued write behind it
 * up to the batch limit, and runs them in one {@code BEGIN IMMEDIATE} transaction (group commit). A
 * write's future completes only after that transaction has committed. When a write fails for its
 * own reasons (bad input found late, a constraint, a state-machine rule) the transaction is rolled
 * back and replayed without it, so one bad write never takes the others down; when the database
 * fails (disk full, I/O, busy past the timeout) every write of the transaction gets that error.
 * {@code SQLITE_BUSY_SNAPSHOT} retries the whole transaction.
 *
 * <p>A synchronous caller that finds the writer idle (nothing queued or in hand, and the last
 * transaction carried a single write, so no other caller is waiting to share one) runs its write on
 * its own thread, under the same connection lock, instead of handing it to the writer thread and
 * back: the single-threaded caller saves two thread hand-offs per write, and ordering is kept
 * because it never overtakes a write submitted before it. Under concurrency every write goes
 * through the queue and its group commit.
 *
 * <p>Thread safe: any thread may submit; {@link #close()} drains the queue before it returns.
 */
final class Writer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Writer.class);
  private static final int MAX_BUSY_RETRIES = 5;
  private static final long FILL_NANOS = 50_000;

  private final Connection connection;
  private final StatementCache cache;
  private final String file;
  private final @Nullable Path wal;
  private final long walThreshold;
  private final TimeSource time;
  private final Listeners listeners;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final long offerTimeoutNanos;
  private final ArrayBlockingQueue<Task<?>> queue;
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  // held by whichever thread runs SQL on the connection: the writer thread or an idle-path caller
  private final ReentrantLock connectionLock = new ReentrantLock();
  // writes submitted and not yet started (queued, carried, or taken but waiting for the lock)
  private final AtomicInteger pending = new AtomicInteger();
  private volatile int lastBatchSize = 1;
  private final Thread thread;
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong busyRetries = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final WriteFailures recentFailures = new WriteFailures();
  private final Task<Boolean> poison = new Task<>("close", h -> true, false);
  private @Nullable Task<?> carried;
  private boolean closed; // guarded by gate

  Writer(
      Connection connection,
      String file,
      @Nullable Path wal,
      TimeSource time,
      Listeners listeners,
      SwarmDbConfig.WriteQueue settings) {
    this.connection = connection;
    this.cache = new StatementCache(connection);
    this.file = file;
    this.wal = wal;
    this.walThreshold = settings.walCheckpointThresholdBytes();
    this.time = time;
    this.listeners = listeners;
    this.maxBatch = settings.maxBatchSize();
    this.maxWaitNanos = settings.maxBatchWait().toNanos();
    this.offerTimeoutNanos = settings.timeout().toNanos();
    this.queue = new ArrayBlockingQueue<>(settings.capacity());
    this.thread = new Thread(this::run, "swarmdb-writer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Queues a write; blocks while the queue is full, up to the write timeout.
   *
   * @param op the operation name for errors
   * @param fn the work
   * @param transactional true for writes that may share a transaction; false for work that must run
   *     alone outside a transaction (VACUUM, checkpoints, migrations)
   */
  <T> CompletableFuture<T> submit(String op, SqlFunction<T> fn, boolean transactional) {
    Task<T> task = new Task<>(op, fn, transactional);
    gate.readLock().lock();
    try {
      if (closed) {
        throw new SwarmDbException(
            ErrorCode.CLOSED, op + " failed: the database " + file + " is closed; open it again");
      }
      pending.incrementAndGet();
      if (!queue.offer(task, offerTimeoutNanos, TimeUnit.NANOSECONDS)) {
        pending.decrementAndGet();
        throw new SwarmDbException(
            ErrorCode.TIMEOUT,
            String.format(
                java.util.Locale.ROOT,
                "%s timed out after %d ms waiting for room in the write queue (depth=%d,"
                    + " capacity=%d); the writer is saturated: slow down, batch with appendAll,"
                    + " or raise writeQueueCapacity/writeTimeout",
                op,
                TimeUnit.NANOSECONDS.toMillis(offerTimeoutNanos),
                queue.size(),
                queue.size() + queue.remainingCapacity()));
      }
    } catch (InterruptedException e) {
      pending.decrementAndGet();
      Thread.currentThread().interrupt();
      throw new SwarmDbException(
          ErrorCode.INTERRUPTED, op + " was interrupted while waiting for the write queue", e);
    } finally {
      gate.readLock().unlock();
    }
    return task.future;
  }

  <T> T call(String op, SqlFunction<T> fn, boolean transactional) {
    Task<T> direct = maxWaitNanos <= 0 ? runIfIdle(op, fn, transactional) : null;
    return await(op, direct != null ? direct.future : submit(op, fn, transactional));
  }

  /**
   * Runs the write on the caller's thread when the writer is idle (see the class description).
   *
   * @return the completed task, or null when the caller must queue
   */
  private <T> @Nullable Task<T> runIfIdle(String op, SqlFunction<T> fn, boolean transactional) {
    if (pending.get() != 0
        || lastBatchSize != 1
        || Thread.currentThread() == thread
        || connectionLock.isHeldByCurrentThread()
        || !connectionLock.tryLock()) {
      return null;
    }
    try {
      // re-checked under the lock: a write queued (or taken by the writer thread) before this one
      // must commit first
      if (pending.get() != 0 || !gate.readLock().tryLock()) {
        return null;
      }
      try {
        if (closed) {
          return null; // submit reports CLOSED
        }
        Task<T> task = new Task<>(op, fn, transactional);
        if (transactional) {
          List<Task<?>> batch = new ArrayList<>(1);
          batch.add(task);
          runBatch(batch);
        } else {
          runAlone(task);
        }
        return task;
      } finally {
        gate.readLock().unlock();
      }
    } finally {
      connectionLock.unlock();
    }
  }

  /**
   * Waits for a future from {@link #submit}, rethrowing its failure on the caller's stack.
   *
   * @param op the operation name
   * @param future the future
   * @return its value
   */
  static <T> T await(String op, CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SwarmDbException(
          ErrorCode.INTERRUPTED,
          op + " was interrupted while waiting for its commit; the write may still commit",
          e);
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

  /** The SQL texts in the writer's statement cache, read on the writer thread. */
  java.util.Set<String> preparedSql() {
    return call("preparedSql", h -> cache.sqlTexts(), false);
  }

  WriterStats stats() {
    return new WriterStats(
        queue.size(),
        queue.size() + queue.remainingCapacity(),
        transactions.get(),
        writes.get(),
        busyRetries.get(),
        failures.get());
  }

  /** The failed transactions of the last minute, for health. */
  WriteFailures recentFailures() {
    return recentFailures;
  }

  boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

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
        queue.put(poison);
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      connectionLock.lock();
      try {
        cache.close();
      } finally {
        connectionLock.unlock();
      }
    }
  }

  void closeConnection() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing the writer connection of {} failed: {}", file, e.getMessage());
    }
  }

  private void run() {
    List<Task<?>> batch = new ArrayList<>();
    while (true) {
      Task<?> first;
      try {
        first = next();
      } catch (InterruptedException e) {
        continue; // nobody interrupts the writer; keep draining
      }
      if (first == poison) {
        return;
      }
      runLocked(first, batch);
    }
  }

  /** Runs {@code first} (and what queued behind it) holding the connection lock. */
  private void runLocked(Task<?> first, List<Task<?>> batch) {
    connectionLock.lock();
    try {
      pending.decrementAndGet();
      if (first.transactional) {
        batch.add(first);
        collect(batch);
        runBatch(batch);
      } else {
        runAlone(first);
      }
    } finally {
      batch.clear();
      connectionLock.unlock();
    }
  }

  private Task<?> next() throws InterruptedException {
    Task<?> c = carried;
    if (c != null) {
      carried = null;
      return c;
    }
    return queue.take();
  }

  private void collect(List<Task<?>> batch) {
    while (batch.size() < maxBatch) {
      Task<?> t = queue.peek();
      if (t == null || !t.transactional) {
        break;
      }
      batch.add(queue.remove());
      pending.decrementAndGet();
    }
    if (maxWaitNanos > 0) {
      waitFor(batch, maxBatch, maxWaitNanos);
    } else {
      // Without a configured batch wait: when fewer writes are queued than shared the last
      // transaction, their callers are most likely between their previous commit and their next
      // write. Wait for them (each offer wakes the writer) for at most FILL_NANOS (about one
      // commit), so the transaction carries them instead of committing a fraction now and the
      // rest right after. A lone caller (last batch of one) never waits.
      waitFor(batch, Math.min(lastBatchSize, maxBatch), FILL_NANOS);
    }
  }

  /**
   * Adds queued transactional writes to {@code batch} until it holds {@code size} or time runs out.
   */
  private void waitFor(List<Task<?>> batch, int size, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (batch.size() < size) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Task<?> t;
      try {
        t = queue.poll(left, TimeUnit.NANOSECONDS); // an offer wakes the writer at once
      } catch (InterruptedException e) {
        return;
      }
      if (t == null) {
        return;
      }
      if (!t.transactional) {
        carried = t;
        return;
      }
      batch.add(t);
      pending.decrementAndGet();
    }
  }

  private void runAlone(Task<?> task) {
    try {
      complete(task, task.fn.apply(new Handle(connection, cache, time.now())));
    } catch (SQLException e) {
      failures.incrementAndGet();
      task.future.completeExceptionally(SqliteErrors.map(task.op, file, e));
    } catch (RuntimeException | Error e) {
      failures.incrementAndGet();
      task.future.completeExceptionally(asSwarm(task.op, e));
    }
  }

  private void runBatch(List<Task<?>> batch) {
    List<Task<?>> live = new ArrayList<>(batch);
    int attempts = 0;
    while (!live.isEmpty()) {
      long start = System.nanoTime();
      Handle handle = new Handle(connection, cache, time.now());
      Object[] results = new Object[live.size()];
      int failedAt = -1;
      Throwable failure = null;
      try {
        // prepared once and reused: parsing BEGIN and COMMIT per transaction cost ~20 us of a
        // ~95 us one-row commit (docs/performance.md)
        cache.get("BEGIN IMMEDIATE").execute();
        for (int i = 0; i < live.size(); i++) {
          try {
            results[i] = live.get(i).fn.apply(handle);
          } catch (SQLException | RuntimeException e) {
            failedAt = i;
            failure = e;
            break;
          }
        }
        if (failure == null) {
          cache.get("COMMIT").execute();
        }
      } catch (SQLException e) {
        failure = e;
        failedAt = -1;
      } catch (Error e) {
        failure = e;
        failedAt = -1;
      }
      if (failure == null) {
        lastBatchSize = live.size();
        transactions.incrementAndGet();
        writes.addAndGet(live.size());
        // health and listeners learn of the commit before any caller returns: a caller that
        // reads health or metrics right after its write sees it
        recentFailures.succeeded();
        listeners.onCommit(live.size(), System.nanoTime() - start);
        for (int i = 0; i < live.size(); i++) {
          complete(live.get(i), results[i]);
        }
        checkpointIfLarge();
        return;
      }
      rollbackQuietly();
      // a BEGIN or COMMIT statement that failed (e.g. SQLITE_FULL) is left unusable by the
      // driver ("statement is not executing"): prepare both afresh for the next transaction
      cache.evict("BEGIN IMMEDIATE");
      cache.evict("COMMIT");
      if (failedAt >= 0 && isOwnFault(failure)) {
        Task<?> bad = live.remove(failedAt);
        failures.incrementAndGet();
        bad.future.completeExceptionally(asSwarm(bad.op, failure));
        continue;
      }
      if (failure instanceof SQLException e
          && SqliteErrors.resultCode(e) == SqliteErrors.BUSY_SNAPSHOT
          && attempts++ < MAX_BUSY_RETRIES) {
        busyRetries.incrementAndGet();
        listeners.onBusyRetry();
        continue;
      }
      failures.addAndGet(live.size());
      String op = live.size() == 1 ? live.get(0).op : "a transaction of " + live.size() + " writes";
      SwarmDbException mapped = asSwarm(op, failure);
      recentFailures.failed(mapped.code(), mapped.getMessage());
      for (Task<?> t : live) {
        t.future.completeExceptionally(mapped);
      }
      return;
    }
  }

  private static boolean isOwnFault(Throwable failure) {
    if (failure instanceof SQLException e) {
      return SqliteErrors.isConstraint(e);
    }
    if (failure instanceof SwarmDbException e) {
      return !e.code().isDatabaseError();
    }
    return failure instanceof RuntimeException;
  }

  private SwarmDbException asSwarm(String op, Throwable failure) {
    if (failure instanceof SwarmDbException e) {
      return e;
    }
    if (failure instanceof SQLException e) {
      return SqliteErrors.map(op, file, e);
    }
    LOG.error("{} failed with an unexpected exception", op, failure);
    return new SwarmDbException(
        ErrorCode.DATABASE_ERROR, op + " failed unexpectedly: " + failure, failure);
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Task<T> task, @Nullable Object result) {
    task.future.complete((T) result);
  }

  private void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  private void rollbackQuietly() {
    try {
      execute("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite already rolled back (for example after SQLITE_FULL), or nothing was begun
    }
  }

  private void checkpointIfLarge() {
    if (wal == null || FileSecurity.size(wal) <= walThreshold) {
      return;
    }
    // TRUNCATE must wait for every reader to leave the WAL, and it waits through the busy handler:
    // with the connection's busy timeout, one long reader would stall the writer (and every queued
    // write) for the whole timeout after each commit. Try without waiting instead; while a reader
    // holds an old snapshot the WAL keeps growing, and the first commit after it ends truncates.
    try {
      org.sqlite.SQLiteConnection sqlite = connection.unwrap(org.sqlite.SQLiteConnection.class);
      int busyTimeout = sqlite.getBusyTimeout();
      sqlite.setBusyTimeout(0);
      try {
        long blocked = queryLong("PRAGMA wal_checkpoint(TRUNCATE)");
        if (blocked == 0) {
          LOG.debug("WAL of {} passed {} bytes; truncated", file, walThreshold);
        } else {
          LOG.debug(
              "WAL of {} passed {} bytes; a reader holds it, retrying later", file, walThreshold);
        }
      } finally {
        sqlite.setBusyTimeout(busyTimeout);
      }
    } catch (SQLException e) {
      LOG.warn("checkpoint of {} failed: {}", file, e.getMessage());
    }
  }

  private long queryLong(String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** One queued unit of work and the future its caller waits on. */
  static final class Task<T> {
    final String op;
    final SqlFunction<T> fn;
    final boolean transactional;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Task(String op, SqlFunction<T> fn, boolean transactional) {
      this.op = op;
      this.fn = fn;
      this.transactional = transactional;
    }
  }
}
