package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 7: backups while writer threads run. Before each backup the test snapshots the set of
 * acknowledged event ids; the backup must pass integrity_check, be mode 600 in a 700 directory, and
 * hold every one of them. A copy of the last backup at a fresh path must open through the library
 * and pass quick_check (restore by copying the file).
 */
@Tag("reliability")
class BackupUnderLoadTest {
  static final int WRITERS = 3;
  static final int BACKUPS = 5;
  static final long MAX_WRITES_PER_THREAD = 5_000;

  @TempDir Path dir;

  @Test
  void backupsTakenWhileWritingHoldEveryAcknowledgedEvent() throws Exception {
    Path db = dir.resolve("live/swarm.db");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch warm = new CountDownLatch(500);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Path> backups = new ArrayList<>();
    long[] snapshotSizes = new long[BACKUPS];
    try (SwarmDB swarm = SwarmDB.open(SwarmDbConfig.builder(db).build())) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(
            pool.submit(
                () -> {
                  long k = 0;
                  while (!stop.get() && k < MAX_WRITES_PER_THREAD) {
                    if (k % 4 == 3) {
                      List<AgentEvent> batch = new ArrayList<>();
                      for (int i = 0; i < 20; i++) {
                        batch.add(event("w" + id + "-" + k + "-" + i));
                      }
                      swarm.events().appendAll(batch).forEach(e -> acked.add(e.eventId()));
                      for (int i = 0; i < 20; i++) {
                        warm.countDown();
                      }
                    } else {
                      acked.add(swarm.events().append(event("w" + id + "-" + k)).eventId());
                      warm.countDown();
                    }
                    k++;
                  }
                  return null;
                }));
      }
      assertThat(warm.await(120, TimeUnit.SECONDS)).isTrue();
      for (int b = 0; b < BACKUPS; b++) {
        Set<String> before = Set.copyOf(acked);
        snapshotSizes[b] = before.size();
        Path target = dir.resolve("backups/run-" + b + "/swarm-" + b + ".db");
        BackupResult result = swarm.maintenance().backupTo(target);
        assertThat(result.path()).isEqualTo(target.toAbsolutePath().normalize());
        assertThat(DbFiles.integrityCheck(target)).containsExactly("ok");
        assertThat(DbFiles.mode(target)).isEqualTo("600");
        assertThat(DbFiles.mode(target.getParent())).isEqualTo("700");
        assertThat(DbFiles.missing(before, DbFiles.eventIds(target)))
            .as("acknowledged before backup %d but missing from it", b)
            .isEmpty();
        backups.add(target);
      }
      stop.set(true);
      for (Future<?> f : writers) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    Path restored = dir.resolve("restored/swarm.db");
    Files.createDirectories(restored.getParent());
    Files.copy(backups.get(BACKUPS - 1), restored);
    try (SwarmDB swarm = SwarmDB.open(restored)) {
      assertThat(swarm.maintenance().quickCheck().ok()).isTrue();
      assertThat(swarm.events().count()).isGreaterThanOrEqualTo(snapshotSizes[BACKUPS - 1]);
    }
    System.out.printf(
        "FIGURES backup writers=%d backups=%d ackedBeforeEach=%s totalAcked=%d%n",
        WRITERS, BACKUPS, java.util.Arrays.toString(snapshotSizes), acked.size());
  }

  private static AgentEvent event(String id) {
    return AgentEvent.of("run", "agent-1", "worker", Map.of("id", id)).withEventId(id);
  }
}
