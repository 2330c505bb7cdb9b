package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.EventQuerySql;
import io.moaiflow.swarmdb.internal.Json;
import io.moaiflow.swarmdb.internal.KeysetPages;
import io.moaiflow.swarmdb.internal.Rows;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The event log on PostgreSQL. Thread safe.
 *
 * <p><b>Tailing without skips.</b> PostgreSQL hands out identity values when a row is inserted, not
 * when its transaction commits, so with free-running appends a row with seq 7 can commit after a
 * tailer has already read seq 8 and moved its cursor past 7. Every append here therefore takes a
 * transaction-level advisory lock ({@link #APPEND_LOCK}, keyed by the current schema) before it
 * draws its seq, and holds it until commit: appends to one schema commit one transaction at a time,
 * in seq order, from every host. A reader that sees seq N therefore sees every committed seq below
 * N, and {@link #since} is a plain {@code seq > ?} range scan. The cost is that appends do not
 * overlap their commits; {@link #appendAll} amortises it (one lock, one round trip, one commit for
 * the whole batch). Other writes (registry, sessions, memory, retention) take no such lock.
 *
 * <p><b>Idempotency.</b> {@code INSERT ... ON CONFLICT (event_id) DO NOTHING RETURNING seq}; when
 * nothing is returned the stored row is read back, so a retry from any host returns the original
 * row and writes nothing.
 */
final class PgEventStore implements EventStore {
  /** Most events {@link #appendAll} takes in one call. */
  static final int MAX_BATCH = 100_000;

  /** First key of the append advisory lock ("SWM" 2); the second is the schema's hash. */
  static final int APPEND_LOCK = 0x53574D02;

  /** Takes the append lock for the current schema until the transaction ends. */
  static final String LOCK_SQL =
      "SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ", hashtext(current_schema()))";

  private static final String COLUMNS =
      "seq, event_id, event_type, agent_id, agent_type, session_id, ts, metadata::text";
  private static final String INSERT_ONE =
      "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (event_id) DO NOTHING"
          + " RETURNING seq";
  private static final String INSERT_MANY =
      "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) SELECT e, t, a, at, s, ts, m::jsonb FROM unnest(?::text[], ?::text[],"
          + " ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY"
          + " AS u(e, t, a, at, s, ts, m, ord) ORDER BY ord"
          + " ON CONFLICT (event_id) DO NOTHING RETURNING event_id, seq";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM agent_events WHERE event_id = ?";
  private static final String BY_IDS =
      "SELECT " + COLUMNS + " FROM agent_events WHERE event_id = ANY(?::text[])";
  private static final String SINCE =
      "SELECT " + COLUMNS + " FROM agent_events WHERE seq > ? ORDER BY seq LIMIT ?";

  private final PgDatabase db;
  private final PgAppender appender;

  PgEventStore(PgDatabase db) {
    this.db = db;
    this.appender =
        new PgAppender(
            db.label(),
            rows -> db.write("events.append", c -> insert(c, rows)),
            db.config().maxBatchSize(),
            db.config().writeQueueCapacity(),
            db.config().writeTimeout().toNanos());
  }

  /** Commits queued appends and stops the appender thread. */
  void close() {
    appender.close();
  }

  int queueDepth() {
    return appender.queueDepth();
  }

  private static List<One> insert(Connection c, List<Row> rows) throws SQLException {
    return rows.size() == 1 ? List.of(insertOne(c, rows.get(0))) : insertMany(c, rows);
  }

  /** An event checked and serialised before any connection is borrowed. */
  static final class Row {
    final AgentEvent event;
    final String metadataJson;

    Row(AgentEvent event) {
      this.event = Objects.requireNonNull(event, "event");
      this.metadataJson = Json.writeMetadata(event.metadata());
    }
  }

  static void lock(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(LOCK_SQL);
    }
  }

  @Override
  public AgentEvent append(AgentEvent event) {
    Row row = new Row(event);
    CompletableFuture<One> f = submit(row);
    One one;
    try {
      one = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SwarmDbException(
          ErrorCode.INTERRUPTED,
          "append of " + event.eventId() + " was interrupted; it may still commit",
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SwarmDbException s) {
        throw new SwarmDbException(
            s.code(), Objects.requireNonNullElse(s.getMessage(), "append failed"), s);
      }
      throw new SwarmDbException(
          ErrorCode.DATABASE_ERROR, "append of " + event.eventId() + " failed: " + cause, cause);
    }
    notifyAppended(one);
    return one.stored();
  }

  private CompletableFuture<One> submit(Row row) {
    if (db.isClosed()) {
      throw new SwarmDbException(
          ErrorCode.CLOSED,
          "events.append failed: the database " + db.label() + " is closed; open it again");
    }
    return appender.submit(row);
  }

  @Override
  public CompletableFuture<AgentEvent> appendAsync(AgentEvent event) {
    Row row = new Row(event);
    return submit(row)
        .thenApply(
            one -> {
              notifyAppended(one);
              return one.stored();
            });
  }

  /** A stored row, and whether this call inserted it (false for an idempotent retry). */
  record One(AgentEvent stored, boolean fresh) {}

  private void notifyAppended(One one) {
    if (one.fresh() && db.listeners().active()) {
      db.listeners().onEventsAppended(one.stored().eventType(), 1);
    }
  }

  private static One insertOne(Connection c, Row row) throws SQLException {
    lock(c);
    try (PreparedStatement ps = c.prepareStatement(INSERT_ONE)) {
      AgentEvent e = row.event;
      ps.setString(1, e.eventId());
      ps.setString(2, e.eventType());
      ps.setString(3, e.agentId());
      setNullable(ps, 4, e.agentType());
      setNullable(ps, 5, e.sessionId());
      ps.setLong(6, e.timestamp().toEpochMilli());
      ps.setString(7, row.metadataJson);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return new One(withSeq(e, rs.getLong(1)), true);
        }
      }
    }
    AgentEvent existing =
        byId(c, row.event.eventId())
            .orElseThrow(() -> new SQLException("event " + row.event.eventId() + " vanished"));
    return new One(existing, false);
  }

  private static AgentEvent withSeq(AgentEvent e, long seq) {
    return new AgentEvent(
        seq,
        e.eventId(),
        e.eventType(),
        e.agentId(),
        e.agentType(),
        e.sessionId(),
        e.timestamp(),
        e.metadata());
  }

  static void setNullable(PreparedStatement ps, int i, @Nullable String v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  @Override
  public List<AgentEvent> appendAll(List<AgentEvent> events) {
    Objects.requireNonNull(events, "events");
    if (events.size() > MAX_BATCH) {
      throw Checks.invalid(
          "appendAll got "
              + events.size()
              + " events; the limit is "
              + MAX_BATCH
              + " per call: split the list");
    }
    if (events.isEmpty()) {
      return List.of();
    }
    List<Row> rows = new ArrayList<>(events.size());
    for (AgentEvent e : events) {
      rows.add(new Row(e));
    }
    List<One> result = db.write("events.appendAll", c -> insertMany(c, rows));
    List<AgentEvent> stored = new ArrayList<>(result.size());
    Map<String, Integer> fresh = new TreeMap<>();
    for (One one : result) {
      stored.add(one.stored());
      if (one.fresh()) {
        fresh.merge(one.stored().eventType(), 1, Integer::sum);
      }
    }
    if (db.listeners().active()) {
      for (Map.Entry<String, Integer> e : fresh.entrySet()) {
        db.listeners().onEventsAppended(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableList(stored);
  }

  private static List<One> insertMany(Connection c, List<Row> rows) throws SQLException {
    int n = rows.size();
    String[] ids = new String[n];
    String[] types = new String[n];
    String[] agents = new String[n];
    String[] agentTypes = new String[n];
    String[] sessions = new String[n];
    Long[] times = new Long[n];
    String[] metadata = new String[n];
    for (int i = 0; i < n; i++) {
      AgentEvent e = rows.get(i).event;
      ids[i] = e.eventId();
      types[i] = e.eventType();
      agents[i] = e.agentId();
      agentTypes[i] = e.agentType();
      sessions[i] = e.sessionId();
      times[i] = e.timestamp().toEpochMilli();
      metadata[i] = rows.get(i).metadataJson;
    }
    lock(c);
    Map<String, Long> inserted = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(INSERT_MANY)) {
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
    }
    // The first occurrence of an inserted id is the row written; every other row (an id stored
    // before, or repeated in this batch) is returned as stored.
    List<String> missing = new ArrayList<>();
    Set<String> claimed = new HashSet<>();
    for (Row r : rows) {
      String id = r.event.eventId();
      if (!inserted.containsKey(id) || !claimed.add(id)) {
        missing.add(id);
      }
    }
    Map<String, AgentEvent> existing = missing.isEmpty() ? Map.of() : byIds(c, missing);
    List<One> stored = new ArrayList<>(n);
    claimed.clear();
    for (Row r : rows) {
      AgentEvent e = r.event;
      Long seq = inserted.get(e.eventId());
      if (seq != null && claimed.add(e.eventId())) {
        stored.add(new One(withSeq(e, seq), true));
      } else {
        AgentEvent s = existing.get(e.eventId());
        if (s == null) {
          throw new SQLException("event " + e.eventId() + " vanished");
        }
        stored.add(new One(s, false));
      }
    }
    return stored;
  }

  private static Map<String, AgentEvent> byIds(Connection c, List<String> ids) throws SQLException {
    Map<String, AgentEvent> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(BY_IDS)) {
      Array arr = c.createArrayOf("text", ids.toArray(new String[0]));
      ps.setArray(1, arr);
      for (AgentEvent e : Rows.events(ps)) {
        out.put(e.eventId(), e);
      }
    }
    return out;
  }

  @Override
  public List<AgentEvent> query(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return db.read("events.query", c -> page(c, query, query.effectiveLimit()));
  }

  private static List<AgentEvent> page(Connection c, EventQuery q, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(EventQuerySql.sql(COLUMNS, q, false))) {
      int i = EventQuerySql.bind(ps, q, false);
      ps.setInt(i, limit);
      return Rows.events(ps);
    }
  }

  private static Optional<AgentEvent> byId(Connection c, String eventId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(BY_ID)) {
      ps.setString(1, eventId);
      List<AgentEvent> rows = Rows.events(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  @Override
  public Stream<AgentEvent> stream(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return KeysetPages.stream(query, (q, size) -> db.read("events.stream", c -> page(c, q, size)));
  }

  @Override
  public List<AgentEvent> since(long seq, int limit) {
    if (seq < 0) {
      throw Checks.invalid("seq is " + seq + "; pass 0 to start or the last seq you read");
    }
    Checks.limit(limit);
    return db.read(
        "events.since",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SINCE)) {
            ps.setLong(1, seq);
            ps.setInt(2, limit);
            return Rows.events(ps);
          }
        });
  }

  @Override
  public Optional<AgentEvent> get(String eventId) {
    Checks.id("eventId", eventId);
    return db.read("events.get", c -> byId(c, eventId));
  }

  static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public long count() {
    return db.read("events.count", c -> queryLong(c, "SELECT count(*) FROM agent_events"));
  }

  @Override
  public long count(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return db.read(
        "events.count",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(EventQuerySql.sql(COLUMNS, query, true))) {
            EventQuerySql.bind(ps, query, true);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }

  @Override
  public Map<String, Long> countByType() {
    return db.read(
        "events.countByType",
        c -> {
          Map<String, Long> out = new TreeMap<>();
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT event_type, count(*) FROM agent_events GROUP BY event_type")) {
            while (rs.next()) {
              out.put(rs.getString(1), rs.getLong(2));
            }
          }
          return Collections.unmodifiableMap(new LinkedHashMap<>(out));
        });
  }

  @Override
  public long lastSeq() {
    return db.read(
        "events.lastSeq", c -> queryLong(c, "SELECT coalesce(max(seq), 0) FROM agent_events"));
  }
}
