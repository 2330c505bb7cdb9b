package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 2: disk full. The database lives on a 2 MiB tmpfs beside a 1 MiB filler file; appends
 * (single and batched) run until the disk is full. The failure must be DISK_FULL naming the file,
 * the last acknowledged event readable, every row and batch whole, and writes must work again once
 * the filler is deleted. Needs root for the mount: skipped with a message otherwise.
 */
@Tag("reliability")
class DiskFullTest {
  static final int BATCH = 10;
  static final String PAD = "p".repeat(2_000);

  @TempDir Path dir;

  @Test
  void diskFullIsReportedRolledBackAndRecoverable() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "2m", "the disk-full test")) {
      Path db = fs.dir().resolve("full.db");
      Path filler = fs.fill("filler.bin", 1024 * 1024);
      SwarmDbException failure = null;
      AgentEvent lastAcked = null;
      int acked = 0;
      try (SwarmDB swarm = SwarmDB.open(db)) {
        for (int i = 0; i < 100_000 && failure == null; i++) {
          try {
            if (i % 2 == 0) {
              lastAcked = swarm.events().append(event("s" + i));
              acked++;
            } else {
              List<AgentEvent> batch = new ArrayList<>();
              for (int k = 0; k < BATCH; k++) {
                batch.add(event("b" + i + "-" + k));
              }
              List<AgentEvent> stored = swarm.events().appendAll(batch);
              lastAcked = stored.get(stored.size() - 1);
              acked += BATCH;
            }
          } catch (SwarmDbException e) {
            failure = e;
          }
        }
        assertThat(failure).as("the disk filled up").isNotNull();
        assertThat(failure.code())
            .as(String.valueOf(failure.getMessage()))
            .isEqualTo(ErrorCode.DISK_FULL);
        assertThat(failure.getMessage()).contains(db.toString()).contains("Free space");
        assertThat(lastAcked).isNotNull();
        AgentEvent last = lastAcked;
        assertThat(swarm.events().get(last.eventId()))
            .hasValueSatisfying(e -> assertThat(e.sameContent(last)).isTrue());
        assertWhole(swarm);
        long rowsAtFailure = swarm.events().count();
        assertThat(rowsAtFailure).isEqualTo(acked);

        Files.delete(filler);
        AgentEvent again = swarm.events().append(event("after-free"));
        assertThat(swarm.events().get(again.eventId())).isPresent();
        List<AgentEvent> batch = new ArrayList<>();
        for (int k = 0; k < BATCH; k++) {
          batch.add(event("bafter-" + k));
        }
        assertThat(swarm.events().appendAll(batch)).hasSize(BATCH);
        assertWhole(swarm);
        assertThat(swarm.maintenance().integrityCheck().problems()).isEmpty();
        System.out.printf(
            "FIGURES diskfull tmpfsBytes=%d ackedBeforeFull=%d rowsFound=%d code=%s sqlite=%d%n",
            2 * 1024 * 1024, acked, rowsAtFailure, failure.code(), failure.sqliteResultCode());
      }
      assertThat(DbFiles.integrityCheck(db)).containsExactly("ok");
      assertThat(DbFiles.queryLong(db, "SELECT count(*) FROM agent_events"))
          .isEqualTo(acked + 1 + BATCH);
    }
  }

  private static AgentEvent event(String id) {
    return AgentEvent.of("run", "agent-1", "worker", Map.of("pad", PAD, "id", id)).withEventId(id);
  }

  /** Every row has its full metadata and every batch is complete. */
  private static void assertWhole(SwarmDB swarm) {
    Map<String, Integer> batches = new HashMap<>();
    try (Stream<AgentEvent> s = swarm.events().stream(EventQuery.all())) {
      s.forEach(
          e -> {
            assertThat(e.metadata()).containsEntry("pad", PAD).containsEntry("id", e.eventId());
            if (e.eventId().startsWith("b")) {
              batches.merge(
                  e.eventId().substring(0, e.eventId().lastIndexOf('-')), 1, Integer::sum);
            }
          });
    }
    assertThat(batches.values()).allMatch(n -> n == BATCH);
  }
}
