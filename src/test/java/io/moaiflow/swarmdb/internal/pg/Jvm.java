package io.moaiflow.swarmdb.internal.pg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link PgWorker}, driven line by line. */
final class Jvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final OutputStream in;
  private final Path stderr;

  Jvm(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(PgWorker.class.getName());
    cmd.addAll(List.of(args));
    stderr = Files.createTempFile("swarmdb-worker", ".err");
    process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = process.getOutputStream();
  }

  /** Reads lines until one equals {@code line}; fails if the process ends first. */
  List<String> readUntil(String line) throws IOException {
    List<String> lines = new ArrayList<>();
    String l;
    while ((l = out.readLine()) != null) {
      if (l.equals(line)) {
        return lines;
      }
      lines.add(l);
    }
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    throw new IOException(
        "worker ended before printing '" + line + "'; it printed " + lines + "; stderr: " + err);
  }

  void go() throws IOException {
    in.write("go\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  int exit() throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(stderr);
    } catch (IOException e) {
      // a temp file; the OS cleans it up
    }
  }
}
