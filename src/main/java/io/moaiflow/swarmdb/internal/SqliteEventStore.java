package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.EventStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** The event log on SQLite. Thread safe. */
public final class SqliteEventStore implements EventStore {
  /** Most events {@link #appendAll} takes in one call. */
  public static final int MAX_BATCH = 100_000;

  static final String COLUMNS =
      "seq, event_id, event_type, agent_id, agent_type, session_id, ts, metadata";
  private static final String INSERT =
      "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
          + " metadata) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING";
  private static final String INSERT_RETURNING = INSERT + " RETURNING seq";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM agent_events WHERE event_id = ?";
  private static final String SINCE =
      "SELECT " + COLUMNS + " FROM agent_events WHERE seq > ? ORDER BY seq LIMIT ?";

  private final SqliteDatabase db;

  /**
   * The event log of an open database.
   *
   * @param db the database
   */
  public SqliteEventStore(SqliteDatabase db) {
    this.db = db;
  }

  /** An event checked and serialised before it is queued, so the writer never sees bad input. */
  private static final class Row {
    final AgentEvent event;
    final String metadataJson;
    // the metadata as queries will read it back, so append returns what get() returns
    final Map<String, @Nullable Object> storedMetadata;

    Row(AgentEvent event) {
      this.event = Objects.requireNonNull(event, "event");
      this.metadataJson = Json.writeMetadata(event.metadata());
      this.storedMetadata = Json.asStored(event.metadata(), metadataJson);
    }

    AgentEvent stored(long seq) {
      AgentEvent e = event;
      return new AgentEvent(
          seq,
          e.eventId(),
          e.eventType(),
          e.agentId(),
          e.agentType(),
          e.sessionId(),
          e.timestamp(),
          storedMetadata);
    }
  }

  /** The stored row, and whether this call inserted it (false for an idempotent retry). */
  private record Inserted(AgentEvent event, boolean fresh) {}

  @Override
  public AgentEvent append(AgentEvent event) {
    Row row = new Row(event);
    Inserted r = db.write("events.append", h -> insertOne(h, row));
    notifyAppended(r);
    return r.event();
  }

  @Override
  public CompletableFuture<AgentEvent> appendAsync(AgentEvent event) {
    Row row = new Row(event);
    return db.writeAsync("events.appendAsync", h -> insertOne(h, row))
        .thenApply(
            r -> {
              notifyAppended(r);
              return r.event();
            });
  }

  private void notifyAppended(Inserted r) {
    // an idempotent retry returns the older row and must not count as a new event
    if (r.fresh() && db.listeners().active()) {
      db.listeners().onEventsAppended(r.event().eventType(), 1);
    }
  }

  private static Inserted insertOne(Handle h, Row row) throws SQLException {
    PreparedStatement ps = h.prepare(INSERT_RETURNING);
    bind(ps, row);
    try (ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return new Inserted(row.stored(rs.getLong(1)), true);
      }
    }
    AgentEvent existing =
        byId(h, row.event.eventId())
            .orElseThrow(() -> new SQLException("event " + row.event.eventId() + " vanished"));
    return new Inserted(existing, false);
  }

  private static void bind(PreparedStatement ps, Row row) throws SQLException {
    AgentEvent e = row.event;
    ps.setString(1, e.eventId());
    ps.setString(2, e.eventType());
    ps.setString(3, e.agentId());
    setNullable(ps, 4, e.agentType());
    setNullable(ps, 5, e.sessionId());
    ps.setLong(6, e.timestamp().toEpochMilli());
    ps.setString(7, row.metadataJson);
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
    InsertedBatch result = db.write("events.appendAll", h -> insertBatch(h, rows));
    if (db.listeners().active()) {
      for (Map.Entry<String, Integer> e : result.freshByType.entrySet()) {
        db.listeners().onEventsAppended(e.getKey(), e.getValue());
      }
    }
    return result.stored;
  }

  private static final class InsertedBatch {
    final List<AgentEvent> stored;
    final Map<String, Integer> freshByType;

    InsertedBatch(List<AgentEvent> stored, Map<String, Integer> freshByType) {
      this.stored = stored;
      this.freshByType = freshByType;
    }
  }

  private static InsertedBatch insertBatch(Handle h, List<Row> rows) throws SQLException {
    PreparedStatement ps = h.prepare(INSERT);
    ps.clearBatch(); // a batch that failed half-way must not leak into the next call
    for (Row row : rows) {
      bind(ps, row);
      ps.addBatch();
    }
    int[] counts = ps.executeBatch();
    int inserted = 0;
    for (int c : counts) {
      inserted += c > 0 ? 1 : 0;
    }
    // Rows inserted without a conflict in between take consecutive seqs; a conflicting
    // (idempotent) row may burn a seq, so then every row is read back by id instead.
    boolean consecutive = inserted == rows.size();
    long seq = consecutive ? h.queryLong("SELECT last_insert_rowid()") - inserted + 1 : 0;
    List<AgentEvent> stored = new ArrayList<>(rows.size());
    Map<String, Integer> fresh = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      AgentEvent e = rows.get(i).event;
      if (counts[i] > 0) {
        fresh.merge(e.eventType(), 1, Integer::sum);
      }
      if (consecutive) {
        stored.add(rows.get(i).stored(seq++));
      } else {
        stored.add(
            byId(h, e.eventId())
                .orElseThrow(() -> new SQLException("event " + e.eventId() + " vanished")));
      }
    }
    return new InsertedBatch(Collections.unmodifiableList(stored), fresh);
  }

  @Override
  public List<AgentEvent> query(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return db.read("events.query", h -> page(h, query, query.effectiveLimit()));
  }

  private static List<AgentEvent> page(Handle h, EventQuery q, int limit) throws SQLException {
    PreparedStatement ps = h.prepare(EventQuerySql.sql(COLUMNS, q, false));
    int i = EventQuerySql.bind(ps, q, false);
    ps.setInt(i, limit);
    return Rows.events(ps);
  }

  private static Optional<AgentEvent> byId(Handle h, String eventId) throws SQLException {
    PreparedStatement ps = h.prepare(BY_ID);
    ps.setString(1, eventId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.event(rs)) : Optional.empty();
    }
  }

  @Override
  public Stream<AgentEvent> stream(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return KeysetPages.stream(query, (q, size) -> db.read("events.stream", h -> page(h, q, size)));
  }

  @Override
  public List<AgentEvent> since(long seq, int limit) {
    if (seq < 0) {
      throw Checks.invalid("seq is " + seq + "; pass 0 to start or the last seq you read");
    }
    Checks.limit(limit);
    return db.read(
        "events.since",
        h -> {
          PreparedStatement ps = h.prepare(SINCE);
          ps.setLong(1, seq);
          ps.setInt(2, limit);
          return Rows.events(ps);
        });
  }

  @Override
  public Optional<AgentEvent> get(String eventId) {
    Checks.id("eventId", eventId);
    return db.read("events.get", h -> byId(h, eventId));
  }

  @Override
  public long count() {
    return db.read("events.count", h -> h.queryLong("SELECT count(*) FROM agent_events"));
  }

  @Override
  public long count(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return db.read(
        "events.count",
        h -> {
          PreparedStatement ps = h.prepare(EventQuerySql.sql(COLUMNS, query, true));
          EventQuerySql.bind(ps, query, true);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        });
  }

  @Override
  public Map<String, Long> countByType() {
    return db.read(
        "events.countByType",
        h -> {
          Map<String, Long> out = new TreeMap<>();
          PreparedStatement ps =
              h.prepare("SELECT event_type, count(*) FROM agent_events GROUP BY event_type");
          try (ResultSet rs = ps.executeQuery()) {
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
        "events.lastSeq", h -> h.queryLong("SELECT coalesce(max(seq), 0) FROM agent_events"));
  }
}
