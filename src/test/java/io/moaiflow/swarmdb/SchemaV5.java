package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What schema version 5 (the writer of memory versions, issue #17) must contain, written down once
 * for the tests, independently of the main code that creates and checks it.
 */
public final class SchemaV5 {
  /** The schema version the library ships. */
  public static final int LATEST = 5;

  /** The tables v5 adds a nullable {@code writer} column to, the same on both backends. */
  public static final List<String> WRITER_TABLES =
      List.of("session_memory", "scoped_memory", "memory_history");

  /** Every SQLite trigger of the schema: v5 replaces four of v3's under the same names. */
  public static final List<String> SQLITE_TRIGGERS = SchemaV4.SQLITE_TRIGGERS;

  private SchemaV5() {}
}
