package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.Concurrently;
import io.moaiflow.swarmdb.EventStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One round's work of each side of each benchmark pair, over events built before the round: the JMH
 * benchmarks time exactly these calls, and {@code BaselineFairnessTest} runs the same calls to
 * prove both sides of a pair store identical rows. Every method returns only when all of its rows
 * are committed. Thread safe; the caller must not share one connection or statement between
 * concurrent rounds.
 */
final class RoundWork {
  /** Most {@code appendAsync} calls in flight at once. */
  static final int ASYNC_WINDOW = 1_000;

  /** One side's work on one event of a thread's slice. */
  @FunctionalInterface
  interface EventWork {
    void run(int thread, AgentEvent event) throws Exception;
  }

  private RoundWork() {}

  /** The events split into {@code threads} consecutive slices of equal size. */
  static List<List<AgentEvent>> split(List<AgentEvent> events, int threads) {
    if (events.size() % threads != 0) {
      throw new IllegalArgumentException(
          events.size() + " events do not split evenly over " + threads + " threads");
    }
    int per = events.size() / threads;
    List<List<AgentEvent>> out = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      out.add(events.subList(t * per, (t + 1) * per));
    }
    return out;
  }

  /** SwarmDB: {@code appendAll} of consecutive batches of {@code batch} events. */
  static int appendAll(EventStore store, List<AgentEvent> events, int batch) {
    int rows = 0;
    for (int from = 0; from < events.size(); from += batch) {
      rows += store.appendAll(events.subList(from, Math.min(events.size(), from + batch))).size();
    }
    return rows;
  }

  /** Raw JDBC: one transaction per {@code batch} consecutive events, one thread. */
  static int rawBatches(Connection c, PreparedStatement insert, List<AgentEvent> events, int batch)
      throws SQLException {
    for (int from = 0; from < events.size(); from += batch) {
      BenchRows.insertBatch(c, insert, events.subList(from, Math.min(events.size(), from + batch)));
    }
    return events.size();
  }

  /** SwarmDB: {@code threads} callers, each appending its slice one {@code append} at a time. */
  static int append(ExecutorService pool, EventStore store, List<AgentEvent> events, int threads)
      throws Exception {
    return onThreads(pool, events, threads, (t, e) -> store.append(e));
  }

  /**
   * Raw JDBC: {@code threads} callers, each building its rows (JSON included) on its own thread and
   * then inserting each in autocommit through one shared lock around the one connection.
   */
  static int rawAutocommitLocked(
      ExecutorService pool, PreparedStatement insert, List<AgentEvent> events, int threads)
      throws Exception {
    Object lock = new Object();
    return onThreads(
        pool,
        events,
        threads,
        (t, e) -> {
          BenchRows.RawRow row = BenchRows.RawRow.of(e); // outside the lock
          synchronized (lock) {
            BenchRows.insertOne(insert, row);
          }
        });
  }

  /** Raw JDBC: {@code threads} callers, each inserting in autocommit on a connection of its own. */
  static int rawAutocommitOwnConnection(
      ExecutorService pool, List<PreparedStatement> inserts, List<AgentEvent> events, int threads)
      throws Exception {
    return onThreads(
        pool,
        events,
        threads,
        (t, e) -> BenchRows.insertOne(inserts.get(t), BenchRows.RawRow.of(e)));
  }

  /**
   * SwarmDB: one thread keeping up to {@link #ASYNC_WINDOW} {@code appendAsync} calls in flight;
   * returns once every future has completed (the rows are committed), failing if any failed.
   */
  static int appendAsync(EventStore store, List<AgentEvent> events) throws InterruptedException {
    Semaphore window = new Semaphore(ASYNC_WINDOW);
    CountDownLatch done = new CountDownLatch(events.size());
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<Throwable> first = new AtomicReference<>();
    for (AgentEvent e : events) {
      window.acquire();
      store
          .appendAsync(e)
          .whenComplete(
              (stored, t) -> {
                if (t != null) {
                  failures.incrementAndGet();
                  first.compareAndSet(null, t);
                }
                window.release();
                done.countDown();
              });
    }
    done.await();
    if (failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " of " + events.size() + " appendAsync calls failed", first.get());
    }
    return events.size();
  }

  /**
   * Runs {@code work} on each event of {@code threads} slices, in order within a slice, on that
   * many pool threads (the pool must run them at once), all released at once by a barrier; returns
   * the event count when all are done, rethrowing the first failure.
   */
  static int onThreads(ExecutorService pool, List<AgentEvent> events, int threads, EventWork work)
      throws Exception {
    if (pool instanceof ThreadPoolExecutor tpe && tpe.getMaximumPoolSize() < threads) {
      throw new IllegalArgumentException(
          "the pool has "
              + tpe.getMaximumPoolSize()
              + " threads; this round needs "
              + threads
              + " running at once");
    }
    List<List<AgentEvent>> slices = split(events, threads);
    try {
      Concurrently.run(
          pool,
          threads,
          thread -> {
            for (AgentEvent e : slices.get(thread)) {
              work.run(thread, e);
            }
            return null;
          });
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
    return events.size();
  }
}
