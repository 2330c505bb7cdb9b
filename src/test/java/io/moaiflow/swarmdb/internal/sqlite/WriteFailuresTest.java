package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.internal.WriteFailures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The writer-failure window and the free-space rule of health, on a stepped clock. */
class WriteFailuresTest {
  static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  final AtomicLong now = new AtomicLong(1_000 * SECOND);
  final WriteFailures failures = new WriteFailures(now::get);

  @Test
  void aFailureMakesItFailingUntilTheNextCommit() {
    assertThat(failures.problem()).isNull();
    now.addAndGet(5);
    failures.failed(ErrorCode.DISK_FULL, "append failed: disk full");
    now.addAndGet(SECOND / 2);
    assertThat(failures.problem())
        .startsWith("writes are failing: 1 failed write transaction(s) in the last 60 s")
        .contains("{DISK_FULL=1}")
        .contains("500 ms ago")
        .contains("DISK_FULL: append failed: disk full");
    now.addAndGet(1);
    failures.succeeded();
    assertThat(failures.problem()).isNull();
    assertThat(failures.recent()).containsExactly(Map.entry(ErrorCode.DISK_FULL, 1L));
  }

  @Test
  void aFailureExpiresAfterTheWindowAtTheLimit() {
    failures.failed(ErrorCode.IO_ERROR, "io");
    long window = WriteFailures.WINDOW_SECONDS * SECOND;
    now.addAndGet(window - 1);
    assertThat(failures.problem()).as("limit - 1 ns").isNotNull();
    now.addAndGet(1);
    assertThat(failures.problem()).as("at the limit").isNull();
    now.addAndGet(1);
    assertThat(failures.problem()).as("limit + 1 ns").isNull();
  }

  @Test
  void aFailureAfterACommitCountsAgain() {
    failures.succeeded();
    now.addAndGet(1);
    failures.failed(ErrorCode.BUSY, "busy");
    assertThat(failures.problem()).contains("{BUSY=1}");
  }

  @Test
  void callerErrorsAreNotWriterFailures() {
    for (ErrorCode c : ErrorCode.values()) {
      if (!c.isDatabaseError()) {
        failures.failed(c, c.name());
      }
    }
    assertThat(failures.problem()).isNull();
    assertThat(failures.recent()).isEmpty();
  }

  @Test
  void theWindowCountsTheLastSixtySecondsByCode() {
    failures.failed(ErrorCode.DISK_FULL, "a");
    now.addAndGet(30 * SECOND);
    failures.failed(ErrorCode.DISK_FULL, "b");
    failures.failed(ErrorCode.IO_ERROR, "c");
    assertThat(failures.recent())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(ErrorCode.DISK_FULL, 2L, ErrorCode.IO_ERROR, 1L));
    now.addAndGet(31 * SECOND); // the first failure's second has left the window
    assertThat(failures.recent())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(ErrorCode.DISK_FULL, 1L, ErrorCode.IO_ERROR, 1L));
    assertThat(failures.problem()).contains("2 failed write transaction(s)");
    now.addAndGet(60 * SECOND);
    assertThat(failures.recent()).isEmpty();
    // a slot reused a window later starts from zero
    failures.failed(ErrorCode.CORRUPT, "d");
    assertThat(failures.recent()).containsExactly(Map.entry(ErrorCode.CORRUPT, 1L));
  }

  /** 8 threads x 5,000 failures, 20 rounds: no count is lost. */
  @Test
  void concurrentFailuresAreAllCounted() throws Exception {
    int threads = 8;
    int each = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        WriteFailures shared = new WriteFailures(now::get);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          ErrorCode code = t % 2 == 0 ? ErrorCode.DISK_FULL : ErrorCode.IO_ERROR;
          done.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                      shared.failed(code, "x");
                      shared.succeeded();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertThat(shared.recent())
            .as("round " + round)
            .containsExactlyInAnyOrderEntriesOf(
                Map.of(
                    ErrorCode.DISK_FULL, (long) threads / 2 * each,
                    ErrorCode.IO_ERROR, (long) threads / 2 * each));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void freeSpaceBelowTheMinimumIsAProblemAtLimitMinusOneOnly() {
    Path file = Path.of("/data/swarm.db");
    long min = 64L * 1024 * 1024;
    assertThat(SqliteInspector.freeSpaceProblem(file, min + 1, min)).isNull();
    assertThat(SqliteInspector.freeSpaceProblem(file, min, min)).isNull();
    assertThat(SqliteInspector.freeSpaceProblem(file, min - 1, min))
        .isEqualTo(
            "free space on the filesystem holding /data/swarm.db is 67108863 bytes (64.0 MiB),"
                + " below the minimum of 67108864 bytes (64.0 MiB); writes fail with DISK_FULL"
                + " when it runs out: free space (or delete old events with 'swarmdb cleanup'),"
                + " or lower minFreeSpaceBytes");
    assertThat(SqliteInspector.freeSpaceProblem(file, 0, 0)).as("0 turns the check off").isNull();
  }
}
