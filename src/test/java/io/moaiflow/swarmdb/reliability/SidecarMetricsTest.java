package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.cli.Main;
import io.moaiflow.swarmdb.metrics.SwarmDbMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 12 item 8: {@code swarmdb serve} as a sidecar describes the database, not its own process.
 * The sidecar runs here through the CLI entry point; a child JVM appends 224 events and registers
 * agents in the same file; the sidecar's {@code /metrics} shows them exactly.
 */
@Tag("reliability")
class SidecarMetricsTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Pattern PORTS = Pattern.compile(":(\\d+) \\(metrics port (\\d+)\\)");

  @TempDir Path dir;

  @Test
  void metricsOfTheSidecarShowWhatAnotherProcessWrote() throws Exception {
    Path db = dir.resolve("sidecar/swarm.db");
    LineLatch err = new LineLatch("serving ");
    CommandLine cl =
        Main.newCommandLine(new Main(Map.of("MOAI_ENV", "production", "MOAI_LOG_LEVEL", "ERROR")));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> serve =
        CompletableFuture.supplyAsync(
            () -> cl.execute("--db", db.toString(), "serve", "--port", "0", "--metrics-port", "0"));
    int metricsPort;
    try {
      assertThat(err.seen.await(60, TimeUnit.SECONDS)).as(err::toString).isTrue();
      Matcher m = PORTS.matcher(err.toString());
      assertThat(m.find()).as(err::toString).isTrue();
      metricsPort = Integer.parseInt(m.group(2));

      // a fresh database: the named series are there from the first scrape (an event type's
      // series from its first event)
      String first = scrape(metricsPort);
      assertThat(first)
          .doesNotContain("moai_flow_events_total")
          .contains("moai_flow_agents_active 0.0")
          .contains(
              "moai_flow_query_duration_seconds_count{operation=\"events.countByTypeAfter\"}");
      assertThat(gauge(first, "moai_flow_db_size_bytes")).isEqualTo(filesSize(db));

      try (ChildJvm child =
          ChildJvm.start(
              ReliabilityChild.class, dir.resolve("child.err"), "sidecar", db.toString())) {
        assertThat(child.awaitLine("DONE", 120)).as(child::stderrText).isEqualTo("DONE 224");
        assertThat(child.waitFor(60)).as(child::stderrText).isZero();
      }
      // the agent gauges are a snapshot of at most snapshotTtl: the first scrape's must expire
      Thread.sleep(SwarmDbMetrics.DEFAULT_SNAPSHOT_TTL.toMillis());

      String text = scrape(metricsPort);
      assertThat(text).contains("# TYPE moai_flow_events_total counter");
      long size = filesSize(db);
      assertThat(counter(text, "spawn")).isEqualTo(100);
      assertThat(counter(text, "run")).isEqualTo(80);
      assertThat(counter(text, "complete")).isEqualTo(44);
      Matcher all = Pattern.compile("(?m)^moai_flow_events_total\\{[^}]*} (\\S+)$").matcher(text);
      double sum = 0;
      int series = 0;
      while (all.find()) {
        sum += Double.parseDouble(all.group(1));
        series++;
      }
      assertThat(series).isEqualTo(3);
      assertThat(sum).isEqualTo(224.0);
      assertThat(gauge(text, "moai_flow_agents_active")).isEqualTo(4);
      assertThat(gauge(text, "moai_flow_db_size_bytes")).isEqualTo(size);

      // a second scrape reads only what is new: nothing, so the counts stay
      String again = scrape(metricsPort);
      assertThat(counter(again, "spawn")).isEqualTo(100);
      System.out.printf(
          "FIGURES sidecar events=%d spawn=%d run=%d complete=%d agentsActive=%d dbSizeBytes=%d%n",
          (long) sum,
          counter(text, "spawn"),
          counter(text, "run"),
          counter(text, "complete"),
          gauge(text, "moai_flow_agents_active"),
          size);
    } finally {
      stop(cl);
    }
    assertThat(serve.get(60, TimeUnit.SECONDS)).isZero();
  }

  /** Counts down the serve command's stop latch (package-private; reached by reflection). */
  private static void stop(CommandLine cl) throws ReflectiveOperationException {
    Object command = cl.getSubcommands().get("serve").getCommand();
    java.lang.reflect.Field f = command.getClass().getDeclaredField("stop");
    f.setAccessible(true);
    ((CountDownLatch) f.get(command)).countDown();
  }

  private static long filesSize(Path db) throws IOException {
    long total = 0;
    for (Path p : new Path[] {db, Path.of(db + "-wal"), Path.of(db + "-shm")}) {
      if (Files.exists(p)) {
        total += Files.size(p);
      }
    }
    return total;
  }

  private static long counter(String text, String type) {
    return value(text, "moai_flow_events_total{type=\"" + type + "\"}");
  }

  private static long gauge(String text, String name) {
    return value(text, name);
  }

  private static long value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(series + " in\n" + text).isTrue();
    double v = Double.parseDouble(m.group(1));
    assertThat(v).isEqualTo(Math.rint(v));
    return (long) v;
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /** A writer that remembers everything and counts down once a line with a prefix arrived. */
  static final class LineLatch extends Writer {
    final CountDownLatch seen = new CountDownLatch(1);
    private final StringBuilder text = new StringBuilder();
    private final String prefix;

    LineLatch(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      text.append(buf, off, len);
      int nl = text.indexOf("\n");
      if (nl >= 0 && text.indexOf(prefix) >= 0 && text.indexOf("\n", text.indexOf(prefix)) > 0) {
        seen.countDown();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public synchronized String toString() {
      return text.toString();
    }
  }
}
