package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void endToEnd() throws Exception {
    Path file = dir.resolve("a/b/swarm.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      AgentEvent e =
          db.events().append(AgentEvent.of("spawn", "agent-1", "expert", Map.of("k", 1)));
      assertThat(e.seq()).isEqualTo(1);
      assertThat(db.events().append(e.withEventId(e.eventId())).seq()).isEqualTo(1);
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        batch.add(AgentEvent.of("run", "agent-" + i, null, Map.of()));
      }
      List<AgentEvent> stored = db.events().appendAll(batch);
      assertThat(stored).extracting(AgentEvent::seq).isSorted().doesNotHaveDuplicates().hasSize(10);
      assertThat(db.events().query(EventQuery.agent("agent-1"))).hasSize(2);
      assertThat(db.events().since(0, 100))
          .hasSize(11)
          .extracting(AgentEvent::seq)
          .containsExactlyElementsOf(
              stored.stream()
                  .map(AgentEvent::seq)
                  .reduce(
                      new ArrayList<Long>(List.of(1L)),
                      (l, x) -> {
                        l.add(x);
                        return l;
                      },
                      (a, b) -> a));
      try (var s = db.events().stream(EventQuery.all())) {
        assertThat(s.count()).isEqualTo(11);
      }
      db.sessions().start("s1");
      db.agents().register("agent-1", "expert", "s1", Map.of());
      db.agents().transition("agent-1", AgentStatus.RUNNING);
      assertThatThrownBy(() -> db.agents().transition("agent-1", AgentStatus.SPAWNED))
          .isInstanceOf(SwarmDbException.class)
          .extracting(x -> ((SwarmDbException) x).code())
          .isEqualTo(ErrorCode.ILLEGAL_TRANSITION);
      Agent done = db.agents().transition("agent-1", AgentStatus.COMPLETE);
      assertThat(done.durationMs()).isNotNull();
      var mem = db.sessions().memory("s1");
      mem.put("context_hint", "lang", Map.of("v", "java"), Duration.ofHours(1));
      assertThat(mem.get("context_hint", "lang", Map.class)).isPresent();
      assertThat(mem.put("context_hint", "lang", "x").version()).isEqualTo(2);
      assertThat(db.inspect().info().indexes()).hasSize(12);
      assertThat(db.inspect().health().healthy()).isTrue();
      assertThat(db.maintenance().backupTo(dir.resolve("b.db")).lastSeq())
          .isEqualTo(db.events().lastSeq());
      assertThat(db.maintenance().integrityCheck().ok()).isTrue();
    }
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    try (SwarmDB db = SwarmDB.openInMemory()) {
      db.events().append(AgentEvent.of("spawn", "a", null, Map.of()));
      assertThat(db.events().count()).isEqualTo(1);
    }
  }
}
