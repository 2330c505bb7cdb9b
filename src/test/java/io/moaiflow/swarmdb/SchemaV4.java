package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What schema version 4 (causal links, issue #17) must contain, written down once for the tests,
 * independently of the main code that creates and checks it.
 */
public final class SchemaV4 {
  /** The version of this schema (the library ships {@link SchemaV5#LATEST}). */
  public static final int LATEST = 4;

  /** The link tables v4 adds, the same on both backends (keys only, no explicit index). */
  public static final List<String> NEW_TABLES = List.of("event_causes", "event_reads");

  /** Every SQLite trigger of the schema: v4 adds none (foreign keys delete links). */
  public static final List<String> SQLITE_TRIGGERS = SchemaV3.SQLITE_TRIGGERS;

  private SchemaV4() {}
}
