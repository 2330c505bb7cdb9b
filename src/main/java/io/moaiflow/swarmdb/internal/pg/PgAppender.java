package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.SqlEventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for single appends within one JVM. Appends to one schema are serialised by the
 * append advisory lock anyway (so that seq order is commit order), so concurrent {@code append} and
 * {@code appendAsync} calls gain nothing from separate transactions: one thread collects whatever
 * is queued (up to {@code maxBatchSize}) and commits it as one locked batch. A caller's future
 * completes only after the transaction holding its row has committed. When a batch fails, its rows
 * are retried one per transaction, so one bad row fails only its own call.
 *
 * <p>Thread safe: any thread may submit; {@link #close()} commits what is queued, then stops.
 */
final class PgAppender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgAppender.class);

  /** Writes a batch in one transaction and returns one result per row, in order. */
  @FunctionalInterface
  interface BatchWriter {
    List<SqlEventStore.Inserted> write(List<SqlEventStore.Row> rows);
  }

  private record Pending(
      SqlEventStore.@Nullable Row row, CompletableFuture<SqlEventStore.Inserted> done) {}

  private final String label;
  private final BatchWriter writer;
  private final int maxBatch;
  private final long offerTimeoutNanos;
  private final ArrayBlockingQueue<Pending> queue;
  private final Pending poison = new Pending(null, new CompletableFuture<>());
  private final Thread thread;
  private volatile boolean closing;

  PgAppender(String label, BatchWriter writer, int maxBatch, int capacity, long offerTimeoutNanos) {
    this.label = label;
    this.writer = writer;
    this.maxBatch = maxBatch;
    this.offerTimeoutNanos = offerTimeoutNanos;
    this.queue = new ArrayBlockingQueue<>(capacity + 1); // + 1: room for the close marker
    this.thread = new Thread(this::run, "swarmdb-pg-appender");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues a row; the future completes after its commit.
   *
   * @param row a checked row
   * @return the future
   */
  CompletableFuture<SqlEventStore.Inserted> submit(SqlEventStore.Row row) {
    if (closing) {
      throw closed();
    }
    Pending p = new Pending(row, new CompletableFuture<>());
    boolean queued;
    try {
      queued = queue.offer(p, offerTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SwarmDbException(
          ErrorCode.INTERRUPTED, "append was interrupted while waiting for room in the queue", e);
    }
    if (!queued) {
      throw new SwarmDbException(
          ErrorCode.TIMEOUT,
          "append waited "
              + TimeUnit.NANOSECONDS.toMillis(offerTimeoutNanos)
              + " ms for room among "
              + (queue.remainingCapacity() + queue.size() - 1)
              + " queued appends to "
              + label
              + "; raise writeQueueCapacity or writeTimeout");
    }
    if (closing && !thread.isAlive()) {
      failLeftovers(); // queued after the appender drained; never left hanging
    }
    return p.done();
  }

  private SwarmDbException closed() {
    return new SwarmDbException(
        ErrorCode.CLOSED, "append failed: the database " + label + " is closed; open it again");
  }

  int queueDepth() {
    return queue.size();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 1024));
    while (true) {
      Pending first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        break; // only close() interrupts, after the marker; what is left is failed below
      }
      if (first.row() == null) { // the close marker
        break;
      }
      batch.clear();
      batch.add(first);
      boolean stop = false;
      while (batch.size() < maxBatch) {
        Pending next = queue.poll();
        if (next == null) {
          break;
        }
        if (next.row() == null) {
          stop = true;
          break;
        }
        batch.add(next);
      }
      commit(batch);
      if (stop) {
        break;
      }
    }
    failLeftovers();
  }

  private void commit(List<Pending> batch) {
    List<SqlEventStore.Row> rows = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      rows.add(Objects.requireNonNull(p.row()));
    }
    try {
      List<SqlEventStore.Inserted> stored = writer.write(rows);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(stored.get(i));
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).done().completeExceptionally(e);
        return;
      }
      LOG.debug("a batch of {} appends failed ({}); retrying them one by one", rows.size(), e);
      for (Pending p : batch) {
        try {
          p.done().complete(writer.write(List.of(Objects.requireNonNull(p.row()))).get(0));
        } catch (RuntimeException single) {
          p.done().completeExceptionally(single);
        }
      }
    }
  }

  private void failLeftovers() {
    Pending p;
    while ((p = queue.poll()) != null) {
      if (p.row() != null) {
        p.done().completeExceptionally(closed());
      }
    }
  }

  /** Commits every queued append, then stops the thread. Idempotent. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    boolean marked = false;
    while (!marked && thread.isAlive()) {
      try {
        marked = queue.offer(poison, 1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.interrupt();
    }
    failLeftovers();
  }
}
