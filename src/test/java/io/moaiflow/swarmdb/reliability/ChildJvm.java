package io.moaiflow.swarmdb.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A child JVM running one of the test-scope main classes in this package with the test classpath.
 * Its stdout is read line by line on a daemon thread; lines are kept in order. {@link #close()}
 * kills it (SIGKILL) if it still runs, so a test that fails never leaves a process behind.
 */
final class ChildJvm implements AutoCloseable {
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final String STOP = "\u0000eof";

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final Thread reader;
  private final Writer stdin;
  private final @Nullable Path stderr;

  private ChildJvm(Process process, @Nullable Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), UTF_8);
    this.reader = new Thread(this::pump, "child-stdout-" + process.pid());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts {@code java -cp <test classpath> main args...}.
   *
   * @param main the main class
   * @param stderr where the child's stderr goes (read it when a test fails)
   * @param umask when not null, the child is started through {@code sh -c 'umask U; exec java'}
   * @param classpathPrefix a directory put before the test classpath, or null
   */
  static ChildJvm start(
      Class<?> main,
      Path stderr,
      String umask,
      Path classpathPrefix,
      List<String> jvmArgs,
      String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA);
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    String cp = testClasspath();
    cmd.add(classpathPrefix == null ? cp : classpathPrefix + java.io.File.pathSeparator + cp);
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    List<String> full = cmd;
    if (umask != null) {
      StringBuilder sh = new StringBuilder("umask " + umask + "; exec");
      for (String c : cmd) {
        sh.append(" '").append(c.replace("'", "'\\''")).append('\'');
      }
      full = List.of("/bin/sh", "-c", sh.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(full);
    pb.redirectError(stderr.toFile());
    return new ChildJvm(pb.start(), stderr);
  }

  /**
   * Starts {@code java -cp <test classpath> main args...} with {@code env} entries ({@code
   * NAME=value}) added to the environment and stderr merged into the stdout that {@link #awaitLine}
   * reads.
   */
  static ChildJvm startMergingStderr(Class<?> main, List<String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of("-cp", testClasspath(), main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    for (String e : env) {
      int eq = e.indexOf('=');
      pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
    }
    pb.redirectErrorStream(true);
    return new ChildJvm(pb.start(), null);
  }

  static ChildJvm start(Class<?> main, Path stderr, String... args) throws IOException {
    return start(main, stderr, null, null, List.of(), args);
  }

  /**
   * Starts {@code count} {@link ReliabilityChild}ren, child i with the arguments {@code args(i)}
   * and its stderr in {@code dir/<name>-i.err}, and waits until each printed READY; the caller
   * closes them. When one fails to start or to get ready, all are closed.
   */
  static List<ChildJvm> startReady(int count, Path dir, String name, IntFunction<String[]> args)
      throws Exception {
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        children.add(
            start(ReliabilityChild.class, dir.resolve(name + "-" + i + ".err"), args.apply(i)));
      }
      for (ChildJvm c : children) {
        c.awaitReady();
      }
      return children;
    } catch (Exception | AssertionError e) {
      children.forEach(ChildJvm::close);
      throw e;
    }
  }

  /** Sends {@code line} to every child. */
  static void sendAll(List<ChildJvm> children, String line) throws IOException {
    for (ChildJvm c : children) {
      c.send(line);
    }
  }

  /** The test classpath: surefire's (it may run tests from a manifest-only jar) or ours. */
  static String testClasspath() {
    String surefire = System.getProperty("surefire.test.class.path");
    if (surefire != null && !surefire.isBlank()) {
      return surefire;
    }
    return System.getProperty("java.class.path");
  }

  private void pump() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        pending.add(line);
      }
    } catch (IOException e) {
      // the child was killed mid-line; what was read stays recorded
    } finally {
      pending.add(STOP);
    }
  }

  /**
   * Waits for the next line starting with {@code prefix}, skipping others (for example logging).
   *
   * @return the line, or null when the child's stdout ended or the timeout passed
   */
  String awaitLine(String prefix, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      String line = pending.poll(left, TimeUnit.NANOSECONDS);
      if (line == null || STOP.equals(line)) {
        if (line != null) {
          pending.add(STOP);
        }
        return null;
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Asserts the child prints READY within 120 s. */
  void awaitReady() throws InterruptedException {
    assertThat(awaitLine("READY", 120)).as("stderr: %s", stderrText()).isNotNull();
  }

  /** Sends one line to the child's stdin. */
  void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Closes the child's stdin (a child that reads it to the end then finishes). */
  void endInput() throws IOException {
    stdin.close();
  }

  /**
   * SIGTERM; {@link #waitFor} then gives the exit code. Through the process handle, because {@link
   * Process#destroy()} also closes our end of the child's stdout, losing what it prints while it
   * shuts down.
   */
  void terminate() {
    if (!process.toHandle().destroy()) {
      throw new IllegalStateException("could not send SIGTERM to child " + process.pid());
    }
  }

  /** SIGKILL, then waits for the process to be gone and for its stdout to be drained. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 30 s");
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** Waits for a normal exit; kills the child when it does not exit in time. */
  int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      throw new IllegalStateException(
          "child did not exit within " + timeoutSeconds + " s; killed. stderr: " + stderrText());
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Every stdout line read so far, in order. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  String stderrText() {
    if (stderr == null) {
      return String.join("\n", lines);
    }
    try {
      String s = Files.readString(stderr, UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the child is gone; its pipe may already be closed
    }
  }
}
