package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Real database files for the CLI tests. */
final class TestDatabases {
  private TestDatabases() {}

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** A current database with a few events, agents, a session and memory. */
  static Path populated(Path db, int events) {
    try (SwarmDB s = SwarmDB.open(db)) {
      s.sessions().start("s1", Map.of("goal", "test"));
      s.agents().register("agent-1", "expert-backend", "s1", Map.of());
      s.sessions().memory("s1").put("semantic", "lang", "java");
      for (int i = 0; i < events; i++) {
        s.events()
            .append(
                AgentEvent.of(
                    i % 2 == 0 ? "spawn" : "tool_call",
                    "agent-" + (i % 3),
                    "expert",
                    "s1",
                    Map.of("i", i, "nested", Map.of("x", 1.5, "ok", true))));
      }
    }
    return db;
  }
}
