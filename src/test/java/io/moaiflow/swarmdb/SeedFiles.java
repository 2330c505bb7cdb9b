package io.moaiflow.swarmdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Database files prepared for a test: created with the defaults, filled, and closed again. */
public final class SeedFiles {
  private SeedFiles() {}

  /** Creates (or opens) {@code file}, appends one "spawn" event of agent-1, closes it. */
  public static Path withOneEvent(Path file) {
    try (SwarmDB db = SwarmDB.open(file)) {
      db.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
    }
    return file;
  }

  /** Creates (or opens) {@code file}, appends {@code event(i)} for i in [0, count) as one batch. */
  public static Path withEvents(Path file, int count, IntFunction<AgentEvent> event) {
    try (SwarmDB db = SwarmDB.open(file)) {
      db.events().appendAll(events(count, event));
    }
    return file;
  }

  /** {@code event(i)} for i in [0, count). */
  public static List<AgentEvent> events(int count, IntFunction<AgentEvent> event) {
    List<AgentEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(event.apply(i));
    }
    return events;
  }
}
