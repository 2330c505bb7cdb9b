package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.cli.Main;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.ops.OpsOptions;
import io.moaiflow.swarmdb.ops.OpsServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 12 item 6: health tells the truth while appends fail with DISK_FULL, on a real full tmpfs,
 * and returns to healthy once writes succeed again. Needs root for the mount: skipped with a
 * message otherwise.
 */
@Tag("reliability")
class DiskFullHealthTest {
  static final String PAD = "p".repeat(2_000);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  /**
   * With the default minimum free space (64 MiB) on an 80 MiB tmpfs: both rules fire in the library
   * and on /health; the CLI, a separate instance with no failed writes of its own, reports the free
   * space. Freeing space alone does not clear the library's writer rule; the next successful append
   * does.
   */
  @Test
  void unhealthyWhileAppendsFailHealthyOnceTheyWork() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "80m", "the disk-full health test")) {
      Path db = fs.dir().resolve("full.db");
      Path filler = fs.fill("filler.bin", 79L * 1024 * 1024);
      try (SwarmDB swarm = SwarmDB.open(db);
          OpsServer ops =
              OpsServer.start(
                  swarm,
                  OpsOptions.builder()
                      .port(0)
                      .metricsPort(0)
                      .healthCacheTtl(Duration.ZERO)
                      .build())) {
        SwarmDbException failure = appendUntilFull(swarm);
        assertThat(failure.code()).isEqualTo(ErrorCode.DISK_FULL);

        HealthReport full = swarm.inspect().health();
        assertThat(full.healthy()).as(full.problems().toString()).isFalse();
        assertThat(full.problems())
            .anyMatch(p -> p.startsWith("writes are failing") && p.contains("DISK_FULL"))
            .anyMatch(p -> p.startsWith("free space") && p.contains("minimum of 67108864 bytes"));
        assertThat(full.recentWriteFailures()).containsKey(ErrorCode.DISK_FULL);
        assertThat(full.usableBytes()).isBetween(0L, SwarmDbConfig.DEFAULT_MIN_FREE_SPACE_BYTES);
        assertThat(full.minFreeBytes()).isEqualTo(SwarmDbConfig.DEFAULT_MIN_FREE_SPACE_BYTES);
        HttpResponse<String> http = health(ops.port());
        assertThat(http.statusCode()).as(http.body()).isEqualTo(503);
        assertThat(http.body()).contains("\"unhealthy\"").contains("DISK_FULL");
        Cli cli = cli(db, "health");
        assertThat(cli.code).as(cli.toString()).isEqualTo(1);
        assertThat(cli.out).contains("unhealthy").contains("free space");
        Cli verify = cli(db, "verify");
        assertThat(verify.code).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out).contains("FAIL free space on the filesystem holding");

        Files.delete(filler);
        HealthReport freed = swarm.inspect().health();
        assertThat(freed.healthy()).as("space is free, but no write has succeeded yet").isFalse();
        assertThat(freed.problems()).hasSize(1).allMatch(p -> p.startsWith("writes are failing"));
        assertThat(health(ops.port()).statusCode()).isEqualTo(503);

        swarm.events().append(event("after-free"));
        HealthReport again = swarm.inspect().health();
        assertThat(again.healthy()).as(again.problems().toString()).isTrue();
        assertThat(again.recentWriteFailures())
            .as("the window still holds the failures")
            .containsKey(ErrorCode.DISK_FULL);
        assertThat(health(ops.port()).statusCode()).isEqualTo(200);
        Cli ok = cli(db, "health");
        assertThat(ok.code).as(ok.toString()).isZero();
        Cli verified = cli(db, "verify");
        assertThat(verified.code).as(verified.toString()).isZero();
        System.out.printf(
            "FIGURES diskfull-health tmpfsBytes=%d usableWhenFull=%d usableAfterFree=%d"
                + " failuresInWindow=%s%n",
            80L * 1024 * 1024, full.usableBytes(), again.usableBytes(), full.recentWriteFailures());
      }
    }
  }

  /**
   * With the free-space check off, the writer rule alone makes the library unhealthy while appends
   * fail and healthy at the first successful append.
   */
  @Test
  void writerFailuresAloneMakeItUnhealthy() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "2m", "the disk-full health test")) {
      Path db = fs.dir().resolve("full.db");
      Path filler = fs.fill("filler.bin", 1024 * 1024);
      try (SwarmDB swarm = SwarmDB.open(SwarmDbConfig.builder(db).minFreeSpaceBytes(0).build())) {
        assertThat(swarm.inspect().health().healthy()).isTrue();
        SwarmDbException failure = appendUntilFull(swarm);
        assertThat(failure.code()).isEqualTo(ErrorCode.DISK_FULL);
        HealthReport full = swarm.inspect().health();
        assertThat(full.healthy()).isFalse();
        assertThat(full.problems()).hasSize(1);
        assertThat(full.problems().get(0))
            .startsWith("writes are failing: 1 failed write transaction(s) in the last 60 s")
            .contains("{DISK_FULL=1}")
            .contains(db.toString());
        assertThat(full.minFreeBytes()).isZero();

        Files.delete(filler);
        assertThat(swarm.inspect().health().healthy()).isFalse();
        swarm.events().append(event("after-free"));
        assertThat(swarm.inspect().health().healthy()).isTrue();
      }
    }
  }

  static SwarmDbException appendUntilFull(SwarmDB swarm) {
    for (int i = 0; i < 100_000; i++) {
      try {
        List<AgentEvent> batch = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
          batch.add(event("b" + i + "-" + k));
        }
        swarm.events().appendAll(batch);
      } catch (SwarmDbException e) {
        return e;
      }
    }
    throw new AssertionError("the disk never filled up");
  }

  static AgentEvent event(String id) {
    return AgentEvent.of("run", "agent-1", "worker", Map.of("pad", PAD, "id", id)).withEventId(id);
  }

  private static HttpResponse<String> health(int port) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private record Cli(int code, String out, String err) {}

  private static Cli cli(Path db, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl =
        Main.newCommandLine(new Main(Map.of("MOAI_ENV", "production", "MOAI_LOG_LEVEL", "ERROR")));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--db", db.toString()));
    all.addAll(List.of(args));
    int code = cl.execute(all.toArray(String[]::new));
    return new Cli(code, out.toString(), err.toString());
  }
}
