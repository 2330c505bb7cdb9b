package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What schema version 7 (history triggers that move the sequence's high-water mark themselves,
 * issue #17) must contain, written down once for the tests, independently of the main code that
 * creates and checks it.
 */
public final class SchemaV7 {
  /** The schema version the library ships. */
  public static final int LATEST = 7;

  /** The triggers v7 drops on SQLite: the second trigger each history table had since v3. */
  public static final List<String> DROPPED_SQLITE_TRIGGERS =
      List.of("agent_history_sequence", "memory_history_sequence", "session_history_sequence");

  /** Every SQLite trigger of the schema, sorted. */
  public static final List<String> SQLITE_TRIGGERS =
      SchemaV6.SQLITE_TRIGGERS.stream().filter(t -> !DROPPED_SQLITE_TRIGGERS.contains(t)).toList();

  private SchemaV7() {}
}
