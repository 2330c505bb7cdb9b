package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The tuning sweep (timed loops, not JMH; compare rows within one run): mmap_size and cache_size on
 * the 1,000,000-event query, maxBatchWait on 16 appending threads, the WAL checkpoint threshold on
 * sustained appendAll, and page_size on append and query.
 */
final class TuningHarness {
  private TuningHarness() {}

  static void run(Report report) throws Exception {
    Path fixture = Fixtures.queryFixture();
    for (long mmap : new long[] {0, 256L << 20}) {
      for (int cache : new int[] {2_000, 10_000, 100_000}) {
        Latencies lat = query(Fixtures.config(fixture).mmapSizeBytes(mmap).cacheSizePages(cache));
        report.tuning(
            "query agent newest 100",
            "mmap_size=" + (mmap >> 20) + " MiB, cache_size=" + cache,
            lat,
            Double.NaN);
      }
    }
    for (long waitMicros : new long[] {0, 1_000, 5_000}) {
      Path file = Fixtures.freshDir("tune-wait").resolve("swarm.db");
      Latencies lat = new Latencies();
      double rate =
          concurrentAppends(
              Fixtures.config(file).maxBatchWait(Duration.ofNanos(waitMicros * 1_000)).build(),
              16,
              3_000,
              lat);
      report.tuning("16 threads append", "maxBatchWait=" + waitMicros / 1000 + " ms", lat, rate);
    }
    for (long threshold : new long[] {8L << 20, 128L << 20, 1L << 30}) {
      Path file = Fixtures.freshDir("tune-ckpt").resolve("swarm.db");
      Latencies lat = new Latencies();
      double rate =
          appendAllRun(Fixtures.config(file).walCheckpointThresholdBytes(threshold), 300, lat);
      report.tuning(
          "appendAll 300 x 1,000 rows",
          "walCheckpointThreshold=" + (threshold >> 20) + " MiB",
          lat,
          rate);
    }
    for (int pageSize : new int[] {4096, 8192, 16384}) {
      Path file = Fixtures.freshDir("tune-page").resolve("swarm.db");
      try (Connection c =
          BenchRows.rawConnection(file, SwarmDbConfig.builder(file).build(), false)) {
        try (Statement st = c.createStatement()) {
          st.execute("PRAGMA page_size=" + pageSize);
          st.execute("PRAGMA journal_mode=WAL");
        }
      }
      Latencies lat = new Latencies();
      double rate = appendAllRun(Fixtures.config(file), 200, lat);
      report.tuning("appendAll 200 x 1,000 rows", "page_size=" + pageSize, lat, rate);
      Latencies q = query(Fixtures.config(file));
      report.tuning("query agent newest 100 (200k events)", "page_size=" + pageSize, q, Double.NaN);
    }
  }

  private static Latencies query(SwarmDbConfig.Builder config) {
    Latencies lat = new Latencies();
    try (SwarmDB db = SwarmDB.open(config.build())) {
      for (int i = 0; i < 3_000; i++) {
        long s = System.nanoTime();
        db.events().query(EventQuery.agent(BenchRows.agent(Fixtures.random(1_000))).limit(100));
        if (i >= 1_000) {
          lat.add(System.nanoTime() - s);
        }
      }
    }
    return lat;
  }

  private static double appendAllRun(SwarmDbConfig.Builder config, int batches, Latencies lat) {
    try (SwarmDB db = SwarmDB.open(config.build())) {
      db.events().appendAll(BenchRows.events(0, 1_000));
      long start = System.nanoTime();
      for (int b = 1; b <= batches; b++) {
        long s = System.nanoTime();
        db.events().appendAll(BenchRows.events(b * 1_000, 1_000));
        lat.add(System.nanoTime() - s);
      }
      return batches * 1_000 / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Rows per second of {@code threads} threads appending for {@code millis}. */
  static double concurrentAppends(SwarmDbConfig config, int threads, long millis, Latencies lat)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger counter = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(threads);
    List<Latencies> per = new ArrayList<>();
    List<Thread> list = new ArrayList<>();
    AtomicInteger measured = new AtomicInteger();
    AtomicBoolean measuring = new AtomicBoolean();
    try (SwarmDB db = SwarmDB.open(config)) {
      UnaryOperator<Integer> one =
          i -> {
            db.events().append(BenchRows.event(i));
            return i;
          };
      for (int t = 0; t < threads; t++) {
        Latencies l = new Latencies();
        per.add(l);
        Thread th =
            new Thread(
                () -> {
                  int n = 0;
                  while (!stop.get()) {
                    long s = System.nanoTime();
                    one.apply(counter.getAndIncrement());
                    if (measuring.get()) {
                      l.add(System.nanoTime() - s);
                      measured.incrementAndGet();
                    }
                    if (++n == 100) {
                      warm.countDown();
                    }
                  }
                });
        th.start();
        list.add(th);
      }
      warm.await();
      measuring.set(true);
      long start = System.nanoTime();
      Thread.sleep(millis);
      int done = measured.get();
      double secs = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      for (Thread th : list) {
        th.join();
      }
      for (Latencies l : per) {
        lat.addAll(l);
      }
      return done / secs;
    }
  }
}
