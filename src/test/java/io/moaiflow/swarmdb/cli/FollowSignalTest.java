package io.moaiflow.swarmdb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmdb events --follow} in a child JVM: it prints events another process commits while it
 * follows, and Ctrl-C (a real SIGINT) ends it with exit 0 and no stack trace.
 */
class FollowSignalTest {
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path dir;

  /**
   * Whether this JVM ignores SIGINT, as a process started in the background of a non-interactive
   * shell does ({@code cmd &}); the child inherits that, and a JVM leaves an ignored SIGINT
   * ignored, so the signal this test sends could not reach it. Linux only ({@code /proc}).
   */
  static boolean sigintIgnored() throws java.io.IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status, UTF_8)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0x2) != 0;
      }
    }
    return false;
  }

  @Test
  void followShowsOtherProcessesEventsAndSigintExitsZero() throws Exception {
    assumeFalse(
        sigintIgnored(),
        "SIGINT is ignored by this JVM (it was started in the background of a non-interactive"
            + " shell, 'cmd &'), and so by the child: run the build in the foreground");
    Path db = SimulatedSwarm.write(dir.resolve("swarm.db"));
    Path err = dir.resolve("child.err");
    String cp = System.getProperty("surefire.test.class.path");
    ProcessBuilder pb =
        new ProcessBuilder(
            JAVA,
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp,
            Main.class.getName(),
            "--db",
            db.toString(),
            "events",
            "--follow",
            "--json",
            "--poll-ms",
            "50");
    pb.environment().put("MOAI_ENV", "production");
    pb.environment().put("MOAI_LOG_LEVEL", "WARN");
    pb.redirectError(err.toFile());
    Process child = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  lines.add(l);
                }
              } catch (java.io.IOException e) {
                // the child ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      awaitLines(lines, 10, child); // the backlog: the newest 10
      assertThat(lines.get(9)).contains("\"seq\":30");
      long call;
      long complete;
      try (SwarmDB w = SwarmDB.open(db)) {
        call =
            w.events()
                .append(AgentEvent.of("tool_call", "docs-1", "manager-docs", "s-gamma", Map.of()))
                .seq();
        complete =
            w.events()
                .append(AgentEvent.of("complete", "docs-1", "manager-docs", "s-gamma", Map.of()))
                .seq();
      }
      awaitLines(lines, 12, child);
      assertThat(lines.get(10)).contains("\"seq\":" + call + ",", "tool_call");
      assertThat(lines.get(11)).contains("\"seq\":" + complete + ",", "\"eventType\":\"complete\"");
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
      assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exits on SIGINT").isTrue();
      reader.join(10_000);
      String stderr = Files.readString(err, UTF_8);
      assertThat(child.exitValue()).as("stderr: %s", stderr).isZero();
      assertThat(stderr).doesNotContain("Exception", "\tat ");
      assertThat(lines).hasSize(12);
    } finally {
      child.destroyForcibly();
    }
  }

  private static void awaitLines(List<String> lines, int n, Process child)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (lines.size() < n && System.nanoTime() < deadline && child.isAlive()) {
      Thread.sleep(20);
    }
    assertThat(lines).as("stdout of the child").hasSizeGreaterThanOrEqualTo(n);
  }
}
