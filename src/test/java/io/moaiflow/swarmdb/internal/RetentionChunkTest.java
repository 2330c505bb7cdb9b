package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event retention deletes in chunks whose size follows the measured time of the last one. */
class RetentionChunkTest {
  @TempDir Path dir;

  private static final long TARGET = Retention.EVENT_CHUNK_TARGET_NANOS;

  @Test
  void aSlowChunkHalvesTheNextAndAFastOneDoublesIt() {
    assertThat(Retention.nextEventChunk(1_000, 3 * TARGET)).isEqualTo(500);
    assertThat(Retention.nextEventChunk(1_000, TARGET / 4)).isEqualTo(2_000);
    assertThat(Retention.nextEventChunk(1_000, TARGET)).isEqualTo(1_000);
  }

  @Test
  void chunksStayWithinTheirBounds() {
    assertThat(Retention.nextEventChunk(Retention.EVENT_CHUNK_MIN, 10 * TARGET))
        .isEqualTo(Retention.EVENT_CHUNK_MIN);
    assertThat(Retention.nextEventChunk(Retention.EVENT_CHUNK_MAX, 0))
        .isEqualTo(Retention.EVENT_CHUNK_MAX);
  }

  @Test
  void deletesEveryOldEventAcrossManyChunksAndKeepsTheRest() {
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    SwarmDbConfig config =
        SwarmDbConfig.builder(dir.resolve("swarm.db"))
            .clock(Clock.fixed(now, ZoneOffset.UTC))
            .build();
    try (SqliteDatabase db = SqliteDatabase.open(config)) {
      EventStore events = db.daos().events();
      int old = 3 * Retention.EVENT_CHUNK_START + 17; // several chunks, the last one partial
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 0; i < old; i++) {
        batch.add(
            AgentEvent.of("step", "agent-" + (i % 13), null, Map.of())
                .withTimestamp(now.minus(Duration.ofDays(40)).plusSeconds(i)));
      }
      for (int i = 0; i < 25; i++) {
        batch.add(
            AgentEvent.of("step", "agent-" + i, null, Map.of())
                .withTimestamp(now.minus(Duration.ofDays(1)).plusSeconds(i)));
      }
      events.appendAll(batch);

      long deleted = db.daos().maintenance().deleteEventsOlderThan(Duration.ofDays(30));

      assertThat(deleted).isEqualTo(old);
      assertThat(events.count()).isEqualTo(25);
      assertThat(events.query(EventQuery.all().limit(100)))
          .allMatch(e -> e.timestamp().isAfter(now.minus(Duration.ofDays(2))));
      assertThat(db.daos().maintenance().deleteEventsOlderThan(Duration.ofDays(30))).isZero();
    }
  }
}
