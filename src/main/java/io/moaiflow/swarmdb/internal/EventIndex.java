package io.moaiflow.swarmdb.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-database switch of the events' full-text index ({@code swarm_settings.event_index}).
 * While it is on, each appended event is indexed in its writing transaction: on SQLite the event
 * store runs {@link #SQLITE_INDEX_RANGE} once per write for the seqs it inserted (a row trigger
 * would make FTS5 flush at every insert's statement savepoint: about 10 us an event); on PostgreSQL
 * the trigger {@code agent_events_search} sets {@code agent_events.search}. Switching off (drops
 * the PostgreSQL trigger and) empties the index; switching on (recreates the trigger and) indexes
 * every stored event. The trigger and the indexing statements are the very text of the V2 migration
 * script, read from it, so the switch and the appends can never build a different index than the
 * migration did. Stateless, thread safe.
 */
public final class EventIndex {
  private static final Logger LOG = LoggerFactory.getLogger(EventIndex.class);

  /** The first schema version with the switch. */
  static final int SINCE_VERSION = 2;

  /** The SQL of one backend's switch. Immutable. */
  record Sql(
      @Nullable String trigger, @Nullable String dropTrigger, String empty, String reindex) {}

  static final String SELECT_SETTING =
      "SELECT value FROM swarm_settings WHERE name = 'event_index'";
  static final String UPDATE_SETTING =
      "UPDATE swarm_settings SET value = ? WHERE name = 'event_index'";

  static final Sql SQLITE;

  /**
   * SQLite: indexes the events of seqs {@code ?} to {@code ?} (inclusive) when event indexing is
   * on, else nothing: V2's reindexing statement narrowed to a range.
   */
  public static final String SQLITE_INDEX_RANGE;

  static final Sql POSTGRES;

  static {
    String sqlite = v2("/db/migration/sqlite/");
    SQLITE =
        new Sql(
            null,
            null,
            // 'delete-all' is refused on an FTS5 table that keeps its own content, as event_fts
            // does
            "DELETE FROM event_fts",
            statement(sqlite, "INSERT INTO event_fts (rowid, body)\n  SELECT", ";"));
    String reindex = SQLITE.reindex();
    SQLITE_INDEX_RANGE =
        reindex.substring(0, reindex.length() - 1)
            + " WHERE e.seq BETWEEN ? AND ? AND (SELECT value FROM swarm_settings"
            + " WHERE name = 'event_index') = 'on'";
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
              String trigger = wanted ? sql.trigger() : sql.dropTrigger();
              if (trigger != null) {
                h.execute(trigger);
              }
              h.execute(wanted ? sql.reindex() : sql.empty());
              h.prepare(UPDATE_SETTING, wanted ? "on" : "off").executeUpdate();
              h.unit().eventIndex(wanted);
              return true;
            });
    if (changed) {
      LOG.info("{}: event indexing switched {}", db.label(), wanted ? "on" : "off");
    }
  }

  /** Whether the database records event indexing as on. */
  public static boolean isOn(Handle h, String lockClause) throws SQLException {
    try (ResultSet rs = h.prepare(SELECT_SETTING + lockClause).executeQuery()) {
      boolean on = !rs.next() || !"off".equals(rs.getString(1));
      h.unit().eventIndex(on);
      return on;
    }
  }

  /**
   * Whether event indexing is on, read once per unit of work: the appends of one SQLite group
   * commit share their transaction, in which no other process can switch the setting (it would need
   * the write lock) and a switch by this transaction updates it ({@link #apply}).
   */
  public static boolean isOnInThisTransaction(Handle h) throws SQLException {
    Boolean known = h.unit().eventIndex();
    if (known == null) {
      readSettings(h);
      known = h.unit().eventIndex();
    }
    return known != null && known;
  }

  /** The select of the settings a SQLite write transaction reads once ({@link #readSettings}). */
  static final String SELECT_UNIT_SETTINGS =
      "SELECT name, value FROM swarm_settings WHERE name IN ('event_index', '"
          + History.REMOVALS
          + "')";

  /**
   * Reads, in one statement, what a SQLite write transaction reads once for all its writes: the
   * event-index switch (no row: on) and the history's removal token (no row: "", nothing was ever
   * removed). Both stay as read for the transaction: changing either needs the write lock it holds,
   * and this transaction's own changes update the unit ({@link #apply}, {@link
   * History#recordRemoval}).
   */
  static void readSettings(Handle h) throws SQLException {
    boolean on = true;
    String token = "";
    try (ResultSet rs = h.prepare(SELECT_UNIT_SETTINGS).executeQuery()) {
      while (rs.next()) {
        if ("event_index".equals(rs.getString(1))) {
          on = !"off".equals(rs.getString(2));
        } else {
          token = rs.getString(2);
        }
      }
    }
    h.unit().eventIndex(on);
    h.unit().removalToken(token);
  }

  /** {@return the history's removal token as this SQLite write transaction reads it} */
  public static String removalTokenInThisTransaction(Handle h) throws SQLException {
    String token = h.unit().removalToken();
    if (token == null) {
      readSettings(h);
      token = h.unit().removalToken();
    }
    return token == null ? "" : token;
  }
}
