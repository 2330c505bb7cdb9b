package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Heap figures, each in its own JVM started by {@link BenchmarkSuite} with a small {@code -Xmx}:
 * {@code stream} reads all 1,000,000 fixture events through {@code stream()} and samples the heap
 * after GC every 100,000 rows; {@code queue} holds the writer behind another connection's write
 * lock, queues appends, and measures the heap each queued append holds; {@code appender} runs 16
 * threads appending one event at a time for 20 s and samples the process's resident set ({@code
 * VmRSS}) and the heap after GC every 2 s. Prints {@code key=value}.
 */
public final class HeapHarness {
  private HeapHarness() {}

  /**
   * Entry point.
   *
   * @param args {@code stream} or {@code queue}
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    if ("stream".equals(args[0])) {
      stream();
    } else if ("appender".equals(args[0])) {
      appender();
    } else {
      queue();
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void stream() {
    Path file = Fixtures.queryFixture();
    long max = Runtime.getRuntime().maxMemory();
    long base;
    long peak = 0;
    long rows = 0;
    long start = System.nanoTime();
    try (SwarmDB db = Fixtures.open(file)) {
      base = usedAfterGc();
      try (Stream<AgentEvent> s = db.events().stream(EventQuery.all())) {
        var it = s.iterator();
        while (it.hasNext()) {
          it.next();
          if (++rows % 100_000 == 0) {
            long used = usedAfterGc();
            peak = Math.max(peak, used);
            System.out.printf(Locale.ROOT, "stream.sample.%d=%d%n", rows, used);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "stream.rows=%d%n", rows);
    System.out.printf(Locale.ROOT, "stream.xmx=%d%n", max);
    System.out.printf(Locale.ROOT, "stream.baseUsed=%d%n", base);
    System.out.printf(Locale.ROOT, "stream.peakUsed=%d%n", peak);
    System.out.printf(Locale.ROOT, "stream.seconds=%.2f%n", (System.nanoTime() - start) / 1e9);
  }

  /** The resident set of this process in bytes ({@code VmRSS} of /proc/self/status), or -1. */
  private static long rss() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }

  private static void appender() throws Exception {
    Path file = Fixtures.freshDir("heap-appender").resolve("swarm.db");
    int threads = 16;
    long seconds = 20;
    try (SwarmDB db = Fixtures.open(file)) {
      db.events().append(BenchRows.event(0));
      long baseRss = rss();
      long baseHeap = usedAfterGc();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread th =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    db.events().append(BenchRows.event(next.getAndIncrement()));
                  }
                });
        th.start();
        workers.add(th);
      }
      long peakRss = 0;
      long peakHeap = 0;
      long start = System.nanoTime();
      for (int i = 1; i <= seconds / 2; i++) {
        Thread.sleep(2_000);
        long r = rss();
        long h = usedAfterGc();
        peakRss = Math.max(peakRss, r);
        peakHeap = Math.max(peakHeap, h);
        System.out.printf(Locale.ROOT, "appender.sample.%d=%d,%d%n", i * 2, r, h);
      }
      stop.set(true);
      for (Thread th : workers) {
        th.join();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long rows = db.events().count() - 1;
      System.out.printf(Locale.ROOT, "appender.threads=%d%n", threads);
      System.out.printf(Locale.ROOT, "appender.rows=%d%n", rows);
      System.out.printf(Locale.ROOT, "appender.rowsPerSecond=%.0f%n", rows / secs);
      System.out.printf(Locale.ROOT, "appender.baseRss=%d%n", baseRss);
      System.out.printf(Locale.ROOT, "appender.peakRss=%d%n", peakRss);
      System.out.printf(Locale.ROOT, "appender.baseHeap=%d%n", baseHeap);
      System.out.printf(Locale.ROOT, "appender.peakHeap=%d%n", peakHeap);
      System.out.printf(Locale.ROOT, "appender.xmx=%d%n", Runtime.getRuntime().maxMemory());
    }
  }

  private static void queue() throws Exception {
    Path file = Fixtures.freshDir("heap-queue").resolve("swarm.db");
    int queued = 20_000;
    Fixtures.open(file).close();
    try (SwarmDB db =
            SwarmDB.open(
                Fixtures.config(file)
                    .busyTimeout(Duration.ofMinutes(5))
                    .writeQueueCapacity(queued + 1_000)
                    .build());
        Connection blocker = BenchRows.rawConnection(file, Fixtures.config(file).build(), false)) {
      db.events().append(BenchRows.event(0)); // warm the writer's statements
      try (Statement st = blocker.createStatement()) {
        st.execute("BEGIN IMMEDIATE"); // the writer's next BEGIN IMMEDIATE waits for this
      }
      // 16 threads with one append each in flight: what the queue holds at 16 threads
      List<Thread> threads = new ArrayList<>();
      CountDownLatch submitted = new CountDownLatch(16);
      long before16 = usedAfterGc();
      List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  CompletableFuture<AgentEvent> f =
                      db.events().appendAsync(BenchRows.event(1 + id));
                  synchronized (futures) {
                    futures.add(f);
                  }
                  submitted.countDown();
                  f.join();
                });
        th.start();
        threads.add(th);
      }
      submitted.await();
      long after16 = usedAfterGc();
      long base = after16;
      for (int i = 0; i < queued; i++) {
        futures.add(db.events().appendAsync(BenchRows.event(100 + i)));
      }
      long afterQueue = usedAfterGc();
      System.out.printf(Locale.ROOT, "queue.depth=%d%n", db.inspect().writerStats().queueDepth());
      System.out.printf(Locale.ROOT, "queue.sixteen.bytes=%d%n", after16 - before16);
      System.out.printf(Locale.ROOT, "queue.appends=%d%n", queued);
      System.out.printf(Locale.ROOT, "queue.bytes=%d%n", afterQueue - base);
      System.out.printf(Locale.ROOT, "queue.bytesPerAppend=%d%n", (afterQueue - base) / queued);
      try (Statement st = blocker.createStatement()) {
        st.execute("ROLLBACK");
      }
      for (CompletableFuture<AgentEvent> f : futures) {
        f.join();
      }
      for (Thread th : threads) {
        th.join();
      }
      System.out.printf(Locale.ROOT, "queue.committed=%d%n", db.events().count());
    }
  }
}
