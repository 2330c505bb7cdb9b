package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.SwarmDB;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the database's size and WAL size every few seconds into a ring buffer, for the
 * dashboard's size chart; the newest {@link #CAPACITY} samples are kept (an hour at the default
 * interval). Thread safe.
 */
final class DashboardSampler implements AutoCloseable {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  static final int CAPACITY = 720;

  private static final Logger LOG = LoggerFactory.getLogger(DashboardSampler.class);

  /** One sample: epoch milliseconds, database bytes, WAL bytes. */
  record Sample(long atMillis, long sizeBytes, long walBytes) {}

  private final SwarmDB db;
  private final int capacity;
  private final Sample[] ring;
  private long written;
  private final ScheduledExecutorService timer;
  private final ScheduledFuture<?> task;

  DashboardSampler(SwarmDB db, Duration interval, int capacity) {
    this.db = db;
    this.capacity = capacity;
    this.ring = new Sample[capacity];
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "swarmdb-ui-sampler");
              t.setDaemon(true);
              return t;
            });
    // the first sample now, so the chart has a point as soon as the page opens; sampleNow catches
    // its own failures, so the task's future has nothing to report
    sampleNow();
    long every = interval.toMillis();
    this.task = timer.scheduleWithFixedDelay(this::sampleNow, every, every, TimeUnit.MILLISECONDS);
  }

  /** Takes one sample now; a failed read (the database closing, a file in flux) is skipped. */
  void sampleNow() {
    try {
      if (!db.isClosed()) {
        add(
            new Sample(
                System.currentTimeMillis(), db.inspect().sizeBytes(), db.inspect().walSizeBytes()));
      }
    } catch (RuntimeException e) {
      LOG.debug("size sample of {} skipped: {}", db, e.toString());
    }
  }

  synchronized void add(Sample s) {
    ring[(int) (written % capacity)] = s;
    written++;
  }

  /** {@return the kept samples, oldest first} */
  synchronized List<Sample> samples() {
    int n = (int) Math.min(written, capacity);
    List<Sample> out = new ArrayList<>(n);
    for (long i = written - n; i < written; i++) {
      out.add(ring[(int) (i % capacity)]);
    }
    return out;
  }

  @Override
  public void close() {
    task.cancel(false);
    timer.shutdownNow();
  }
}
