package io.moaiflow.swarmdb.reliability;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
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

  /** Mounts a tmpfs of {@code size} at {@code parent/mnt}; when not root, skips {@code test}. */
  static Tmpfs mountAsRoot(Path parent, String size, String test)
      throws IOException, InterruptedException {
    assumeTrue(
        DbFiles.isRoot(), test + " needs root to mount a tmpfs (CI runs as root); not run here");
    Path dir = parent.resolve("mnt");
    Files.createDirectories(dir);
    Tmpfs t = new Tmpfs(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString());
    t.mounted = true;
    return t;
  }

  Path dir() {
    return dir;
  }

  /** Writes a file of {@code bytes} zero bytes named {@code name} here, to take the space. */
  Path fill(String name, long bytes) throws IOException {
    Path file = dir.resolve(name);
    byte[] chunk = new byte[1024 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < bytes; done += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - done));
      }
    }
    return file;
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
