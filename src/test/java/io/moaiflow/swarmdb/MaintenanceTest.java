package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.health.CheckResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @TempDir Path dir;
  Path file;
  MutableClock clock = new MutableClock(NOW);
  SwarmDB db;
  Maintenance maintenance;

  @BeforeEach
  void open() {
    file = dir.resolve("swarm.db");
    db = SwarmDB.open(SwarmDbConfig.builder(file).clock(clock).build());
    maintenance = db.maintenance();
  }

  @AfterEach
  void close() {
    db.close();
  }

  void appendEvents(int n, Instant at, String prefix) {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new AgentEvent(0, prefix + i, "run", "a", null, null, at.plusMillis(i), Map.of()));
    }
    db.events().appendAll(batch);
  }

  @Test
  void deleteEventsOlderThanWorksInChunks() {
    appendEvents(4_500, NOW.minus(Duration.ofDays(40)), "old-");
    appendEvents(100, NOW.minus(Duration.ofDays(1)), "new-");
    long before = db.inspect().writerStats().transactions();
    assertThat(maintenance.deleteEventsOlderThan(Duration.ofDays(30))).isEqualTo(4_500);
    // chunks start at 500 rows and adapt to ~20 ms each: 4,500 rows never go in one transaction
    assertThat(db.inspect().writerStats().transactions() - before)
        .as("retention commits in several short transactions")
        .isBetween(2L, 4_500L / 50 + 1);
    assertThat(db.events().count()).isEqualTo(100);
    assertThat(db.events().query(EventQuery.all().limit(1000)))
        .allMatch(e -> e.eventId().startsWith("new-"));
    assertThat(maintenance.deleteEventsOlderThan(Duration.ofDays(30))).isZero();
    assertInvalid(() -> maintenance.deleteEventsOlderThan(Duration.ZERO), "age");
    // seq is never reused after retention
    long last = db.events().lastSeq();
    maintenance.deleteEventsOlderThan(Duration.ofMillis(1));
    assertThat(db.events().count()).isZero();
    assertThat(db.events().append(AgentEvent.of("run", "a", null, Map.of())).seq())
        .isGreaterThan(last);
  }

  @Test
  void purgeExpiredMemoryDeletesOnlyExpiredEntries() {
    db.sessions().start("s");
    SessionMemory m = db.sessions().memory("s");
    Map<String, Object> many = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 2_100; i++) {
      many.put("t" + i, i);
    }
    m.putAll("semantic", many, Duration.ofSeconds(10));
    m.put("semantic", "keep", 1);
    m.put("semantic", "later", 1, Duration.ofHours(1));
    assertThat(maintenance.purgeExpiredMemory()).isZero();
    clock.advance(Duration.ofSeconds(10));
    assertThat(maintenance.purgeExpiredMemory()).isEqualTo(2_100);
    assertThat(db.inspect().info().rowCounts()).containsEntry("session_memory", 2L);
  }

  @Test
  void checksCheckpointAndVacuum() {
    appendEvents(3_000, NOW, "e-");
    CheckResult quick = maintenance.quickCheck();
    assertThat(quick.ok()).isTrue();
    assertThat(quick.check()).isEqualTo("quick_check");
    CheckResult full = maintenance.integrityCheck();
    assertThat(full.ok()).isTrue();
    assertThat(full.check()).isEqualTo("integrity_check");
    assertThat(maintenance.checkpoint()).isZero();
    assertThat(db.inspect().walSizeBytes()).isZero();
    assertThat(maintenance.deleteEventsOlderThan(Duration.ofMillis(1))).isZero();
    clock.advance(Duration.ofSeconds(10));
    assertThat(maintenance.deleteEventsOlderThan(Duration.ofMillis(1))).isEqualTo(3_000);
    long size = maintenance.vacuum();
    assertThat(size).isEqualTo(db.inspect().sizeBytes());
    assertThat(db.inspect().info().freelistCount()).isZero();
    assertThat(db.events().count()).isZero();
  }

  @Test
  void backupIsPrivateVerifiedAndComplete() throws Exception {
    appendEvents(500, NOW, "e-");
    db.sessions().start("s");
    Path target = dir.resolve("backups/nested/b.db");
    BackupResult r = maintenance.backupTo(target);
    assertThat(r.path()).isEqualTo(target.toAbsolutePath());
    assertThat(r.bytes()).isEqualTo(Files.size(target));
    assertThat(r.lastSeq()).isEqualTo(db.events().lastSeq());
    assertThat(r.millis()).isNotNegative();
    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(target.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (SwarmDB copy = SwarmDB.open(target)) {
      assertThat(copy.events().count()).isEqualTo(500);
      assertThat(copy.sessions().get("s")).isPresent();
    }
  }

  @Test
  void backupIntoAnExistingEmptyFileMakesItPrivate() throws Exception {
    Path target = Files.createFile(dir.resolve("empty.db"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    maintenance.backupTo(target);
    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.size(target)).isPositive();
  }

  @Test
  void backupRefusesUnsafeTargets() throws Exception {
    assertInvalid(() -> maintenance.backupTo(Path.of("file:/tmp/x.db")), "URI");
    assertInvalid(() -> maintenance.backupTo(dir.resolve("x.db?mode=rwc")), "URI");
    assertInvalid(() -> maintenance.backupTo(file), "the database itself");
    assertInvalid(() -> maintenance.backupTo(dir.resolve("./swarm.db")), "the database itself");
    Path full = Files.writeString(dir.resolve("full.db"), "precious");
    assertInvalid(() -> maintenance.backupTo(full), "already exists and is not empty");
    assertThat(Files.readString(full)).isEqualTo("precious");
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), dir.resolve("elsewhere.db"));
    assertInvalid(() -> maintenance.backupTo(link), "symbolic link");
    assertThat(Files.exists(dir.resolve("elsewhere.db"))).isFalse();
  }
}
