package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM that holds a database open, as another process of the swarm would: {@link #start}
 * returns once it has opened the file, {@link #close} lets it close the database and exit.
 */
public final class HoldOpenProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader stdout;

  private HoldOpenProcess(Process process) {
    this.process = process;
    this.stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts the process on {@code db} and waits until it has the database open. */
  public static HoldOpenProcess start(Path db) throws Exception {
    HoldOpenProcess p =
        new HoldOpenProcess(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    HoldOpenProcess.class.getName(),
                    db.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
    try {
      String line;
      do {
        line = p.stdout.readLine(); // the child's default logging also writes to stdout
      } while (line != null && !line.equals("open"));
      assertThat(line).isEqualTo("open");
      return p;
    } catch (Exception | AssertionError e) {
      p.close();
      throw e;
    }
  }

  /** Closes the child's stdin, on which it closes the database and exits, and waits for it. */
  @Override
  public void close() throws IOException {
    stdout.close();
    process.getOutputStream().close();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the holding process to exit", e);
    }
  }

  /** The child: opens {@code args[0]}, prints "open", and holds it until stdin closes. */
  public static void main(String[] args) throws IOException {
    try (SwarmDB db = SwarmDB.open(Path.of(args[0]))) {
      db.inspect().health();
      System.out.println("open");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }
}
