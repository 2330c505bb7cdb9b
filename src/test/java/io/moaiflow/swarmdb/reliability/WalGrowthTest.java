package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 6: WAL growth under a long reader. A plain JDBC connection (not the library's) holds a read
 * transaction while 20,000 rows commit. The WAL cannot be reset meanwhile, so it grows past the
 * checkpoint threshold, and the size metric shows it. Commits must not stall on the post-commit
 * checkpoint while the reader holds its snapshot. Once the reader ends, the next commit truncates
 * the WAL back under journal_size_limit.
 */
@Tag("reliability")
class WalGrowthTest {
  static final int ROWS = 20_000;
  static final int BATCH = 250;
  static final long THRESHOLD = 1L << 20;
  static final long JOURNAL_LIMIT = 512L * 1024;

  @TempDir Path dir;

  @Test
  void walGrowsUnderALongReaderAndIsTruncatedAfterIt() throws Exception {
    Path db = dir.resolve("wal.db");
    Duration busy = Duration.ofSeconds(10);
    SwarmDbConfig config =
        SwarmDbConfig.builder(db)
            .busyTimeout(busy)
            .walCheckpointThresholdBytes(THRESHOLD)
            .journalSizeLimitBytes(JOURNAL_LIMIT)
            .build();
    try (SwarmDB swarm = SwarmDB.open(config)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-0", null, Map.of()));
      long maxWal = 0;
      long slowestCommitNanos = 0;
      long walWhileReading;
      try (Connection reader = DbFiles.readOnly(db);
          Statement st = reader.createStatement()) {
        reader.setAutoCommit(false);
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).isEqualTo(1);
        }
        for (int done = 0; done < ROWS; done += BATCH) {
          List<AgentEvent> batch = new ArrayList<>();
          for (int i = 0; i < BATCH; i++) {
            batch.add(AgentEvent.of("run", "agent-" + (i % 16), "worker", Map.of("n", done + i)));
          }
          long start = System.nanoTime();
          swarm.events().appendAll(batch);
          slowestCommitNanos = Math.max(slowestCommitNanos, System.nanoTime() - start);
          maxWal = Math.max(maxWal, swarm.inspect().walSizeBytes());
        }
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).as("the reader kept its snapshot").isEqualTo(1);
        }
        walWhileReading = swarm.inspect().health().walSizeBytes();
        reader.commit();
      }
      assertThat(maxWal)
          .as("WAL grew past the threshold under the reader")
          .isGreaterThan(THRESHOLD);
      assertThat(walWhileReading).as("health() WAL size").isGreaterThan(THRESHOLD);
      // A stalled post-commit checkpoint waits the whole busy timeout (10 s) on every commit; a
      // healthy commit of 250 rows takes milliseconds. Half the timeout separates the two.
      assertThat(Duration.ofNanos(slowestCommitNanos))
          .as("no commit waited on the checkpoint while the reader held its snapshot")
          .isLessThan(busy.dividedBy(2));
      // The writer checks the WAL after every commit (after releasing the caller), so the append
      // below is the commit whose checkpoint finds no reader; the one after it waits for that.
      swarm.events().append(AgentEvent.of("complete", "agent-0", null, Map.of()));
      swarm.events().append(AgentEvent.of("complete", "agent-0", null, Map.of()));
      long after = swarm.inspect().walSizeBytes();
      assertThat(after).as("WAL after the reader ended").isLessThanOrEqualTo(JOURNAL_LIMIT);
      assertThat(swarm.events().count()).isEqualTo(ROWS + 3);
      System.out.printf(
          "FIGURES wal rows=%d maxWalBytes=%d walAfterBytes=%d thresholdBytes=%d"
              + " journalLimitBytes=%d slowestCommitMs=%d%n",
          ROWS, maxWal, after, THRESHOLD, JOURNAL_LIMIT, slowestCommitNanos / 1_000_000);
    }
  }
}
