package io.moaiflow.swarmdb;

import java.util.List;
import java.util.stream.Stream;

/**
 * What schema version 2 (recall, issue #15) must contain, written down once for the tests,
 * independently of the main code that creates and checks it.
 */
public final class SchemaV2 {
  /** The schema version the library ships. */
  public static final int LATEST = 2;

  /** SQLite's explicit indexes: still exactly v1's 12 (new tables use primary keys and FTS5). */
  public static final List<String> SQLITE_INDEXES = SchemaV1.INDEXES;

  /** PostgreSQL's explicit indexes: v1's 12, the three GIN indexes and the scoped TTL sweep. */
  public static final List<String> POSTGRES_INDEXES =
      Stream.concat(
              SchemaV1.INDEXES.stream(),
              Stream.of(
                  "idx_events_search",
                  "idx_memory_search",
                  "idx_scoped_memory_expires",
                  "idx_scoped_memory_search"))
          .sorted()
          .toList();

  /** The tables v2 adds whose rows {@code info} counts. */
  public static final List<String> NEW_COUNTED_TABLES = List.of("scoped_memory", "swarm_settings");

  /** SQLite's tables and virtual tables of v2 beyond v1's (FTS5 shadow tables not listed). */
  public static final List<String> SQLITE_NEW_TABLES =
      List.of(
          "event_fts",
          "memory_docs",
          "memory_fts",
          "scoped_memory",
          "scoped_memory_expiry",
          "swarm_settings");

  /** SQLite's FTS5 virtual tables (each has FTS5's five shadow tables). */
  public static final List<String> SQLITE_FTS5_TABLES = List.of("event_fts", "memory_fts");

  /** SQLite's tables declared WITHOUT ROWID in v2. */
  public static final List<String> SQLITE_WITHOUT_ROWID =
      List.of("memory_docs", "scoped_memory_expiry", "swarm_settings");

  /** SQLite's triggers of v2, sorted. */
  public static final List<String> SQLITE_TRIGGERS =
      List.of(
          "event_fts_delete",
          "scoped_memory_delete",
          "scoped_memory_insert",
          "scoped_memory_update",
          "session_memory_fts_delete",
          "session_memory_fts_insert",
          "session_memory_fts_update");

  private SchemaV2() {}

  /** {@return the explicit indexes of the backend} */
  public static List<String> indexes(boolean postgres) {
    return postgres ? POSTGRES_INDEXES : SQLITE_INDEXES;
  }
}
