package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.health.FileSizes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * What SwarmDB's schema and files are, in one place: the tables and indexes the migrations create
 * (the same on both backends), the files SQLite keeps beside a database (the {@code -wal} and
 * {@code -shm} as the public {@link FileSizes#files} names them, so that {@code swarmdb size} need
 * not load this package), and the JDBC URL that opens exactly a file. Stateless and thread safe.
 */
public final class Schema {
  /** Every table of the schema: the data tables, then the migration history. */
  public static final List<String> TABLES =
      List.of("agent_events", "agents", "sessions", "session_memory", "schema_history");

  /** The tables holding the swarm's data: all but {@code schema_history}. */
  public static final List<String> DATA_TABLES = TABLES.subList(0, 4);

  /** The explicit indexes of schema v1 (DESIGN section 3), sorted; each backs a DAO query. */
  public static final List<String> INDEXES =
      List.of(
          "idx_agents_session",
          "idx_agents_status_updated",
          "idx_agents_type_status",
          "idx_events_agent_ts",
          "idx_events_session_ts",
          "idx_events_ts",
          "idx_events_type_ts",
          "idx_memory_expires",
          "idx_memory_session_updated",
          "idx_memory_type_key",
          "idx_sessions_started",
          "idx_sessions_status_started");

  /**
   * PostgreSQL's explicit indexes: {@link #INDEXES} plus what its v2 needs where SQLite uses a
   * primary key or FTS5 (the GIN indexes of full-text recall, the scoped-memory TTL sweep).
   */
  public static final List<String> POSTGRES_INDEXES =
      java.util.stream.Stream.concat(
              INDEXES.stream(),
              java.util.stream.Stream.of(
                  "idx_events_search",
                  "idx_memory_search",
                  "idx_scoped_memory_expires",
                  "idx_scoped_memory_search"))
          .sorted()
          .toList();

  /** The tables of schema v2 beyond v1's, counted by {@code info} when present. */
  public static final List<String> V2_TABLES = List.of("scoped_memory", "swarm_settings");

  /**
   * The history tables of schema v3 (the flight recorder), the same on both backends, counted by
   * {@code info} when present.
   */
  public static final List<String> V3_TABLES =
      List.of("memory_history", "agent_history", "session_history");

  /**
   * The causal-link tables of schema v4, the same on both backends (keys only, no explicit index),
   * counted by {@code info} when present; schema {@link #INLINE_LINKS_VERSION} moves their rows
   * into {@code agent_events.links} and drops them.
   */
  public static final List<String> V4_TABLES = List.of("event_causes", "event_reads");

  /**
   * The schema version whose history triggers move the sequence's high-water mark themselves (the
   * {@code agent_events} row of {@code sqlite_sequence}, created by its migration).
   */
  public static final int SEQUENCE_MARK_VERSION = 7;

  /** The schema version that keeps an event's causal links in its own row. */
  public static final int INLINE_LINKS_VERSION = 6;

  /**
   * SQLite's history triggers (v3, rewritten by v7), sorted: they record every change of memory,
   * agents and sessions in the history tables and move the sequence's high-water mark, so a missing
   * one loses history.
   */
  public static final List<String> SQLITE_HISTORY_TRIGGERS =
      List.of(
          "agents_history_delete",
          "agents_history_insert",
          "agents_history_update",
          "scoped_memory_history_delete",
          "scoped_memory_history_insert",
          "scoped_memory_history_update",
          "session_memory_history_delete",
          "session_memory_history_insert",
          "session_memory_history_update",
          "sessions_history_delete",
          "sessions_history_insert",
          "sessions_history_update");

  /** PostgreSQL's triggers of v3, sorted (one per table, each for insert, update and delete). */
  public static final List<String> POSTGRES_HISTORY_TRIGGERS =
      List.of(
          "agents_history", "scoped_memory_history", "session_memory_history", "sessions_history");

  /**
   * The tables SQLite's v2 creates, in script order: the settings, the scoped memory and its TTL
   * sweep table, the FTS5 memory index and its entry map, the FTS5 event index. FTS5 adds its own
   * shadow tables ({@code <name>_data}, {@code _idx}, {@code _content}, {@code _docsize}, {@code
   * _config}) beside each virtual table.
   */
  public static final List<String> SQLITE_V2_TABLES =
      List.of(
          "swarm_settings",
          "scoped_memory",
          "scoped_memory_expiry",
          "memory_fts",
          "memory_docs",
          "event_fts");

  /** SQLite's v2 tables declared {@code WITHOUT ROWID}: their primary key is their only index. */
  public static final List<String> SQLITE_WITHOUT_ROWID =
      List.of("swarm_settings", "scoped_memory_expiry", "memory_docs");

  /** SQLite's FTS5 virtual tables. */
  public static final List<String> SQLITE_FTS5 = List.of("memory_fts", "event_fts");

  /**
   * SQLite's triggers of v2, sorted: they keep {@code memory_fts}, {@code memory_docs}, {@code
   * event_fts} and {@code scoped_memory_expiry} in step with the data in the same transaction, so a
   * missing one lets an index drift from its table.
   */
  public static final List<String> SQLITE_TRIGGERS =
      List.of(
          "event_fts_delete",
          "scoped_memory_delete",
          "scoped_memory_insert",
          "scoped_memory_update",
          "session_memory_fts_delete",
          "session_memory_fts_insert",
          "session_memory_fts_update");

  /**
   * PostgreSQL's trigger that sets {@code agent_events.search}; it exists exactly while {@code
   * event_index} is {@code 'on'}.
   */
  public static final String POSTGRES_EVENT_INDEX_TRIGGER = "agent_events_search";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Schema() {}

  /** {@return the tables whose rows {@code info} counts: v1's, then v2's, v3's, v4's} */
  public static List<String> counted() {
    return java.util.stream.Stream.of(TABLES, V2_TABLES, V3_TABLES, V4_TABLES)
        .flatMap(List::stream)
        .toList();
  }

  /** The write-ahead log beside a database file: {@code db-wal}. */
  public static Path wal(Path db) {
    return Path.of(db + "-wal"); // as FileSizes.files names it
  }

  /** The WAL index (shared memory) beside a database file: {@code db-shm}. */
  public static Path shm(Path db) {
    return Path.of(db + "-shm"); // as FileSizes.files names it
  }

  /** The rollback journal beside a database file: {@code db-journal}. */
  public static Path journal(Path db) {
    return Path.of(db + "-journal");
  }

  /**
   * Whether a SQLite database has a table.
   *
   * @param table one of {@link #TABLES}
   */
  public static boolean hasTable(Handle h, String table) throws SQLException {
    try (ResultSet rs =
        h.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table)
            .executeQuery()) {
      return rs.next() && rs.getLong(1) > 0;
    }
  }

  /**
   * The sqlite-jdbc URL that opens exactly {@code file}; the library opens every file through it. A
   * plain {@code "jdbc:sqlite:" + path} is not a file name: sqlite-jdbc takes {@code
   * ?journal_mode=delete} and any other pragma after a {@code ?} as settings and opens the name
   * before it. This URL is a {@code file:} URI of the absolute path in which every byte of its
   * UTF-8 form other than {@code A-Z a-z 0-9 - . _ ~ / :} is percent-encoded, so neither
   * sqlite-jdbc nor SQLite's URI parser sees a query, a fragment or an escape in a name with {@code
   * ?}, {@code #}, {@code %}, spaces or non-ASCII characters.
   *
   * @param file the database file; a relative path is resolved against the working directory now
   * @return {@code jdbc:sqlite:file:///...}
   */
  public static String jdbcUrl(Path file) {
    String path =
        file.toAbsolutePath()
            .normalize()
            .toString()
            .replace(file.getFileSystem().getSeparator(), "/");
    StringBuilder url = new StringBuilder("jdbc:sqlite:file://");
    if (!path.startsWith("/")) {
      url.append('/'); // a Windows drive letter: file:///C:/...
    }
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~/:".indexOf(c) >= 0) {
        url.append((char) c);
      } else {
        url.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return url.toString();
  }
}
