package io.moaiflow.swarmdb.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test (root only). {@link #close()} unmounts it (lazily if a process
 * still holds it) so no mount outlives the test.
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;
  private boolean mounted;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Tmpfs t = new Tmpfs(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString());
    t.mounted = true;
    return t;
  }

  Path dir() {
    return dir;
  }

  void remountReadOnly() throws IOException, InterruptedException {
    run("mount", "-o", "remount,ro", dir.toString());
  }

  void remountReadWrite() throws IOException, InterruptedException {
    run("mount", "-o", "remount,rw", dir.toString());
  }

  static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    String out;
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
      }
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
  }

  @Override
  public void close() throws IOException {
    if (!mounted) {
      return;
    }
    mounted = false;
    try {
      try {
        run("umount", dir.toString());
      } catch (IOException busy) {
        run("umount", "-l", dir.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + dir, e);
    }
  }
}
