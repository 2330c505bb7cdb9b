package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What schema version 6 (causal links in the event's own row, issue #17) must contain, written down
 * once for the tests, independently of the main code that creates and checks it.
 */
public final class SchemaV6 {
  /** The schema version the library ships. */
  public static final int LATEST = 6;

  /** The column of {@code agent_events} that holds an event's links (NULL without links). */
  public static final String LINKS_COLUMN = "links";

  /** The tables v6 drops (v4's link tables): their rows are in {@code agent_events.links}. */
  public static final List<String> DROPPED_TABLES = SchemaV4.NEW_TABLES;

  /** Every SQLite trigger of the schema: v6 adds none. */
  public static final List<String> SQLITE_TRIGGERS = SchemaV5.SQLITE_TRIGGERS;

  private SchemaV6() {}
}
