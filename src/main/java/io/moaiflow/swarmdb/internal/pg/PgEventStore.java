package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.CommitQueue;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Rows;
import io.moaiflow.swarmdb.internal.SqlEventStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The event log on PostgreSQL: how appends reach a transaction; queries and checks are {@link
 * SqlEventStore}'s. Thread safe.
 *
 * <p><b>Tailing without skips.</b> PostgreSQL hands out identity values when a row is inserted, not
 * when its transaction commits, so with free-running appends a row with seq 7 can commit after a
 * tailer has already read seq 8 and moved its cursor past 7. Every append here therefore takes a
 * transaction-level advisory lock ({@link #APPEND_LOCK}, keyed by the current schema) before it
 * draws its seq, and holds it until commit: appends to one schema commit one transaction at a time,
 * in seq order, from every host. A reader that sees seq N therefore sees every committed seq below
 * N, and {@link #since} is a plain {@code seq > ?} range scan. The cost is that appends do not
 * overlap their commits; the lock is taken inside the insert statement (no round trip of its own),
 * and {@link #appendAll} and the appender's group commit ({@link CommitQueue}) amortise it (one
 * lock, one statement, one commit for the whole batch). Since schema v3 every other write
 * (registry, sessions, memory, retention) takes the same lock first ({@code PgDatabase}): their
 * history rows draw numbers from the same sequence (docs/history.md).
 *
 * <p><b>Idempotency.</b> {@code INSERT ... ON CONFLICT (event_id) DO NOTHING RETURNING seq}; when
 * nothing is returned the stored row is read back, so a retry from any host returns the original
 * row and writes nothing.
 */
final class PgEventStore extends SqlEventStore {
  /** First key of the append advisory lock ("SWM" 2); the second is the schema's hash. */
  static final int APPEND_LOCK = 0x53574D02;

  /** Takes the append lock for the current schema until the transaction ends. */
  static final String LOCK_SQL =
      "SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ", hashtext(current_schema()))";

  /**
   * Inserts a batch (or one row) under the append lock in one statement: the lock is a CTE the
   * insert reads from, so every row's seq is drawn after the lock is held, and taking it costs no
   * round trip of its own (PostgreSQL evaluates a CTE with a volatile function once, never
   * inlined).
   */
  private static final String INSERT_MANY =
      "WITH append_lock AS ("
          + LOCK_SQL
          + ") INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) SELECT e, t, a, at, s, ts, m::jsonb FROM append_lock, unnest(?::text[],"
          + " ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY"
          + " AS u(e, t, a, at, s, ts, m, ord) ORDER BY ord"
          + " ON CONFLICT (event_id) DO NOTHING RETURNING event_id, seq";

  private final PgDatabase pg;
  private final String byIds;
  private final CommitQueue<Row> appender;

  PgEventStore(PgDatabase db) {
    super(db);
    this.pg = db;
    this.byIds = "SELECT " + columns() + " FROM agent_events WHERE event_id = ANY(?::text[])";
    // the whole batch fails as one statement: the queue retries its rows one per transaction
    CommitQueue.Committer<Row> committer =
        (batch, results) -> {
          List<Row> rows = new ArrayList<>(batch.size());
          for (CommitQueue.Task<Row> t : batch) {
            rows.add(t.work());
          }
          try {
            db.writeUnobserved("events.append", h -> insertMany(h, rows)).toArray(results);
            return null;
          } catch (SwarmDbException e) {
            return new CommitQueue.Failure(CommitQueue.Failure.UNKNOWN, e, false);
          }
        };
    this.appender =
        new CommitQueue<>(
            "swarmdb-pg-appender",
            db.label(),
            committer,
            db.listeners(),
            db.config().writeQueue(),
            false); // maxBatchWait is SQLite-only (docs/postgresql.md)
    appender.start();
  }

  /** Commits queued appends and stops the appender thread. */
  void close() {
    appender.close();
  }

  int queueDepth() {
    return appender.stats().queueDepth();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reported to the listeners as one {@code events.append} operation per call, from submit to
   * commit, as on SQLite; the group commit it shares with other calls is not an operation of its
   * own.
   */
  @Override
  protected Inserted appendOne(Row row) {
    return pg.listeners()
        .observe("events.append", () -> appender.<Inserted>call("events.append", row, false));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reported to the listeners as one {@code events.appendAsync} operation per call when its
   * future completes, as on SQLite.
   */
  @Override
  protected CompletableFuture<Inserted> appendOneAsync(Row row) {
    return appender.submitObserved("events.appendAsync", row);
  }

  @Override
  protected InsertedBatch appendRows(List<Row> rows) {
    return batch(pg.write("events.appendAll", h -> insertMany(h, rows)));
  }

  private List<Inserted> insertMany(Handle h, List<Row> rows) throws SQLException {
    int n = rows.size();
    String[] ids = new String[n];
    String[] types = new String[n];
    String[] agents = new String[n];
    String[] agentTypes = new String[n];
    String[] sessions = new String[n];
    Long[] times = new Long[n];
    String[] metadata = new String[n];
    for (int i = 0; i < n; i++) {
      AgentEvent e = rows.get(i).event();
      ids[i] = e.eventId();
      types[i] = e.eventType();
      agents[i] = e.agentId();
      agentTypes[i] = e.agentType();
      sessions[i] = e.sessionId();
      times[i] = e.timestamp().toEpochMilli();
      metadata[i] = rows.get(i).metadataJson();
    }
    Connection c = h.connection();
    Map<String, Long> inserted = new HashMap<>();
    PreparedStatement ps = h.prepare(INSERT_MANY);
    ps.setArray(1, c.createArrayOf("text", ids));
    ps.setArray(2, c.createArrayOf("text", types));
    ps.setArray(3, c.createArrayOf("text", agents));
    ps.setArray(4, c.createArrayOf("text", agentTypes));
    ps.setArray(5, c.createArrayOf("text", sessions));
    ps.setArray(6, c.createArrayOf("bigint", times));
    ps.setArray(7, c.createArrayOf("text", metadata));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        inserted.put(rs.getString(1), rs.getLong(2));
      }
    }
    // The first occurrence of an inserted id is the row written; every other row (an id stored
    // before, or repeated in this batch) is returned as stored.
    List<String> missing = new ArrayList<>();
    Set<String> claimed = new HashSet<>();
    for (Row r : rows) {
      String id = r.event().eventId();
      if (!inserted.containsKey(id) || !claimed.add(id)) {
        missing.add(id);
      }
    }
    Map<String, AgentEvent> existing = missing.isEmpty() ? Map.of() : byIds(h, missing);
    List<Inserted> stored = new ArrayList<>(n);
    claimed.clear();
    for (Row r : rows) {
      String id = r.event().eventId();
      Long seq = inserted.get(id);
      if (seq != null && claimed.add(id)) {
        stored.add(new Inserted(r.stored(seq), true));
      } else {
        AgentEvent s = existing.get(id);
        if (s == null) {
          throw new SQLException("event " + id + " vanished");
        }
        stored.add(new Inserted(s, false));
      }
    }
    return stored;
  }

  private Map<String, AgentEvent> byIds(Handle h, List<String> ids) throws SQLException {
    Map<String, AgentEvent> out = new HashMap<>();
    PreparedStatement ps = h.prepare(byIds);
    ps.setArray(1, h.connection().createArrayOf("text", ids.toArray(new String[0])));
    for (AgentEvent e : Rows.events(ps)) {
      out.put(e.eventId(), e);
    }
    return out;
  }
}
