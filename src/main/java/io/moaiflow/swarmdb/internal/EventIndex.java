package io.moaiflow.swarmdb.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-database switch of the events' full-text index ({@code swarm_settings.event_index}).
 * While it is on, a trigger indexes each appended event (SQLite: {@code event_fts_insert} into FTS5
 * {@code event_fts}; PostgreSQL: {@code agent_events_search} setting {@code agent_events.search}).
 * Switching off drops the trigger and empties the index; switching on recreates the trigger and
 * indexes every stored event. The trigger and the reindexing statement are the very text of the V2
 * migration script, read from it, so the switch can never build a different index than the
 * migration did. Stateless, thread safe.
 */
public final class EventIndex {
  private static final Logger LOG = LoggerFactory.getLogger(EventIndex.class);

  /** The first schema version with the switch. */
  static final int SINCE_VERSION = 2;

  /** The SQL of one backend's switch. Immutable. */
  record Sql(String trigger, String dropTrigger, String empty, String reindex) {}

  static final String SELECT_SETTING =
      "SELECT value FROM swarm_settings WHERE name = 'event_index'";
  static final String UPDATE_SETTING =
      "UPDATE swarm_settings SET value = ? WHERE name = 'event_index'";

  static final Sql SQLITE;
  static final Sql POSTGRES;

  static {
    String sqlite = v2("/db/migration/sqlite/");
    SQLITE =
        new Sql(
            statement(sqlite, "CREATE TRIGGER event_fts_insert", "\nEND;"),
            "DROP TRIGGER IF EXISTS event_fts_insert",
            // 'delete-all' is refused on an FTS5 table that keeps its own content, as event_fts
            // does
            "DELETE FROM event_fts",
            statement(sqlite, "INSERT INTO event_fts (rowid, body)\n  SELECT", ";"));
    String pg = v2("/db/migration/postgresql/");
    POSTGRES =
        new Sql(
            statement(pg, "CREATE TRIGGER agent_events_search", ";"),
            "DROP TRIGGER IF EXISTS agent_events_search ON agent_events",
            "UPDATE agent_events SET search = NULL WHERE search IS NOT NULL",
            statement(pg, "UPDATE agent_events SET search =", ";"));
  }

  private EventIndex() {}

  private static String v2(String root) {
    return MigrationEngine.load(root).get(SINCE_VERSION - 1).sql();
  }

  /** The statement of a script that starts with {@code start}, up to and with {@code end}. */
  static String statement(String script, String start, String end) {
    int from = script.indexOf(start);
    int to = from < 0 ? -1 : script.indexOf(end, from);
    if (to < 0) {
      throw new IllegalStateException("the V2 script has no statement starting " + start);
    }
    return script.substring(from, to + end.length());
  }

  static Sql sql(Backend db) {
    return db.config().isPostgres() ? POSTGRES : SQLITE;
  }

  /**
   * Applies the configuration's setting when it is set, the schema is current and it differs from
   * the recorded one, in one write transaction.
   */
  public static void apply(Backend db) {
    Boolean wanted = db.config().indexEvents();
    if (wanted == null || !(db instanceof BackendBase b) || b.schemaVersion() < SINCE_VERSION) {
      return; // nothing asked, or an unmigrated schema the backend refuses work on anyway
    }
    Sql sql = sql(db);
    boolean changed =
        db.write(
            "open.indexEvents",
            h -> {
              boolean on = isOn(h, db.dialect().forUpdate());
              if (on == wanted) {
                return false;
              }
              if (wanted) {
                h.execute(sql.trigger());
                h.execute(sql.reindex());
              } else {
                h.execute(sql.dropTrigger());
                h.execute(sql.empty());
              }
              h.prepare(UPDATE_SETTING, wanted ? "on" : "off").executeUpdate();
              return true;
            });
    if (changed) {
      LOG.info("{}: event indexing switched {}", db.label(), wanted ? "on" : "off");
    }
  }

  /** Whether the database records event indexing as on. */
  public static boolean isOn(Handle h, String lockClause) throws SQLException {
    try (ResultSet rs = h.prepare(SELECT_SETTING + lockClause).executeQuery()) {
      return !rs.next() || !"off".equals(rs.getString(1));
    }
  }
}
