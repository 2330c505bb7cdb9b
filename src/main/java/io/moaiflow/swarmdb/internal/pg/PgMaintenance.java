package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.CheckResult;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Retention;
import io.moaiflow.swarmdb.internal.Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Retention, checks and compaction on PostgreSQL. The file operations of the SQLite backend (backup
 * by {@code VACUUM INTO}, WAL checkpoint) have no meaning for a server database and fail with
 * {@link ErrorCode#UNSUPPORTED} naming what to use instead; {@link #vacuum()} runs {@code VACUUM
 * (ANALYZE)} on SwarmDB's tables. Thread safe.
 */
final class PgMaintenance extends Retention {
  private final PgDatabase db;

  PgMaintenance(PgDatabase db) {
    super(db);
    this.db = db;
  }

  /**
   * The fast check: every SwarmDB table and all 12 indexes exist and every index is valid and ready
   * (a failed {@code CREATE INDEX CONCURRENTLY} or a broken index shows here).
   */
  @Override
  public CheckResult quickCheck() {
    return timedCheck("quick_check", "quick_check", h -> structure(h));
  }

  /**
   * Nothing to read: JSONB columns cannot hold invalid JSON (PostgreSQL parses every value when it
   * is stored), and a CHECK keeps every metadata column an object.
   */
  @Override
  public CheckResult jsonCheck() {
    return new CheckResult("json_valid", List.of(), 0);
  }

  /**
   * The full check: the quick check, then {@code bt_index_check} on every B-tree index when the
   * {@code amcheck} extension is installed, and a full read of every table (which fails on damaged
   * heap pages).
   */
  @Override
  public CheckResult integrityCheck() {
    return timedCheck(
        "integrity_check",
        "integrity_check",
        h -> {
          Connection c = h.connection();
          List<String> p = structure(h);
          if (!p.isEmpty()) {
            return p;
          }
          boolean amcheck =
              h.queryLong("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'") > 0;
          List<String> indexes = PgInspector.indexes(h);
          // bt_index_check takes B-trees only; the GIN indexes of full-text recall are not
          indexes.retainAll(
              h.queryStrings(
                  "SELECT i.relname FROM pg_class i JOIN pg_am a ON a.oid = i.relam"
                      + " JOIN pg_namespace n ON n.oid = i.relnamespace"
                      + " WHERE n.nspname = current_schema() AND i.relkind = 'i'"
                      + " AND a.amname = 'btree'"));
          if (amcheck) {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT bt_index_check(to_regclass(?))")) {
              for (String i : indexes) {
                ps.setString(1, i);
                try {
                  ps.executeQuery().close();
                } catch (SQLException e) {
                  p.add("index " + i + ": " + e.getMessage());
                }
              }
            }
          }
          for (String t : Schema.DATA_TABLES) {
            // a sequential read of every row; damaged pages raise an error
            h.queryLong("SELECT count(*) FROM (SELECT * FROM " + t + " OFFSET 0) AS r");
          }
          return p;
        });
  }

  private static List<String> structure(Handle h) throws SQLException {
    List<String> problems = new ArrayList<>();
    for (String t : Schema.DATA_TABLES) {
      if (!PgMigrator.tableExists(h.connection(), t)) {
        problems.add("table " + t + " is missing");
      }
    }
    List<String> indexes = PgInspector.indexes(h);
    List<String> missing = new ArrayList<>(Schema.POSTGRES_INDEXES);
    missing.removeAll(indexes);
    if (indexes.size() != Schema.POSTGRES_INDEXES.size() || !missing.isEmpty()) {
      // by name too: one missing and one foreign index would pass a count
      problems.add(
          "expected "
              + Schema.POSTGRES_INDEXES.size()
              + " SwarmDB indexes, found "
              + indexes.size()
              + ": "
              + indexes
              + (missing.isEmpty() ? "" : "; missing " + missing));
    }
    if (PgMigrator.currentVersion(h.connection()) >= 2) {
      problems.addAll(recallStructure(h));
    }
    if (PgMigrator.currentVersion(h.connection()) >= 3) {
      problems.addAll(historyStructure(h));
    }
    if (PgMigrator.currentVersion(h.connection()) >= Schema.INLINE_LINKS_VERSION) {
      if (h.queryLong(
              "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
                  + " AND table_name = 'agent_events' AND column_name = 'links'")
          != 1) {
        problems.add("column agent_events.links is missing: causal links are lost");
      }
    } else if (PgMigrator.currentVersion(h.connection()) >= 4) {
      for (String t : Schema.V4_TABLES) {
        if (!PgMigrator.tableExists(h.connection(), t)) {
          problems.add("table " + t + " is missing: causal links are lost");
        }
      }
    }
    for (String i :
        h.queryStrings(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " JOIN pg_namespace n ON n.oid = i.relnamespace"
                + " WHERE n.nspname = current_schema()"
                + " AND NOT (x.indisvalid AND x.indisready) ORDER BY 1")) {
      problems.add("index " + i + " is not valid; REINDEX it");
    }
    return problems;
  }

  /**
   * Schema v2's tables, and the trigger that indexes new events exactly while {@code event_index}
   * is {@code 'on'} (memory is indexed by generated columns, which cannot go missing alone).
   */
  private static List<String> recallStructure(Handle h) throws SQLException {
    List<String> problems = new ArrayList<>();
    for (String t : Schema.V2_TABLES) {
      if (!PgMigrator.tableExists(h.connection(), t)) {
        problems.add("table " + t + " is missing");
      }
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    List<String> setting =
        h.queryStrings("SELECT value FROM swarm_settings WHERE name = 'event_index'");
    String eventIndex = setting.isEmpty() ? "missing" : setting.get(0);
    boolean trigger =
        h.queryLong(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = current_schema() AND c.relname = 'agent_events'"
                    + " AND t.tgname = '"
                    + Schema.POSTGRES_EVENT_INDEX_TRIGGER
                    + "' AND NOT t.tgisinternal")
            > 0;
    if (eventIndex.equals("on") && !trigger) {
      problems.add(
          "trigger "
              + Schema.POSTGRES_EVENT_INDEX_TRIGGER
              + " is missing: new events get no search vector although event_index is 'on', so"
              + " the full-text index drifts from the data; create it again as"
              + " db/migration/postgresql/V2__recall.sql does (events appended meanwhile stay"
              + " unindexed until their search column is set)");
    } else if (eventIndex.equals("off") && trigger) {
      problems.add(
          "trigger "
              + Schema.POSTGRES_EVENT_INDEX_TRIGGER
              + " exists but event_index is 'off': new events are indexed although every process"
              + " reads the index as off; drop the trigger, or set event_index to 'on'");
    } else if (!eventIndex.equals("on") && !eventIndex.equals("off")) {
      problems.add(
          "swarm_settings has event_index "
              + Checks.printable(eventIndex)
              + "; it must be 'on' or 'off'");
    }
    return problems;
  }

  /** Schema v3's history tables and the triggers that record every change into them. */
  private static List<String> historyStructure(Handle h) throws SQLException {
    List<String> problems = new ArrayList<>();
    for (String t : Schema.V3_TABLES) {
      if (!PgMigrator.tableExists(h.connection(), t)) {
        problems.add("table " + t + " is missing");
      }
    }
    List<String> triggers =
        h.queryStrings(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = current_schema() AND NOT t.tgisinternal");
    for (String t : Schema.POSTGRES_HISTORY_TRIGGERS) {
      if (!triggers.contains(t)) {
        problems.add(
            "trigger "
                + t
                + " is missing: changes are no longer recorded in the history tables, so as-of"
                + " views and memory history miss them; create it again as"
                + " db/migration/postgresql/V3__history.sql does");
      }
    }
    return problems;
  }

  @Override
  public long checkpoint() {
    throw new SwarmDbException(
        ErrorCode.UNSUPPORTED,
        "checkpoint is SQLite-only (it truncates the database file's -wal); "
            + db.label()
            + " is on PostgreSQL, whose server manages its own WAL: nothing to do (a superuser"
            + " may run CHECKPOINT on the server)");
  }

  /**
   * Runs {@code VACUUM (ANALYZE)} on SwarmDB's tables: reclaims dead rows for reuse and refreshes
   * planner statistics without blocking readers or writers (unlike SQLite's VACUUM, it does not
   * shrink the files; {@code VACUUM FULL} would, under an exclusive lock).
   */
  @Override
  public long vacuum() {
    return db.outsideTransaction(
        "maintenance.vacuum",
        h -> {
          h.execute("VACUUM (ANALYZE) " + String.join(", ", Schema.TABLES));
          return PgInspector.relationBytes(h.connection());
        });
  }

  @Override
  public BackupResult backupTo(Path target) {
    Objects.requireNonNull(target, "target");
    throw new SwarmDbException(
        ErrorCode.UNSUPPORTED,
        "backupTo is SQLite-only (it copies the database file with VACUUM INTO); "
            + db.label()
            + " is on PostgreSQL: back it up with pg_dump, for example 'pg_dump --schema="
            + db.schema
            + " --format=custom --file="
            + target
            + " DATABASE', or the server's continuous archiving");
  }
}
