package io.moaiflow.swarmdb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwarmDbMetricsTest {
  @TempDir Path dir;
  SwarmDB db;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void open() {
    db = SwarmDB.open(dir.resolve("swarm.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  /** How many times an operation ran, as the binder's own listener timed it. */
  private long runs(String operation) {
    Timer t = registry.find("moai.flow.query.duration").tag("operation", operation).timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void countsEventsByTypeAfterKnownWrites() {
    new SwarmDbMetrics(db).bindTo(registry);
    for (int i = 0; i < 3; i++) {
      db.events().append(AgentEvent.of("spawn", "agent-" + i, "expert", Map.of()));
    }
    db.events()
        .appendAll(
            List.of(
                AgentEvent.of("complete", "agent-1", null, Map.of()),
                AgentEvent.of("complete", "agent-2", null, Map.of())));

    assertThat(registry.get("moai.flow.events").tag("type", "spawn").functionCounter().count())
        .isEqualTo(3.0);
    assertThat(registry.get("moai.flow.events").tag("type", "complete").functionCounter().count())
        .isEqualTo(2.0);
    Timer append =
        registry.get("moai.flow.query.duration").tag("operation", "events.append").timer();
    assertThat(append.count()).isEqualTo(3);
    assertThat(append.takeSnapshot().histogramCounts())
        .hasSize(SwarmDbMetrics.QUERY_BUCKETS.length);
    assertThat(registry.get("moai.flow.writer.commit.duration").timer().count()).isPositive();
    assertThat(registry.get("moai.flow.writer.batch.size").summary().totalAmount())
        .isEqualTo((double) db.inspect().writerStats().writes());
    assertThat(registry.get("moai.flow.writer.transactions").functionCounter().count())
        .isEqualTo((double) db.inspect().writerStats().transactions());
  }

  /** 2,000 sequential appends: each one's commit is in the metrics when the append returns. */
  @Test
  void aCommitIsReportedBeforeItsWriteReturns() {
    new SwarmDbMetrics(db).bindTo(registry);
    DistributionSummary batch = registry.get("moai.flow.writer.batch.size").summary();
    int late = 0;
    for (int i = 1; i <= 2_000; i++) {
      db.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      if (batch.totalAmount() != i) {
        late++;
      }
    }
    assertThat(late).as("appends that returned before their commit was reported").isZero();
  }

  @Test
  void eventsOfAnotherInstanceAndOlderEventsAreCountedAndRetentionNeverLowersACount(
      @TempDir Path other) {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T12:00:00Z"));
    Path file = other.resolve("shared.db");
    try (SwarmDB sidecar = SwarmDB.open(SwarmDbConfig.builder(file).clock(clock).build());
        SwarmDB writer = SwarmDB.open(SwarmDbConfig.builder(file).clock(clock).build())) {
      Instant old = Instant.parse("2026-11-20T12:00:00Z");
      writer.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()).withTimestamp(old));
      writer.events().append(AgentEvent.of("spawn", "agent-2", null, Map.of()).withTimestamp(old));
      SwarmDbMetrics metrics =
          new SwarmDbMetrics(sidecar, Duration.ofSeconds(1), 100, Duration.ofMinutes(15));
      metrics.bindTo(registry);
      // present at once: events written before the binding, by another instance
      FunctionCounter spawn =
          registry.get("moai.flow.events").tag("type", "spawn").functionCounter();
      assertThat(spawn.count()).isEqualTo(2.0);
      assertThat(runs("events.countByTypeAfter")).isEqualTo(1);

      Instant recent = clock.instant();
      writer
          .events()
          .append(AgentEvent.of("spawn", "agent-3", null, Map.of()).withTimestamp(recent));
      writer
          .events()
          .append(AgentEvent.of("complete", "agent-1", null, Map.of()).withTimestamp(recent));
      assertThat(writer.maintenance().deleteEventsOlderThan(Duration.ofDays(1))).isEqualTo(2);
      metrics.refresh();
      assertThat(spawn.count()).as("deleted events stay counted").isEqualTo(3.0);
      assertThat(registry.get("moai.flow.events").tag("type", "complete").functionCounter().count())
          .isEqualTo(1.0);
      assertThat(runs("events.countByTypeAfter")).isEqualTo(2);
      metrics.refresh();
      assertThat(spawn.count()).isEqualTo(3.0);
      metrics.close();
    }
  }

  @Test
  void gaugesShowAgentsSizesAndQueue() {
    new SwarmDbMetrics(db).bindTo(registry);
    db.agents().register("a1", "expert");
    db.agents().register("a2", "expert");
    db.agents().register("a3", "expert");
    db.agents().transition("a2", AgentStatus.RUNNING);
    db.agents().transition("a3", AgentStatus.RUNNING);
    db.agents().transition("a3", AgentStatus.COMPLETE);

    assertThat(gauge("moai.flow.agents.active")).isEqualTo(2.0);
    assertThat(gauge("moai.flow.db.size"))
        .isEqualTo((double) db.inspect().sizeBytes())
        .isPositive();
    assertThat(registry.get("moai.flow.db.size").gauge().getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(gauge("moai.flow.wal.size")).isEqualTo((double) db.inspect().walSizeBytes());
    assertThat(gauge("moai.flow.writer.queue.depth")).isZero();
    assertThat(gauge("moai.flow.writer.queue.capacity"))
        .isEqualTo((double) db.inspect().writerStats().queueCapacity());
  }

  @Test
  void activeAgentsQueriesTheDatabaseAtMostOncePerTtl() {
    AtomicLong now = new AtomicLong();
    SwarmDbMetrics metrics =
        new SwarmDbMetrics(db, Duration.ofSeconds(1), 100, Duration.ofMinutes(15), now::get);
    metrics.bindTo(registry);
    db.agents().register("a1", "expert");
    Gauge active = registry.get("moai.flow.agents.active").gauge();

    assertThat(active.value()).isEqualTo(1.0);
    db.agents().register("a2", "expert");
    for (int i = 0; i < 50; i++) {
      metrics.refresh(); // as the ops server does before every scrape
      assertThat(active.value()).isEqualTo(1.0); // the snapshot, not the database
      assertThat(gauge("moai.flow.agents.stale")).isZero();
    }
    assertThat(runs("agents.active")).isEqualTo(1);

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(active.value()).isEqualTo(2.0);
    assertThat(runs("agents.active")).isEqualTo(2);
  }

  @Test
  void errorsAreCountedByCodeAndOperation() {
    new SwarmDbMetrics(db).bindTo(registry);
    assertThatThrownBy(() -> db.agents().transition("nobody", AgentStatus.RUNNING))
        .isInstanceOf(SwarmDbException.class);

    Counter errors = registry.get("moai.flow.errors").tag("code", "NOT_FOUND").counter();
    assertThat(errors.count()).isEqualTo(1.0);
    assertThat(errors.getId().getTag("category")).isEqualTo("caller");
    assertThat(errors.getId().getTag("operation")).isNotBlank();
  }

  @Test
  void busyRetriesAndCommitsComeFromTheListener() {
    SwarmDbMetrics metrics = new SwarmDbMetrics(db);
    metrics.bindTo(registry);
    metrics.onBusyRetry();
    metrics.onBusyRetry();
    metrics.onCommit(7, 1_000_000);
    metrics.onOperation("x.op", 2_000_000, ErrorCode.BUSY);

    assertThat(registry.get("moai.flow.writer.busy.retries").counter().count()).isEqualTo(2.0);
    DistributionSummary batch = registry.get("moai.flow.writer.batch.size").summary();
    assertThat(batch.max()).isEqualTo(7.0);
    assertThat(
            registry
                .get("moai.flow.errors")
                .tags("code", "BUSY", "category", "database", "operation", "x.op")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void eventTypesBeyondTheLimitAreCountedAsOther() {
    new SwarmDbMetrics(db, Duration.ofSeconds(1), 2, Duration.ofMinutes(15)).bindTo(registry);
    for (String type : List.of("a", "b", "c", "d", "a")) {
      db.events().append(AgentEvent.of(type, "agent-1", null, Map.of()));
    }
    assertThat(registry.get("moai.flow.events").tag("type", "a").functionCounter().count())
        .isEqualTo(2.0);
    assertThat(registry.get("moai.flow.events").tag("type", "b").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("moai.flow.events").tag("type", "other").functionCounter().count())
        .isEqualTo(2.0);
    assertThat(registry.find("moai.flow.events").tag("type", "c").meter()).isNull();
  }

  @Test
  void bindsToSeveralRegistries() {
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    SwarmDbMetrics metrics = new SwarmDbMetrics(db);
    metrics.bindTo(registry);
    metrics.bindTo(second);
    db.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
    assertThat(registry.get("moai.flow.events").functionCounter().count()).isEqualTo(1.0);
    assertThat(second.get("moai.flow.events").functionCounter().count()).isEqualTo(1.0);
    assertThat(metrics.toString()).contains("registries=2");
  }

  @Test
  void closeUnregistersListenerAndMeters() {
    SwarmDbMetrics metrics = new SwarmDbMetrics(db);
    metrics.bindTo(registry);
    db.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
    metrics.close();
    metrics.close();

    assertThat(registry.find("moai.flow.events").meter()).isNull();
    assertThat(registry.find("moai.flow.agents.active").gauge()).isNull();
    assertThat(registry.find("moai.flow.query.duration").timer()).isNull();
    db.events().append(AgentEvent.of("spawn", "agent-2", null, Map.of()));
    assertThat(registry.find("moai.flow.events").meter()).isNull();
    assertThatThrownBy(() -> metrics.bindTo(registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closedDatabaseGivesNaNForDatabaseGauges() {
    new SwarmDbMetrics(db, Duration.ZERO, 100, Duration.ofMinutes(15)).bindTo(registry);
    db.close();
    assertThat(gauge("moai.flow.agents.active")).isNaN();
    FunctionCounter tx = registry.get("moai.flow.writer.transactions").functionCounter();
    assertThat(tx.count()).isNotNegative();
  }

  @Test
  void inMemoryDatabaseHasZeroSize() {
    try (SwarmDB mem = SwarmDB.openInMemory()) {
      SimpleMeterRegistry r = new SimpleMeterRegistry();
      new SwarmDbMetrics(mem).bindTo(r);
      assertThat(r.get("moai.flow.db.size").gauge().value()).isZero();
      assertThat(r.get("moai.flow.wal.size").gauge().value()).isZero();
    }
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(
            () -> new SwarmDbMetrics(db, Duration.ofSeconds(-1), 10, Duration.ofMinutes(15)))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("snapshotTtl is PT-1S");
    assertThatThrownBy(
            () -> new SwarmDbMetrics(db, Duration.ofMinutes(2), 10, Duration.ofMinutes(15)))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("PT0S to PT1M");
    assertThatThrownBy(
            () -> new SwarmDbMetrics(db, Duration.ofSeconds(1), 0, Duration.ofMinutes(15)))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("maxEventTypes is 0");
    assertThatThrownBy(
            () -> new SwarmDbMetrics(db, Duration.ofSeconds(1), 10_001, Duration.ofMinutes(15)))
        .isInstanceOf(SwarmDbException.class)
        .extracting(e -> ((SwarmDbException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> new SwarmDbMetrics(db, Duration.ofSeconds(1), 10, Duration.ZERO))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("staleAfter is PT0S");
  }

  @Test
  void staleAgentsComeFromTheSameSnapshot(@TempDir Path other) {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T12:00:00Z"));
    try (SwarmDB timed =
        SwarmDB.open(SwarmDbConfig.builder(other.resolve("t.db")).clock(clock).build())) {
      SwarmDbMetrics metrics =
          new SwarmDbMetrics(timed, Duration.ZERO, 100, Duration.ofMinutes(15));
      metrics.bindTo(registry);
      timed.agents().register("quiet", "expert");
      timed.agents().register("busy", "expert");
      clock.advance(Duration.ofMinutes(20));
      timed.agents().heartbeat("busy");
      assertThat(gauge("moai.flow.agents.active")).isEqualTo(2.0);
      assertThat(gauge("moai.flow.agents.stale")).isEqualTo(1.0);
      metrics.close();
    }
  }
}
