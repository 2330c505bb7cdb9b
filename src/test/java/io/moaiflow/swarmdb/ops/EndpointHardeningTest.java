package io.moaiflow.swarmdb.ops;

import static io.moaiflow.swarmdb.ops.OpsTestSupport.get;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 item 11: 300 slow connections are cut after the request time limit while /health stays
 * responsive, and a soak keeps threads, file descriptors and resident memory flat. Bounded in count
 * and time; loopback only.
 */
@Tag("reliability")
class EndpointHardeningTest {
  /** Soak length; override with -Dswarmdb.soakSeconds=N for a longer run. */
  private static final long SOAK_SECONDS = Long.getLong("swarmdb.soakSeconds", 45);

  @TempDir Path dir;
  SwarmDB db;
  OpsServer server;

  @BeforeEach
  void open() {
    db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build());
    server = OpsServer.start(db, options().build());
  }

  @AfterEach
  void close() {
    server.close();
    db.close();
  }

  @Test
  void threeHundredSlowConnectionsAreCutWhileHealthAnswers() throws Exception {
    int port = server.port();
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        // a request whose headers never end (slowloris)
        out.write(
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(get(port, "/health").statusCode())
            .as("probe %d with 300 slow clients", i)
            .isEqualTo(200);
      }
      int cut = 0;
      for (Socket s : slow) {
        try {
          if (s.getInputStream().read() == -1) {
            cut++;
          }
        } catch (IOException reset) {
          cut++; // a reset is a cut too
        }
      }
      assertThat(cut).as("slow connections closed by the server").isEqualTo(300);
      assertThat(get(port, "/health").statusCode()).isEqualTo(200);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aSoakKeepsThreadsDescriptorsAndMemoryFlat() throws Exception {
    int port = server.port();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch writerDone = new CountDownLatch(1);
    Thread writer =
        new Thread(
            () -> {
              try {
                int i = 0;
                while (!stop.get()) {
                  db.events().append(AgentEvent.of("run", "agent-" + (i++ % 50), null, Map.of()));
                }
              } finally {
                writerDone.countDown();
              }
            },
            "soak-writer");
    writer.start();
    try {
      // warm up: thread pools, JIT, class loading
      for (int i = 0; i < 2_000; i++) {
        get(port, i % 2 == 0 ? "/health" : "/metrics");
      }
      System.gc();
      Sample before = Sample.take();
      long requests = 0;
      long end = System.nanoTime() + Duration.ofSeconds(SOAK_SECONDS).toNanos();
      while (System.nanoTime() < end) {
        int code = get(port, requests % 4 == 3 ? "/metrics" : "/health").statusCode();
        assertThat(code).isEqualTo(200);
        requests++;
      }
      System.gc();
      Sample after = Sample.take();
      System.err.printf(
          "soak %d s: %d requests; threads %d -> %d, fds %d -> %d, RSS %d -> %d KiB, heap %d -> %d"
              + " KiB%n",
          SOAK_SECONDS,
          requests,
          before.threads,
          after.threads,
          before.fds,
          after.fds,
          before.rssKiB,
          after.rssKiB,
          before.heapKiB,
          after.heapKiB);
      assertThat(after.threads).as("threads").isLessThanOrEqualTo(before.threads + 4);
      assertThat(after.fds).as("file descriptors").isLessThanOrEqualTo(before.fds + 16);
      assertThat(after.heapKiB).as("heap after GC").isLessThan(before.heapKiB + 64 * 1024);
      assertThat(after.rssKiB).as("resident memory").isLessThan(before.rssKiB + 192 * 1024);
    } finally {
      stop.set(true);
      writerDone.await();
    }
  }

  /** Threads, open descriptors, RSS and used heap of this JVM. */
  private record Sample(int threads, long fds, long rssKiB, long heapKiB) {
    static Sample take() throws IOException {
      long fds;
      try (var s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      long rss = 0;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
      return new Sample(ManagementFactory.getThreadMXBean().getThreadCount(), fds, rss, heap);
    }
  }
}
