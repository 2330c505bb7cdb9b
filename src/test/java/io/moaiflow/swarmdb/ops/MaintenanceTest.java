package io.moaiflow.swarmdb.ops;

import static io.moaiflow.swarmdb.ops.OpsTestSupport.get;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.HistoryPruneResult;
import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceTest {
  @TempDir Path dir;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-24T12:00:00Z"));
  SwarmDB db;
  OpsServer server;
  BlockingQueue<String> runs = new LinkedBlockingQueue<>();

  @BeforeEach
  void open() {
    db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).clock(clock).build());
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    db.close();
  }

  @Test
  void retentionDeletesOldEventsPurgesMemoryAndSweepsStaleAgents() throws Exception {
    Instant now = clock.instant();
    db.events()
        .append(
            AgentEvent.of("spawn", "old", null, Map.of())
                .withTimestamp(now.minus(Duration.ofDays(40))));
    db.events().append(AgentEvent.of("spawn", "new", null, Map.of()).withTimestamp(now));
    db.sessions().start("s1");
    db.sessions().memory("s1").put("context_hint", "k", "v", Duration.ofMinutes(1));
    db.agents().register("quiet", "expert");
    db.agents().register("busy", "expert");
    clock.advance(Duration.ofHours(2));
    db.agents().heartbeat("busy");

    server =
        OpsServer.start(
            db,
            options()
                .deleteEventsOlderThan(Duration.ofDays(30))
                .purgeExpiredMemory(true)
                .sweepStaleAgentsAfter(Duration.ofHours(1))
                .retentionInterval(Duration.ofHours(1))
                .build(),
            List.of(runs::add));
    RetentionResult r = server.runRetention();
    // the scheduled run at start may have done the work first
    String scheduled = runs.poll(60, TimeUnit.SECONDS);
    assertThat(scheduled).isEqualTo("retention:success");

    assertThat(db.events().count()).isEqualTo(1);
    assertThat(db.sessions().memory("s1").entry("context_hint", "k")).isEmpty();
    assertThat(db.agents().get("quiet").orElseThrow().status()).isEqualTo(AgentStatus.ERROR);
    assertThat(db.agents().get("busy").orElseThrow().status()).isEqualTo(AgentStatus.SPAWNED);
    assertThat(r.millis()).isNotNegative();
    assertThat(get(server.port(), "/metrics").body())
        .contains(
            "moai_flow_ops_maintenance_runs_total{outcome=\"success\",task=\"retention\"} 1.0");
  }

  @Test
  void retentionRunCountsWhatItDid() {
    Instant now = clock.instant();
    db.events()
        .append(
            AgentEvent.of("spawn", "old", null, Map.of())
                .withTimestamp(now.minus(Duration.ofDays(40))));
    db.agents().register("quiet", "expert");
    clock.advance(Duration.ofHours(2));
    // no retention configured: nothing is scheduled, a manual run does the configured nothing
    server = OpsServer.start(db, options().build());
    RetentionResult none = server.runRetention();
    assertThat(none.eventsDeleted()).isZero();
    assertThat(none.memoryPurged()).isZero();
    assertThat(none.staleAgents()).isEmpty();
    assertThat(none.history()).as("no history budget").isNull();
    assertThat(server.runBackup()).isEmpty();
    assertThat(db.events().count()).isEqualTo(1);
  }

  @Test
  void aHistoryBudgetAloneSchedulesRetentionThatPrunesToIt() throws Exception {
    for (int i = 0; i < 20; i++) {
      db.memory(Scope.swarm()).put("semantic", "plan", Map.of("step", i));
    }
    long before = db.inspect().history().bytes();
    long budget = before / 2;
    try (SwarmDB budgeted =
        SwarmDB.open(
            SwarmDbConfig.builder(dir.resolve("swarm.db"))
                .clock(clock)
                .historyBudgetBytes(budget)
                .build())) {
      // no retention task set: the budget alone schedules the runs
      server = OpsServer.start(budgeted, options().build(), List.of(runs::add));
      assertThat(runs.poll(60, TimeUnit.SECONDS)).isEqualTo("retention:success");
      assertThat(db.inspect().history().bytes()).isLessThanOrEqualTo(budget);
      assertThat(db.inspect().history().horizon()).isPositive();
      RetentionResult again = server.runRetention();
      HistoryPruneResult h = again.history();
      assertThat(h).isNotNull();
      assertThat(h.budgetBytes()).isEqualTo(budget);
      assertThat(h.pruned()).as("within the budget already").isFalse();
      assertThat(get(server.port(), "/metrics").body())
          .contains("moai_flow_history_budget_bytes " + (double) budget)
          .contains("moai_flow_history_size_bytes ", "moai_flow_history_rows ")
          .contains("moai_flow_history_horizon " + (double) h.horizon());
      server.close();
      server = null;
    }
    // a budget the state alone exceeds: the run fails, saying so, and prunes nothing
    try (SwarmDB tiny =
        SwarmDB.open(
            SwarmDbConfig.builder(dir.resolve("swarm.db"))
                .clock(clock)
                .historyBudgetBytes(1)
                .build())) {
      long horizon = db.inspect().history().horizon();
      server = OpsServer.start(tiny, options().build(), List.of(runs::add));
      assertThat(runs.poll(60, TimeUnit.SECONDS)).isEqualTo("retention:failure");
      assertThatThrownBy(server::runRetention)
          .isInstanceOf(SwarmDbException.class)
          .hasMessageContaining("over its budget of 1 bytes");
      assertThat(db.inspect().history().horizon()).isEqualTo(horizon);
      server.close();
      server = null;
    }
  }

  @Test
  void backupsAreWrittenVerifiedAndPruned() throws Exception {
    db.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
    Path backups = dir.resolve("backups");
    Files.createDirectories(backups);
    Path old = backups.resolve("swarmdb-20200101T000000Z.db");
    Files.writeString(old, "old");
    Files.setLastModifiedTime(old, FileTime.from(clock.instant().minus(Duration.ofDays(30))));
    Path unrelated = backups.resolve("notes.txt");
    Files.writeString(unrelated, "keep me");
    Files.setLastModifiedTime(unrelated, FileTime.from(clock.instant().minus(Duration.ofDays(30))));

    server =
        OpsServer.start(
            db,
            options().backups(backups, Duration.ofDays(1), Duration.ofDays(7)).build(),
            List.of(runs::add));
    // first backup is due at once: the directory holds only an old one
    assertThat(runs.poll(60, TimeUnit.SECONDS)).isEqualTo("backup:success");
    Optional<BackupResult> manual = server.runBackup();

    assertThat(manual).isPresent();
    BackupResult b = manual.get();
    assertThat(b.path().getParent()).isEqualTo(backups);
    assertThat(b.path().getFileName().toString()).matches(MaintenanceScheduler.BACKUP_NAME);
    assertThat(b.lastSeq()).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(unrelated).exists();
    assertThat(MaintenanceScheduler.listBackups(backups)).hasSize(2);
    try (SwarmDB copy = SwarmDB.open(b.path())) {
      assertThat(copy.events().count()).isEqualTo(1);
    }
    assertThat(get(server.port(), "/metrics").body())
        .contains("moai_flow_ops_maintenance_runs_total{outcome=\"success\",task=\"backup\"} 1.0")
        .containsPattern("moai_flow_backup_last_success_timestamp_seconds 1\\.7\\d*E9");
  }

  @Test
  void theFirstBackupWaitsForTheNewestOneToAge() throws Exception {
    Path backups = dir.resolve("backups");
    Files.createDirectories(backups);
    Path recent = backups.resolve("swarmdb-20261124T110000Z.db");
    Files.writeString(recent, "x");
    Files.setLastModifiedTime(recent, FileTime.from(clock.instant().minus(Duration.ofHours(1))));
    MaintenanceSchedule o =
        options().backups(backups, Duration.ofHours(6), Duration.ofDays(7)).build().maintenance();
    try (MaintenanceScheduler s =
        new MaintenanceScheduler(db, o, new SimpleMeterRegistry(), clock, List.of())) {
      assertThat(s.firstBackupDelayMillis()).isEqualTo(Duration.ofHours(5).toMillis());
    }
    Files.setLastModifiedTime(recent, FileTime.from(clock.instant().minus(Duration.ofDays(1))));
    MaintenanceSchedule none = options().build().maintenance();
    try (MaintenanceScheduler s =
        new MaintenanceScheduler(db, none, new SimpleMeterRegistry(), clock, List.of())) {
      assertThat(s.firstBackupDelayMillis()).isZero();
    }
    assertThat(MaintenanceScheduler.listBackups(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void aFailingBackupIsLoggedCountedAndRetriedNextInterval() throws Exception {
    Path notADir = dir.resolve("file");
    Files.writeString(notADir, "x");
    server =
        OpsServer.start(
            db,
            options()
                .backups(notADir.resolve("sub"), Duration.ofHours(1), Duration.ofDays(1))
                .build(),
            List.of(runs::add));
    assertThat(runs.poll(60, TimeUnit.SECONDS)).isEqualTo("backup:failure");
    assertThatThrownBy(server::runBackup)
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("could not create backup directory");
    assertThat(get(server.port(), "/metrics").body())
        .contains("moai_flow_ops_maintenance_runs_total{outcome=\"failure\",task=\"backup\"} 1.0");
    assertThat(get(server.port(), "/live").statusCode()).isEqualTo(200);
  }

  @Test
  void aFailingRetentionIsCounted() throws Exception {
    SwarmDB closed = SwarmDB.open(dir.resolve("other.db"));
    closed.close();
    try (OpsServer s =
        OpsServer.start(closed, options().purgeExpiredMemory(true).build(), List.of(runs::add))) {
      assertThat(runs.poll(60, TimeUnit.SECONDS)).isEqualTo("retention:failure");
      assertThat(get(s.port(), "/metrics").body())
          .contains(
              "moai_flow_ops_maintenance_runs_total{outcome=\"failure\",task=\"retention\"} 1.0");
    }
  }

  @Test
  void backupsNeedAFileDatabase() {
    try (SwarmDB mem = SwarmDB.openInMemory()) {
      assertThatThrownBy(
              () ->
                  OpsServer.start(
                      mem,
                      options()
                          .backups(dir.resolve("b"), Duration.ofHours(1), Duration.ofDays(1))
                          .build()))
          .isInstanceOf(SwarmDbException.class)
          .hasMessageContaining("scheduled backups need a file database")
          .extracting(e -> ((SwarmDbException) e).code())
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
  }
}
