package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark 6 (a timed harness, not JMH): {@code deleteEventsOlderThan} removes 1,000,000 old
 * events while 4 threads append; reports the appenders' latency before and during the cleanup. Then
 * a chunk-size sweep on raw JDBC shows what one retention transaction costs per chunk size.
 */
final class RetentionHarness {
  private static final int APPENDERS = 4;

  private RetentionHarness() {}

  static void run(Report report, long rows) throws Exception {
    Path dir = Fixtures.freshDir("retention");
    Path file = dir.resolve("swarm.db");
    long now = System.currentTimeMillis();
    long oldStart = now - Duration.ofDays(90).toMillis();
    long oldSpan = Duration.ofDays(30).toMillis();
    long buildStart = System.nanoTime();
    try (Connection c = Fixtures.raw(file)) {
      Fixtures.fill(c, rows, oldStart, oldSpan, 0);
    }
    report.note(
        String.format(
            Locale.ROOT,
            "retention fixture: %,d events older than 60 days built in %.1f s",
            rows,
            (System.nanoTime() - buildStart) / 1e9));

    AtomicInteger phase = new AtomicInteger(0); // 0 before, 1 during cleanup, 2 stop
    AtomicInteger counter = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(APPENDERS);
    List<Latencies[]> perThread = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long cleanupNanos;
    long deleted;
    try (SwarmDB db = SwarmDB.open(Fixtures.config(file).build())) {
      for (int t = 0; t < APPENDERS; t++) {
        Latencies[] lat = {new Latencies(), new Latencies()};
        perThread.add(lat);
        Thread th =
            new Thread(
                () -> {
                  int n = 0;
                  while (true) {
                    int p = phase.get();
                    if (p == 2) {
                      return;
                    }
                    long s = System.nanoTime();
                    db.events().append(BenchRows.event(counter.getAndIncrement()));
                    lat[p].add(System.nanoTime() - s);
                    if (++n == 200) {
                      warm.countDown();
                    }
                  }
                },
                "appender-" + t);
        th.start();
        threads.add(th);
      }
      warm.await();
      Thread.sleep(2_000); // a steady state to compare with (a harness, not a unit test)
      phase.set(1);
      long s = System.nanoTime();
      deleted = db.maintenance().deleteEventsOlderThan(Duration.ofDays(30));
      cleanupNanos = System.nanoTime() - s;
      phase.set(2);
      for (Thread th : threads) {
        th.join();
      }
    }
    Latencies before = new Latencies();
    Latencies during = new Latencies();
    for (Latencies[] lat : perThread) {
      before.addAll(lat[0]);
      during.addAll(lat[1]);
    }
    report.retention(rows, deleted, cleanupNanos, before, during);
    chunkSweep(report);
  }

  /** Times one DELETE transaction per chunk size on a fresh 300,000-row fixture. */
  private static void chunkSweep(Report report) throws SQLException {
    Path file = Fixtures.freshDir("retention-sweep").resolve("raw.db");
    int[] chunks = {500, 1_000, 2_000, 5_000, 10_000, 20_000};
    long now = System.currentTimeMillis();
    try (Connection c = Fixtures.raw(file)) {
      Fixtures.fill(c, 300_000, now - Duration.ofDays(90).toMillis(), 1_000_000, 0);
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM agent_events WHERE seq IN (SELECT seq FROM agent_events"
                  + " WHERE ts < ? ORDER BY ts LIMIT ?)")) {
        for (int chunk : chunks) {
          Latencies lat = new Latencies();
          for (int rep = 0; rep < 5; rep++) {
            long s = System.nanoTime();
            c.setAutoCommit(false);
            ps.setLong(1, now);
            ps.setInt(2, chunk);
            ps.executeUpdate();
            c.commit();
            c.setAutoCommit(true);
            lat.add(System.nanoTime() - s);
          }
          report.chunk(chunk, lat);
        }
      }
    }
    Fixtures.deleteDatabase(file);
  }
}
