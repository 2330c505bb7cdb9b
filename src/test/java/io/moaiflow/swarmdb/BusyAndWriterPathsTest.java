package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer under another process's lock, WAL truncation, and batch collection with a wait. */
class BusyAndWriterPathsTest {
  @TempDir Path dir;

  @Test
  void aLockHeldPastTheBusyTimeoutFailsEveryWriteWithBusyThenRecovers() throws Exception {
    Path file = dir.resolve("busy.db");
    SwarmDbConfig config = SwarmDbConfig.builder(file).busyTimeout(Duration.ofMillis(100)).build();
    try (SwarmDB db = SwarmDB.open(config)) {
      db.events().append(AgentEvent.of("run", "a", null, Map.of()));
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement st = other.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        SwarmDbException e =
            assertFails(
                ErrorCode.BUSY,
                () -> db.events().append(AgentEvent.of("run", "a", null, Map.of())));
        assertThat(e.getMessage()).contains("busy timeout", file.getFileName().toString());
        assertThat(e.sqliteResultCode() & 0xff).isEqualTo(5);
        List<CompletableFuture<AgentEvent>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          queued.add(db.events().appendAsync(AgentEvent.of("run", "b", null, Map.of())));
        }
        for (CompletableFuture<AgentEvent> f : queued) {
          ExecutionException x =
              org.assertj.core.api.Assertions.catchThrowableOfType(
                  ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
          assertThat(((SwarmDbException) x.getCause()).code()).isEqualTo(ErrorCode.BUSY);
        }
        var health = db.inspect().health();
        assertThat(health.healthy()).isFalse();
        assertThat(health.problems()).anyMatch(p -> p.startsWith("write probe failed"));
        assertThat(db.events().count()).as("reads still work").isEqualTo(1);
        st.execute("ROLLBACK");
      }
      db.events().append(AgentEvent.of("run", "a", null, Map.of()));
      assertThat(db.events().count()).isEqualTo(2);
      assertThat(db.inspect().writerStats().failures()).isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void theWalIsTruncatedWhenItPassesTheThreshold() {
    SwarmDbConfig config =
        SwarmDbConfig.builder(dir.resolve("wal.db")).walCheckpointThresholdBytes(4096).build();
    try (SwarmDB db = SwarmDB.open(config)) {
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        batch.add(AgentEvent.of("run", "a", null, Map.of("pad", "x".repeat(200))));
      }
      db.events().appendAll(batch);
      // the writer truncates right after completing the callers' futures; the health probe is
      // queued behind that, so once it returns the checkpoint has run
      assertThat(db.inspect().health().healthy()).isTrue();
      assertThat(db.inspect().walSizeBytes()).isZero();
      assertThat(db.events().count()).isEqualTo(500);
    }
  }

  @Test
  void batchesCollectedWithAWaitStillCommitEveryWriteAndRunExclusiveWorkInOrder() {
    SwarmDbConfig config =
        SwarmDbConfig.builder(dir.resolve("wait.db"))
            .maxBatchWait(Duration.ofMillis(200))
            .maxBatchSize(3)
            .build();
    try (SwarmDB db = SwarmDB.open(config)) {
      List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of("i", i))));
      }
      CompletableFuture<AgentEvent> last =
          db.events().appendAsync(AgentEvent.of("run", "a", null, Map.of()));
      // exclusive work queued behind the appends runs after them
      assertThat(db.maintenance().checkpoint()).isZero();
      assertThat(last).isDone();
      futures.forEach(f -> assertThat(f.join().isStored()).isTrue());
      assertThat(db.events().count()).isEqualTo(11);
    }
  }
}
