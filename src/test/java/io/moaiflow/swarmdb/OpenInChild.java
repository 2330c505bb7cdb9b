package io.moaiflow.swarmdb;

import java.nio.file.Path;

/** Opens and closes a database in a child JVM (started under a chosen umask by OpeningTest). */
public final class OpenInChild {
  private OpenInChild() {}

  public static void main(String[] args) {
    try (SwarmDB db =
        "--default".equals(args[0]) ? SwarmDB.openDefault() : SwarmDB.open(Path.of(args[0]))) {
      db.events().append(AgentEvent.of("spawn", "a", null, java.util.Map.of()));
    }
  }
}
