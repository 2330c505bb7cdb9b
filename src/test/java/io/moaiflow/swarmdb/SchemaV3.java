package io.moaiflow.swarmdb;

import java.util.List;
import java.util.stream.Stream;

/**
 * What schema version 3 (the flight recorder, issue #17) must contain, written down once for the
 * tests, independently of the main code that creates and checks it.
 */
public final class SchemaV3 {
  /** The schema version the library ships. */
  public static final int LATEST = 3;

  /** The history tables v3 adds, the same on both backends (no explicit index: keys only). */
  public static final List<String> NEW_TABLES =
      List.of("memory_history", "agent_history", "session_history");

  /** SQLite's triggers of v3, sorted. */
  public static final List<String> SQLITE_NEW_TRIGGERS =
      List.of(
          "agent_history_sequence",
          "agents_history_delete",
          "agents_history_insert",
          "agents_history_update",
          "memory_history_sequence",
          "scoped_memory_history_delete",
          "scoped_memory_history_insert",
          "scoped_memory_history_update",
          "session_history_sequence",
          "session_memory_history_delete",
          "session_memory_history_insert",
          "session_memory_history_update",
          "sessions_history_delete",
          "sessions_history_insert",
          "sessions_history_update");

  /** Every SQLite trigger of the schema, v2's and v3's, sorted. */
  public static final List<String> SQLITE_TRIGGERS =
      Stream.concat(SchemaV2.SQLITE_TRIGGERS.stream(), SQLITE_NEW_TRIGGERS.stream())
          .sorted()
          .toList();

  private SchemaV3() {}
}
