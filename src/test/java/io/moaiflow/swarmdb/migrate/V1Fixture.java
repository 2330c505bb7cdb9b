package io.moaiflow.swarmdb.migrate;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code src/test/resources/db/v1/swarm-v1.db}: a schema-v1 database with rows in every
 * table, closed cleanly. Run it only with the v1 library; the file is checked in so every later
 * migration is tested against a real old file: {@code java -cp ... V1Fixture PATH}.
 */
public final class V1Fixture {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final int EVENTS = 20;
  static final String TEXT = "한국어 🚀 '; DROP TABLE agents; --";

  private V1Fixture() {}

  public static void main(String[] args) {
    write(Path.of(args[0]));
  }

  static void write(Path file) {
    if (Files.exists(file)) {
      throw new IllegalStateException(file + " exists");
    }
    SwarmDbConfig config =
        SwarmDbConfig.builder(file).clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    try (SwarmDB db = SwarmDB.open(config)) {
      db.sessions().start("s-1", Map.of("user", "kim"));
      db.sessions().start("s-2");
      db.sessions().end("s-2");
      List<AgentEvent> events = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        events.add(
            new AgentEvent(
                0,
                String.format("v1-e-%02d", i),
                i % 2 == 0 ? "spawn" : "run",
                "agent-" + (i % 4),
                "expert",
                i < 10 ? "s-1" : "s-2",
                T0.plusSeconds(i),
                Map.of("i", i, "text", TEXT)));
      }
      db.events().appendAll(events);
      db.agents().register("agent-0", "expert", "s-1", Map.of("prompt", TEXT));
      db.agents().transition("agent-0", AgentStatus.RUNNING);
      db.agents().transition("agent-0", AgentStatus.COMPLETE);
      db.agents().register("agent-1", "expert", "s-1", Map.of());
      db.agents().transition("agent-1", AgentStatus.RUNNING);
      db.agents().register("agent-2", "tester", "s-2", Map.of());
      db.agents().register("agent-3", "tester", null, Map.of());
      db.agents().transition("agent-3", AgentStatus.ERROR);
      SessionMemory m = db.sessions().memory("s-1");
      m.put(SessionMemory.SEMANTIC, "lang", Map.of("v", "java"));
      m.put(SessionMemory.SEMANTIC, "lang", Map.of("v", "kotlin"));
      m.put(SessionMemory.EPISODIC, "steps", List.of(1, 2, 3));
      m.put(SessionMemory.CONTEXT_HINT, "hint", TEXT, Duration.ofDays(36_500));
    }
  }
}
