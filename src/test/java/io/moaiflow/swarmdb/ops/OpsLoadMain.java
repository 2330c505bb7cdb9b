package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For {@code src/test/load/ops-load.sh}: opens a database in a new temporary directory, starts an
 * {@link OpsServer} on one port for all paths, appends events in the background (one every 5 ms by
 * default, as an agent swarm would), prints {@code READY port=N}, and runs until its standard input
 * closes. Usage: {@code OpsLoadMain [port [eventsPerSecond]]} (defaults 18080 and 200; port 0 picks
 * a free port).
 */
public final class OpsLoadMain {
  private OpsLoadMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    long pauseNanos = 1_000_000_000L / Math.max(1, perSecond);
    Path dir = Files.createTempDirectory("swarmdb-ops-load");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong appended = new AtomicLong();
    try (SwarmDB db = SwarmDB.open(dir.resolve("swarm.db"));
        OpsServer server =
            OpsServer.start(db, OpsOptions.builder().port(port).metricsPort(port).build())) {
      Thread writer =
          new Thread(
              () -> {
                String[] types = {"spawn", "progress", "complete"};
                long i = 0;
                while (running.get()) {
                  db.events()
                      .append(
                          AgentEvent.of(
                              types[(int) (i % 3)], "agent-" + (i % 50), "expert", Map.of("i", i)));
                  appended.incrementAndGet();
                  i++;
                  // paces the writer; this is a load generator, not a test
                  java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                }
              },
              "load-writer");
      writer.setDaemon(true);
      writer.start();
      System.out.println("READY port=" + server.port() + " db=" + dir.resolve("swarm.db"));
      System.out.flush();
      while (System.in.read() != -1) {
        // run until stdin closes
      }
      running.set(false);
      writer.join(10_000);
      System.out.println("appended " + appended.get() + " events");
    }
  }
}
