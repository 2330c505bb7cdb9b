package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.health.DatabaseInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpeningTest {
  static final Set<PosixFilePermission> RW = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> RWX = PosixFilePermissions.fromString("rwx------");

  @TempDir Path dir;

  @Test
  void createsDirectories0700AndFiles0600() throws Exception {
    Path file = dir.resolve("a/b/c/swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      assertThat(db.path()).contains(file.toAbsolutePath().normalize());
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(RW);
      assertThat(Files.getPosixFilePermissions(Path.of(file + "-wal"))).isEqualTo(RW);
      assertThat(Files.getPosixFilePermissions(Path.of(file + "-shm"))).isEqualTo(RW);
      assertThat(db.toString()).contains(file.getFileName().toString());
    }
    for (Path d = file.getParent(); !d.equals(dir); d = d.getParent()) {
      assertThat(Files.getPosixFilePermissions(d)).as(d.toString()).isEqualTo(RWX);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"022", "000"})
  void modesHoldUnderAnyUmask(String umask) throws Exception {
    Path file = dir.resolve("u" + umask + "/x/swarm.db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "umask "
                    + umask
                    + " && exec \"$0\" -cp \"$1\" "
                    + OpenInChild.class.getName()
                    + " \"$2\"",
                java,
                System.getProperty("java.class.path"),
                file.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(RW);
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(RWX);
    assertThat(Files.getPosixFilePermissions(file.getParent().getParent())).isEqualTo(RWX);
  }

  @Test
  void openDefaultHonoursMoaiDbPath() throws Exception {
    Path file = dir.resolve("from-env/swarm.db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                OpenInChild.class.getName(),
                "--default")
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put(SwarmDbConfig.DB_PATH_ENV, file.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.events().count()).isEqualTo(1);
    }
    assertThat(Files.exists(dir.resolve(".moai"))).isFalse();
  }

  @Test
  void aSymlinkAtTheDatabasePathIsRefused() throws Exception {
    Path real = dir.resolve("real.db");
    SwarmDB.open(real).close();
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), real);
    assertInvalid(() -> SwarmDB.open(link), "symbolic link", "real path");
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling.db"), dir.resolve("nowhere.db"));
    assertInvalid(() -> SwarmDB.open(dangling), "symbolic link");
    assertThat(Files.exists(dir.resolve("nowhere.db"))).isFalse();
  }

  @Test
  void aDirectoryAtTheDatabasePathIsRefused() throws Exception {
    Path d = Files.createDirectory(dir.resolve("dir.db"));
    assertThat(assertFails(ErrorCode.IO_ERROR, () -> SwarmDB.open(d)).getMessage())
        .contains("not a regular file");
  }

  @Test
  void aFileThatIsNotADatabaseIsCorrupt() throws Exception {
    Path f = dir.resolve("junk.db");
    Files.write(
        f, "this is not a database, just some text that is long enough".repeat(100).getBytes());
    byte[] before = Files.readAllBytes(f);
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SwarmDB.open(f)).getMessage())
        .contains("not a SQLite database", "restore");
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
  }

  @Test
  void aParentThatIsAFileFailsWithIoError() throws Exception {
    Path blocker = Files.writeString(dir.resolve("blocker"), "x");
    assertThat(
            assertFails(ErrorCode.IO_ERROR, () -> SwarmDB.open(blocker.resolve("sub/swarm.db")))
                .getMessage())
        .contains("could not create directory");
  }

  @Test
  void pragmasAreSetAndReadBack() {
    try (SwarmDB db = SwarmDB.open(dir.resolve("p.db"))) {
      Map<String, String> p = db.inspect().info().pragmas();
      assertThat(p)
          .containsEntry("journal_mode", "wal")
          .containsEntry("synchronous", "1")
          .containsEntry("cache_size", "10000")
          .containsEntry("busy_timeout", "5000")
          .containsEntry("foreign_keys", "1")
          .containsEntry("temp_store", "2")
          .containsEntry("journal_size_limit", Long.toString(64L * 1024 * 1024));
    }
    SwarmDbConfig custom =
        SwarmDbConfig.builder(dir.resolve("q.db"))
            .synchronous(Synchronous.FULL)
            .busyTimeout(Duration.ofMillis(1234))
            .cacheSizePages(2000)
            .journalSizeLimitBytes(1 << 20)
            .walCheckpointThresholdBytes(1 << 20)
            .mmapSizeBytes(0)
            .readPoolSize(3)
            .maxBatchSize(50)
            .maxBatchWait(Duration.ofMillis(1))
            .writeQueueCapacity(100)
            .writeTimeout(Duration.ofSeconds(2))
            .backupBeforeMigrate(false)
            .quickCheckOnOpen(true)
            .build();
    try (SwarmDB db = SwarmDB.open(custom)) {
      assertThat(db.config()).isEqualTo(custom);
      Map<String, String> p = db.inspect().info().pragmas();
      assertThat(p)
          .containsEntry("synchronous", "2")
          .containsEntry("busy_timeout", "1234")
          .containsEntry("cache_size", "2000")
          .containsEntry("journal_size_limit", "1048576");
      for (int i = 0; i < 20; i++) {
        db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      }
      assertThat(db.events().count()).isEqualTo(20);
    }
  }

  @Test
  void quickCheckOnOpenPassesOnAnIntactFile() {
    Path file = dir.resolve("qc.db");
    SwarmDB.open(file).close();
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(file).quickCheckOnOpen(true).build())) {
      assertThat(db.config().quickCheckOnOpen()).isTrue();
    }
  }

  @Test
  void defaultPathComesFromTheEnvironmentElseTheDefault() {
    assertThat(SwarmDbConfig.defaultPath(null)).isEqualTo(Path.of(".moai/memory/swarm.db"));
    assertThat(SwarmDbConfig.defaultPath("  ")).isEqualTo(Path.of(SwarmDbConfig.DEFAULT_PATH));
    assertThat(SwarmDbConfig.defaultPath("/data/x.db")).isEqualTo(Path.of("/data/x.db"));
    String env = System.getenv(SwarmDbConfig.DB_PATH_ENV);
    assertThat(SwarmDbConfig.defaultPath()).isEqualTo(SwarmDbConfig.defaultPath(env));
  }

  @Test
  void configurationIsValidatedNamingTheField() {
    Path f = dir.resolve("c.db");
    assertInvalid(() -> SwarmDbConfig.builder(f).cacheSizePages(0).build(), "cacheSizePages is 0");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).readPoolSize(65).build(),
        "readPoolSize is 65",
        "between 1 and 64");
    assertInvalid(() -> SwarmDbConfig.builder(f).maxBatchSize(0).build(), "maxBatchSize");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).writeQueueCapacity(0).build(), "writeQueueCapacity");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).journalSizeLimitBytes(-1).build(), "journalSizeLimitBytes");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).walCheckpointThresholdBytes(10).build(),
        "walCheckpointThresholdBytes");
    assertInvalid(() -> SwarmDbConfig.builder(f).mmapSizeBytes(-5).build(), "mmapSizeBytes");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).busyTimeout(Duration.ofMillis(-1)).build(),
        "busyTimeout is -1");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).maxBatchWait(Duration.ofSeconds(2)).build(),
        "maxBatchWait is 2000");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).writeTimeout(Duration.ZERO).build(), "writeTimeout is 0");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).busyTimeout(Duration.ofSeconds(Long.MAX_VALUE)).build(),
        "busyTimeout");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).writeTimeout(Duration.ofSeconds(Long.MIN_VALUE)).build(),
        "writeTimeout");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).minFreeSpaceBytes(-1).build(),
        "minFreeSpaceBytes is -1 bytes; it must be between 0 and");
    assertThat(SwarmDbConfig.builder(f).minFreeSpaceBytes(0).build().minFreeSpaceBytes()).isZero();
    assertThat(SwarmDbConfig.builder(f).minFreeSpaceBytes(1).build().minFreeSpaceBytes())
        .isEqualTo(1);
    assertThat(SwarmDbConfig.builder(f).build().minFreeSpaceBytes())
        .isEqualTo(SwarmDbConfig.DEFAULT_MIN_FREE_SPACE_BYTES)
        .isEqualTo(64L * 1024 * 1024);
    assertInvalid(() -> SwarmDbConfig.builder(Path.of("file:x.db")).build(), "URI");
    assertInvalid(() -> SwarmDbConfig.builder(Path.of(" ")).build(), "blank");
  }

  @Test
  void inMemoryDatabasesWorkWithoutFiles() {
    try (SwarmDB db = SwarmDB.openInMemory()) {
      assertThat(db.path()).isEmpty();
      assertThat(db.config().isInMemory()).isTrue();
      assertThat(db.config().path()).isNull();
      db.sessions().start("s");
      db.sessions().memory("s").put("semantic", "k", 1);
      db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      assertThat(db.events().count()).isEqualTo(1);
      DatabaseInfo info = db.inspect().info();
      assertThat(info.path()).isEqualTo(":memory:");
      assertThat(info.pragmas()).containsEntry("journal_mode", "memory");
      assertThat(info.indexes()).hasSize(12);
      assertThat(db.inspect().sizeBytes()).isZero();
      assertThat(db.inspect().walSizeBytes()).isZero();
      assertThat(db.inspect().health().healthy()).isTrue();
      assertFails(ErrorCode.UNSUPPORTED, () -> db.maintenance().backupTo(dir.resolve("b.db")));
      assertFails(ErrorCode.UNSUPPORTED, () -> db.maintenance().checkpoint());
      assertThat(db.maintenance().vacuum()).isZero();
    }
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void everyCallAfterCloseFailsWithClosed() {
    Path file = dir.resolve("closed.db");
    SwarmDB db = SwarmDB.open(file);
    db.sessions().start("s");
    SessionMemory m = db.sessions().memory("s");
    db.close();
    db.close(); // idempotent
    assertThat(db.isClosed()).isTrue();
    List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls =
        List.of(
            () -> db.events().append(AgentEvent.of("spawn", "a", null, Map.of())),
            () -> db.events().appendAsync(AgentEvent.of("spawn", "a", null, Map.of())),
            () -> db.events().count(),
            () -> db.events().query(EventQuery.all()),
            () -> db.agents().register("a", "w"),
            () -> db.agents().active(),
            () -> db.sessions().start("t"),
            () -> m.put("semantic", "k", 1),
            () -> m.keys("semantic"),
            () -> db.migrator().status(),
            () -> db.migrator().migrate(),
            () -> db.inspect().info(),
            () -> db.maintenance().integrityCheck(),
            () -> db.maintenance().vacuum(),
            () -> db.maintenance().backupTo(dir.resolve("b.db")));
    for (var call : calls) {
      assertThat(assertFails(ErrorCode.CLOSED, call).getMessage()).contains("closed");
    }
    assertThat(db.inspect().health().healthy()).isFalse();
    assertThat(db.inspect().health().problems()).containsExactly("database is closed");
    assertThat(db.inspect().sizeBytes()).isPositive();
    assertThat(Files.exists(Path.of(file + "-wal"))).isFalse();
  }

  @Test
  void closeCommitsEveryQueuedAsyncAppend() throws Exception {
    Path file = dir.resolve("drain.db");
    SwarmDB db = SwarmDB.open(file);
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    db.addListener(
        new SwarmDbListener() {
          @Override
          public void onCommit(int writes, long nanos) {
            if (writerHeld.getCount() > 0) {
              writerHeld.countDown();
              await(release);
            }
          }
        });
    db.events().appendAsync(AgentEvent.of("spawn", "blocker", null, Map.of()));
    assertThat(writerHeld.await(30, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<AgentEvent>> queued = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      queued.add(db.events().appendAsync(AgentEvent.of("run", "a" + i, null, Map.of("i", i))));
    }
    assertThat(queued).noneMatch(CompletableFuture::isDone);
    Thread closer = new Thread(db::close);
    closer.start();
    release.countDown();
    closer.join();
    assertThat(db.isClosed()).isTrue();
    assertThat(queued).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    try (SwarmDB again = SwarmDB.open(file)) {
      assertThat(again.events().count()).isEqualTo(201);
    }
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
