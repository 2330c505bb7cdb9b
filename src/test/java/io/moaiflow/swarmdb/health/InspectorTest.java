package io.moaiflow.swarmdb.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SchemaV2;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
  @TempDir Path dir;

  @Test
  void infoReportsSchemaCountsIndexesPragmasAndPages() {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      for (int i = 0; i < 30; i++) {
        db.events().append(AgentEvent.of("spawn", "a" + i, null, Map.of()));
      }
      db.sessions().start("s");
      db.sessions().memory("s").put("semantic", "k", "v");
      db.agents().register("a", "w");
      DatabaseInfo info = db.inspect().info();
      assertThat(info.path()).isEqualTo(file.toAbsolutePath().toString());
      assertThat(info.sqliteVersion()).startsWith("3.");
      assertThat(info.schemaVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(info.latestSchemaVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(info.rowCounts())
          .containsExactly(
              Map.entry("agent_events", 30L),
              Map.entry("agents", 1L),
              Map.entry("sessions", 1L),
              Map.entry("session_memory", 1L),
              Map.entry("schema_history", (long) io.moaiflow.swarmdb.SchemaV7.LATEST),
              Map.entry("scoped_memory", 0L),
              Map.entry("swarm_settings", 1L),
              // the history: the memory write, the session start, the registration
              Map.entry("memory_history", 1L),
              Map.entry("agent_history", 1L),
              Map.entry("session_history", 1L));
      assertThat(info.indexes())
          .containsExactly(SchemaV2.SQLITE_INDEXES.toArray(String[]::new))
          .hasSize(12);
      assertThat(info.pragmas()).containsEntry("journal_mode", "wal").containsKey("page_size");
      assertThat(info.pageSize()).isEqualTo(4096);
      assertThat(info.pageCount()).isPositive();
      assertThat(info.freelistCount()).isNotNegative();
      FileSizes files = info.files();
      assertThat(files.mainBytes()).isPositive();
      assertThat(files.walBytes()).isPositive();
      assertThat(files.totalBytes())
          .isEqualTo(files.mainBytes() + files.walBytes() + files.shmBytes());
      long size = db.inspect().sizeBytes();
      assertThat(size).isEqualTo(filesTotal(file));
      assertThat(db.inspect().walSizeBytes()).isEqualTo(sizeOf(Path.of(file + "-wal")));
      WriterStats stats = db.inspect().writerStats();
      assertThat(stats.transactions()).isPositive();
      assertThat(stats.writes()).isGreaterThanOrEqualTo(33);
      assertThat(stats.queueCapacity()).isEqualTo(10_000);
      assertThat(stats.queueDepth()).isZero();
      assertThat(stats.failures()).isZero();
      assertThat(stats.busyRetries()).isZero();
    }
  }

  static long sizeOf(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static long filesTotal(Path file) {
    return sizeOf(file) + sizeOf(Path.of(file + "-wal")) + sizeOf(Path.of(file + "-shm"));
  }

  @Test
  void healthyThenUnhealthyWhenTheFileIsDeleted() throws Exception {
    Path file = dir.resolve("swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      HealthReport ok = db.inspect().health();
      assertThat(ok.healthy()).isTrue();
      assertThat(ok.status()).isEqualTo("healthy");
      assertThat(ok.database()).isEqualTo("connected");
      assertThat(ok.writable()).isTrue();
      assertThat(ok.schemaVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(ok.expectedSchemaVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(ok.dbSizeBytes()).isPositive();
      assertThat(ok.problems()).isEmpty();
      assertThat(ok.checkedAt()).isNotNull();
      assertThat(ok.checkMillis()).isNotNegative();

      Files.delete(file);
      HealthReport bad = db.inspect().health();
      assertThat(bad.healthy()).isFalse();
      assertThat(bad.status()).isEqualTo("unhealthy");
      assertThat(bad.database()).isEqualTo("disconnected");
      assertThat(bad.writable()).isFalse();
      assertThat(bad.problems()).anyMatch(p -> p.contains("no longer exists"));
    }
  }

  @Test
  void freeSpaceBelowTheMinimumIsUnhealthyNamingBothFigures() {
    Path file = dir.resolve("space.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      HealthReport ok = db.inspect().health();
      assertThat(ok.healthy()).as(ok.problems().toString()).isTrue();
      assertThat(ok.usableBytes()).isPositive();
      assertThat(ok.minFreeBytes()).isEqualTo(SwarmDbConfig.DEFAULT_MIN_FREE_SPACE_BYTES);
      assertThat(ok.recentWriteFailures()).isEmpty();
    }
    try (SwarmDB db =
        SwarmDB.open(SwarmDbConfig.builder(file).minFreeSpaceBytes(Long.MAX_VALUE).build())) {
      HealthReport low = db.inspect().health();
      assertThat(low.healthy()).isFalse();
      assertThat(low.writable()).as("the probes still pass").isTrue();
      assertThat(low.problems())
          .singleElement()
          .asString()
          .startsWith("free space on the filesystem holding " + file.toAbsolutePath() + " is ")
          .contains("below the minimum of " + Long.MAX_VALUE + " bytes")
          .contains("lower minFreeSpaceBytes");
    }
  }

  @Test
  void callersRejectedWritesAreNotWriterFailures() {
    try (SwarmDB db = SwarmDB.open(dir.resolve("own.db"))) {
      db.agents().register("a", "w");
      assertThatThrownBy(() -> db.agents().transition("nobody", AgentStatus.RUNNING))
          .isInstanceOf(SwarmDbException.class);
      assertThatThrownBy(() -> db.agents().register("a", "w")).isInstanceOf(SwarmDbException.class);
      HealthReport r = db.inspect().health();
      assertThat(r.healthy()).as(r.problems().toString()).isTrue();
      assertThat(r.recentWriteFailures()).isEmpty();
      assertThat(db.inspect().writerStats().failures()).as("the writer saw them").isPositive();
    }
  }

  @Test
  void recordsCopyTheirCollections() {
    var problems = new java.util.ArrayList<>(List.of("x"));
    CheckResult r = new CheckResult("quick_check", problems, 1);
    problems.clear();
    assertThat(r.problems()).containsExactly("x");
    assertThat(r.ok()).isFalse();
    assertThat(new CheckResult("quick_check", List.of(), 1).ok()).isTrue();
  }
}
