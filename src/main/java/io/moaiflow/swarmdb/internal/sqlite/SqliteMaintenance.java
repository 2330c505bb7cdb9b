package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.CheckResult;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Retention;
import io.moaiflow.swarmdb.internal.Rows;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.internal.StatementCache;
import io.moaiflow.swarmdb.internal.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/** Retention, checks, compaction and backups on SQLite. Thread safe. */
final class SqliteMaintenance extends Retention {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteMaintenance.class);

  private final SqliteDatabase db;

  SqliteMaintenance(SqliteDatabase db) {
    super(db);
    this.db = db;
  }

  /**
   * {@code PRAGMA quick_check}, then the schema objects it cannot see missing ({@link #structure}).
   */
  @Override
  public CheckResult quickCheck() {
    return timedCheck("quick_check", "quick_check", h -> withStructure(h, "quick_check"));
  }

  /** {@code PRAGMA integrity_check}, then the schema objects ({@link #structure}). */
  @Override
  public CheckResult integrityCheck() {
    return timedCheck(
        "integrity_check", "integrity_check", h -> withStructure(h, "integrity_check"));
  }

  private static List<String> withStructure(Handle h, String check) throws SQLException {
    List<String> problems = check(h, check);
    problems.addAll(structure(h));
    return problems;
  }

  /**
   * What {@code quick_check} cannot see missing, from schema version 2 on: the v2 tables (those of
   * {@link Schema#SQLITE_WITHOUT_ROWID} declared so, those of {@link Schema#SQLITE_FTS5} FTS5
   * virtual tables) and the triggers that keep the full-text index and the TTL sweep table in step
   * with the data (new events are indexed by the event store itself, see {@link
   * io.moaiflow.swarmdb.internal.EventIndex}). A missing trigger is no damage SQLite reports, but
   * from then on the index drifts from its table.
   *
   * @return the problems; empty when every object is present
   */
  static List<String> structure(Handle h) throws SQLException {
    List<String> problems = new ArrayList<>();
    if (SqliteMigrator.userVersion(h) < 2) {
      return problems; // verify reports the outdated version itself
    }
    Map<String, String> tables = new HashMap<>();
    Set<String> triggers = new HashSet<>();
    try (Statement st = h.connection().createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'trigger')")) {
      while (rs.next()) {
        if (rs.getString(1).equals("table")) {
          tables.put(rs.getString(2), String.valueOf(rs.getString(3)));
        } else {
          triggers.add(rs.getString(2));
        }
      }
    }
    String restore = "; restore from a backup with 'swarmdb restore --from FILE'";
    for (String t : Schema.SQLITE_V2_TABLES) {
      String sql = tables.get(t);
      if (sql == null) {
        problems.add("table " + t + " is missing" + restore);
      } else if (Schema.SQLITE_FTS5.contains(t)
          && !sql.toLowerCase(Locale.ROOT).matches("(?s)create virtual table .* using fts5.*")) {
        problems.add("table " + t + " is not an FTS5 table" + restore);
      } else if (Schema.SQLITE_WITHOUT_ROWID.contains(t)
          && h.queryLong(
                  "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = '" + t + "'")
              != 1) {
        problems.add("table " + t + " is not WITHOUT ROWID" + restore);
      }
    }
    if (SqliteMigrator.userVersion(h) >= 3) {
      for (String t : Schema.V3_TABLES) {
        if (!tables.containsKey(t)) {
          problems.add("table " + t + " is missing" + restore);
        }
      }
      for (String t : Schema.SQLITE_HISTORY_TRIGGERS) {
        if (!triggers.contains(t)) {
          problems.add(
              "trigger "
                  + t
                  + " is missing: changes are no longer recorded in the history tables, so as-of"
                  + " views and memory history miss them"
                  + restore);
        }
      }
    }
    if (SqliteMigrator.userVersion(h) >= Schema.SEQUENCE_MARK_VERSION) {
      sequenceMark(h, problems, restore);
    }
    if (SqliteMigrator.userVersion(h) >= Schema.INLINE_LINKS_VERSION) {
      if (h.queryLong("SELECT count(*) FROM pragma_table_info('agent_events') WHERE name = 'links'")
          != 1) {
        problems.add("column agent_events.links is missing: causal links are lost" + restore);
      }
    } else if (SqliteMigrator.userVersion(h) >= 4) {
      for (String t : Schema.V4_TABLES) {
        if (!tables.containsKey(t)) {
          problems.add("table " + t + " is missing: causal links are lost" + restore);
        } else if (h.queryLong(
                "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = '" + t + "'")
            != 1) {
          problems.add("table " + t + " is not WITHOUT ROWID" + restore);
        }
      }
    }
    String eventIndex = null;
    if (tables.containsKey("swarm_settings")) {
      List<String> v =
          h.queryStrings("SELECT value FROM swarm_settings WHERE name = 'event_index'");
      eventIndex = v.isEmpty() ? null : v.get(0);
      if (!"on".equals(eventIndex) && !"off".equals(eventIndex)) {
        problems.add(
            "swarm_settings has event_index "
                + (eventIndex == null ? "missing" : "'" + Checks.printable(eventIndex) + "'")
                + "; it must be 'on' or 'off'"
                + restore);
      }
    }
    for (String t : Schema.SQLITE_TRIGGERS) {
      if (!triggers.contains(t)) {
        problems.add(
            "trigger "
                + t
                + " is missing: "
                + (t.startsWith("event")
                    ? "deleted events stay in event_fts"
                    : t.startsWith("scoped")
                        ? "changes to scoped_memory no longer reach memory_fts, memory_docs and"
                            + " scoped_memory_expiry"
                        : "changes to session_memory no longer reach memory_fts and memory_docs")
                + ", so the full-text index drifts from the data"
                + restore);
      }
    }
    return problems;
  }

  /**
   * Since v7 the history triggers number their rows after the sequence's high-water mark (the
   * {@code agent_events} row of {@code sqlite_sequence}) and move it: a missing row makes every
   * recorded change fail, and a mark below a stored seq would number the next event or change on a
   * seq already used.
   */
  private static void sequenceMark(Handle h, List<String> problems, String restore)
      throws SQLException {
    List<String> mark =
        h.queryStrings(
            "SELECT CASE WHEN typeof(seq) = 'integer' THEN seq ELSE 'x' END FROM sqlite_sequence"
                + " WHERE name = 'agent_events'");
    long stored =
        h.queryLong(
            "SELECT max((SELECT coalesce(max(seq), 0) FROM agent_events),"
                + " (SELECT coalesce(max(seq), 0) FROM memory_history),"
                + " (SELECT coalesce(max(seq), 0) FROM agent_history),"
                + " (SELECT coalesce(max(seq), 0) FROM session_history))");
    String fails =
        ": no change of memory, agents or sessions can be recorded (the largest stored seq is "
            + stored
            + ")"
            + restore;
    if (mark.isEmpty()) {
      problems.add("sqlite_sequence has no agent_events row" + fails);
    } else if ("x".equals(mark.get(0))) {
      problems.add("sqlite_sequence's agent_events mark is not an integer" + fails);
    } else if (Long.parseLong(mark.get(0)) < stored) {
      problems.add(
          "sqlite_sequence's agent_events mark is "
              + mark.get(0)
              + ", below the largest stored seq "
              + stored
              + ": the next event or change would reuse a seq"
              + restore);
    }
  }

  /**
   * Runs {@code PRAGMA quick_check} or {@code integrity_check}.
   *
   * @return the problems; empty when the database is intact
   */
  static List<String> check(Handle h, String check) throws SQLException {
    List<String> problems = h.queryStrings("PRAGMA " + check);
    problems.removeIf("ok"::equals);
    return problems;
  }

  /** A JSON column to check: the query listing its bad rows, and how a row is named. */
  private record JsonColumn(String table, String column, String badRows, RowName name) {}

  /** Names a bad row from the first columns of its result. */
  @FunctionalInterface
  private interface RowName {
    String of(ResultSet rs) throws SQLException;
  }

  /** A metadata column must hold a JSON object; the query's last column is json_valid. */
  private static JsonColumn metadata(String table, String key, RowName name) {
    return new JsonColumn(
        table,
        "metadata",
        "SELECT "
            + key
            + ", json_valid(metadata) FROM "
            + table
            + " WHERE CASE WHEN json_valid(metadata) THEN json_type(metadata) IS NOT 'object'"
            + " ELSE 1 END ORDER BY "
            + key,
        name);
  }

  private static final List<JsonColumn> JSON_COLUMNS =
      List.of(
          metadata("agent_events", "seq", rs -> Rows.eventRow(rs.getLong(1))),
          metadata("agents", "agent_id", rs -> Rows.agentRow(rs.getString(1))),
          metadata("sessions", "session_id", rs -> Rows.sessionRow(rs.getString(1))),
          new JsonColumn(
              "session_memory",
              "value",
              "SELECT session_id, memory_type, key, 0 FROM session_memory"
                  + " WHERE json_valid(value) IS NOT 1 ORDER BY session_id, memory_type, key",
              rs -> Rows.memoryRow(rs.getString(1), rs.getString(2), rs.getString(3))));

  /**
   * SQLite's {@code json_valid} over every row of every JSON column (its nesting limit is the
   * library's, 1000), metadata also {@code json_type} object. Full scans, on a read connection.
   */
  @Override
  public CheckResult jsonCheck() {
    return timedCheck(
        "json_check",
        "json_valid",
        h -> {
          List<String> out = new ArrayList<>();
          for (JsonColumn c : JSON_COLUMNS) {
            long bad = 0;
            try (Statement st = h.connection().createStatement();
                ResultSet rs = st.executeQuery(c.badRows())) {
              while (rs.next()) {
                bad++;
                if (bad <= MAX_LISTED_ROWS) {
                  boolean valid = rs.getInt(rs.getMetaData().getColumnCount()) == 1;
                  out.add(
                      c.name().of(rs)
                          + ": "
                          + c.column()
                          + (valid ? " is valid JSON but not an object" : " is not valid JSON"));
                }
              }
            }
            if (bad > MAX_LISTED_ROWS) {
              out.add(
                  c.table()
                      + ": "
                      + (bad - MAX_LISTED_ROWS)
                      + " more damaged row(s) not listed ("
                      + bad
                      + " in all)");
            }
          }
          return out;
        });
  }

  @Override
  public long checkpoint() {
    requireFile("checkpoint");
    db.outsideTransaction(
        "maintenance.checkpoint", h -> h.queryLong("PRAGMA wal_checkpoint(TRUNCATE)"));
    return FileSecurity.size(Schema.wal(Objects.requireNonNull(db.path())));
  }

  @Override
  public long vacuum() {
    db.outsideTransaction(
        "maintenance.vacuum",
        h -> {
          h.execute("VACUUM");
          if (db.path() != null) {
            h.execute("PRAGMA wal_checkpoint(TRUNCATE)");
          }
          return true;
        });
    Path p = db.path();
    return p == null ? 0 : SqliteInspector.files(p).totalBytes();
  }

  private Path requireFile(String op) {
    Path p = db.path();
    if (p == null) {
      throw new SwarmDbException(
          ErrorCode.UNSUPPORTED, op + " needs a database file; this database is in memory");
    }
    return p;
  }

  @Override
  public BackupResult backupTo(Path target) {
    Path source = requireFile("backup");
    Objects.requireNonNull(target, "target");
    if (db.readOnly) {
      // The copy runs on its own read-write connection, which could checkpoint the source.
      throw db.readOnlyError("backup");
    }
    if (db.isClosed()) {
      throw new SwarmDbException(ErrorCode.CLOSED, "backup failed: the database is closed");
    }
    String t = target.toString();
    if (t.startsWith("file:") || t.contains("?")) {
      throw Checks.invalid(
          "backup target '" + t + "' looks like a URI; pass a plain filesystem path");
    }
    Path abs = target.toAbsolutePath().normalize();
    FileSecurity.refuseSymlink(abs); // before the root check, which follows links
    Path allowed = db.config().checkBackupPath(abs);
    if (abs.equals(source.toAbsolutePath().normalize())) {
      throw Checks.invalid("backup target is the database itself; pass another path");
    }
    if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && FileSecurity.size(abs) > 0) {
      throw Checks.invalid(
          "backup target " + abs + " already exists and is not empty; pass a new file name");
    }
    return backup(source, allowed, db.config().pragmas().busyTimeout().toMillis());
  }

  /**
   * Copies a database online with {@code VACUUM INTO} through its own connection (so neither the
   * writer nor the read pool is held), into a new 0600 file, then verifies the copy.
   *
   * @param abs the new file, absolute, checked by {@link #backupTo}
   */
  private static BackupResult backup(Path source, Path abs, long busyTimeoutMs) {
    Path parent = abs.getParent();
    if (parent != null) {
      FileSecurity.createDirectories(parent, "backup directory");
    }
    long start = System.nanoTime();
    boolean created = FileSecurity.createPrivateFile(abs, "backup file");
    if (!created) {
      // an empty file someone made beforehand: the copy must not inherit its wider mode
      FileSecurity.makePrivate(abs);
    }
    try {
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeoutMs));
      try (Connection c = cfg.createConnection(Schema.jdbcUrl(source));
          PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
        ps.setString(1, abs.toString());
        ps.executeUpdate();
      }
      long lastSeq = verify(abs);
      long bytes = FileSecurity.size(abs);
      LOG.info("backed up {} to {} ({} bytes)", source, abs, bytes);
      return new BackupResult(abs, bytes, lastSeq, TimeSource.millisSince(start));
    } catch (SQLException e) {
      deleteQuietly(abs, created);
      throw SqliteErrors.map("backup to " + abs, source.toString(), e);
    } catch (RuntimeException e) {
      deleteQuietly(abs, created);
      throw e;
    }
  }

  /** Verifies a backup: integrity_check, a SwarmDB schema, and its newest event position. */
  static long verify(Path file) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    try (Connection c = cfg.createConnection(Schema.jdbcUrl(file))) {
      Handle h = new Handle(c, new StatementCache(c), 0);
      List<String> problems = check(h, "integrity_check");
      if (!problems.isEmpty()) {
        throw new SwarmDbException(
            ErrorCode.CORRUPT,
            "backup " + file + " failed integrity_check: " + problems.get(0) + "; it was removed");
      }
      long version = h.queryLong("PRAGMA user_version");
      if (version < 1) {
        throw new SwarmDbException(
            ErrorCode.CORRUPT, "backup " + file + " holds no SwarmDB schema (user_version 0)");
      }
      return h.queryLong("SELECT coalesce(max(seq), 0) FROM agent_events");
    }
  }

  private static void deleteQuietly(Path p, boolean created) {
    if (!created) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("could not remove failed backup {}: {}", p, e.getMessage());
    }
  }
}
