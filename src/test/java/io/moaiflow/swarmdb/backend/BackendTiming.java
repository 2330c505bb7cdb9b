package io.moaiflow.swarmdb.backend;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A small side-by-side timing of the two backends for docs/postgresql.md (not a unit test and not a
 * JMH benchmark: one run, wall-clock figures). Usage: {@code BackendTiming [PG_URL]}; the URL
 * should name a fresh schema ({@code ?currentSchema=...}).
 */
public final class BackendTiming {
  private BackendTiming() {}

  /**
   * Runs the timing.
   *
   * @param args optional PostgreSQL URL
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("swarmdb-timing");
    run("sqlite", SwarmDbConfig.builder(dir.resolve("t.db")).build());
    if (args.length > 0) {
      run("postgresql", SwarmDbConfig.postgres(args[0]).readPoolSize(8).build());
    }
  }

  private static AgentEvent event(int i) {
    return AgentEvent.of("run", "agent-" + (i % 100), "expert", Map.of("i", i));
  }

  private static void run(String name, SwarmDbConfig config) throws Exception {
    try (SwarmDB db = SwarmDB.open(config)) {
      int single = 2_000;
      long t = System.nanoTime();
      for (int i = 0; i < single; i++) {
        db.events().append(event(i));
      }
      report(name, "append, 1 thread", single, System.nanoTime() - t);

      int threads = 8;
      int perThread = 500;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      t = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    db.events().append(event(i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      report(name, "append, 8 threads", threads * perThread, System.nanoTime() - t);
      pool.shutdown();

      int batches = 50;
      int batchSize = 1_000;
      t = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        List<AgentEvent> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
          batch.add(event(i));
        }
        db.events().appendAll(batch);
      }
      report(name, "appendAll, 1000-row batches", batches * batchSize, System.nanoTime() - t);

      int queries = 500;
      long[] lat = new long[queries];
      for (int q = 0; q < queries; q++) {
        long s = System.nanoTime();
        db.events().query(EventQuery.agent("agent-" + (q % 100)).limit(100));
        lat[q] = System.nanoTime() - s;
      }
      Arrays.sort(lat);
      System.out.printf(
          Locale.ROOT,
          "%-10s %-32s p50 %.2f ms, p99 %.2f ms (%d events)%n",
          name,
          "query agent newest 100",
          lat[queries / 2] / 1e6,
          lat[queries * 99 / 100] / 1e6,
          db.events().count());

      long cursor = 0;
      int read = 0;
      t = System.nanoTime();
      while (true) {
        List<AgentEvent> page = db.events().since(cursor, 500);
        if (page.isEmpty()) {
          break;
        }
        read += page.size();
        cursor = page.get(page.size() - 1).seq();
      }
      report(name, "since(cursor, 500) full tail", read, System.nanoTime() - t);
    }
  }

  private static void report(String backend, String what, int n, long nanos) {
    System.out.printf(
        Locale.ROOT,
        "%-10s %-32s %8.0f events/s (%d in %.2f s)%n",
        backend,
        what,
        n / (nanos / 1e9),
        n,
        nanos / 1e9);
  }
}
