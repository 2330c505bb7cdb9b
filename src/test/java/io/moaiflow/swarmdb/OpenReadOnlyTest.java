package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.health.HealthReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SwarmDB#openReadOnly}: reads work, every write fails with READ_ONLY before anything runs,
 * and no file in the directory changes or appears.
 */
class OpenReadOnlyTest {
  @TempDir Path dir;

  @Test
  void readsWorkAndEveryWriteIsRefusedWithoutChangingAFile() throws Exception {
    Path db = dir.resolve("swarm.db");
    try (SwarmDB swarm = SwarmDB.open(db)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      swarm.sessions().start("s1");
    }
    Map<String, String> before = directory(dir);
    assertThat(before).containsOnlyKeys("swarm.db");
    try (SwarmDB ro = SwarmDB.openReadOnly(SwarmDbConfig.builder(db).migrate(false).build())) {
      assertThat(ro.events().count()).isEqualTo(1);
      assertThat(ro.maintenance().quickCheck().ok()).isTrue();
      assertThat(ro.inspect().info().pragmas()).containsEntry("journal_mode", "wal");
      HealthReport h = ro.inspect().health();
      assertThat(h.healthy()).as(String.valueOf(h.problems())).isTrue();
      assertThat(h.writable()).isTrue();
      List<Runnable> writes =
          List.of(
              () -> ro.events().append(AgentEvent.of("spawn", "agent-2", null, Map.of())),
              () -> ro.sessions().start("s2"),
              () -> ro.agents().register("agent-3", "expert"),
              () -> ro.sessions().memory("s1").put("semantic", "k", "v"),
              () -> ro.maintenance().deleteEventsOlderThan(Duration.ofDays(1)),
              () -> ro.maintenance().checkpoint(),
              () -> ro.maintenance().vacuum(),
              () -> ro.maintenance().backupTo(dir.resolve("backup.db")),
              () -> ro.migrator().migrate());
      for (Runnable w : writes) {
        SwarmDbException e = assertFails(ErrorCode.READ_ONLY, w::run);
        assertThat(e.getMessage()).contains(db.toString(), "read-only", "SwarmDB.open");
      }
      assertThat(directory(dir)).isEqualTo(before);
    }
    assertThat(directory(dir)).isEqualTo(before);
  }

  @Test
  void refusesWhatItCannotOpenReadOnly() throws Exception {
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> SwarmDB.openReadOnly(SwarmDbConfig.inMemory().build()));
    Path db = dir.resolve("swarm.db");
    SwarmDB.open(db).close();
    SwarmDbException migrating =
        assertFails(
            ErrorCode.INVALID_ARGUMENT,
            () -> SwarmDB.openReadOnly(SwarmDbConfig.builder(db).build()));
    assertThat(migrating.getMessage()).contains("migrate(false)");
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () ->
            SwarmDB.openReadOnly(
                SwarmDbConfig.postgres("jdbc:postgresql://localhost/x").migrate(false).build()));
    Path missing = dir.resolve("missing/swarm.db");
    assertFails(
        ErrorCode.NOT_FOUND,
        () -> SwarmDB.openReadOnly(SwarmDbConfig.builder(missing).migrate(false).build()));
    assertThat(dir.resolve("missing")).doesNotExist();
  }

  @Test
  void aPathWithUriCharactersOpensExactlyThatFile() throws Exception {
    Path plain = dir.resolve("plain.db");
    try (SwarmDB swarm = SwarmDB.open(plain)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
    }
    Path odd = Files.createDirectory(dir.resolve("a?b#c%41 d"));
    Path db = odd.resolve("x?mode=rwc#%2e.db");
    Files.copy(plain, db);
    Map<String, String> before = directory(odd);
    try (SwarmDB ro = SwarmDB.openReadOnly(SwarmDbConfig.builder(db).migrate(false).build())) {
      assertThat(ro.events().count()).isEqualTo(1);
      assertThat(ro.inspect().info().path()).isEqualTo(db.toAbsolutePath().toString());
    }
    assertThat(directory(odd)).isEqualTo(before);
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("plain.db", "a?b#c%41 d");
    }
  }

  /** File name to size and SHA-256 of every file in {@code d}. */
  static Map<String, String> directory(Path d) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.toList()) {
        byte[] b = Files.readAllBytes(p);
        m.put(
            p.getFileName().toString(),
            b.length
                + " "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
      }
    }
    return m;
  }
}
