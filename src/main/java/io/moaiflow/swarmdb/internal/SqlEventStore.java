package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventCounts;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.SalvagedEvents;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The event log on either backend: input checks, idempotent single inserts, listener notifications
 * and every query. A backend supplies only how appends reach a transaction ({@link #appendOne},
 * {@link #appendOneAsync}, {@link #appendRows}): SQLite through its group-committing writer,
 * PostgreSQL through its commit-ordered appender. Thread safe, as are the subclasses.
 */
public abstract class SqlEventStore implements EventStore {
  /** Most events {@link #appendAll} takes in one call. */
  public static final int MAX_BATCH = 100_000;

  static final String STALE_LINKS = "UPDATE agent_events SET links = ? WHERE seq = ?";

  private final Backend db;

  private final String columns;
  private final String insert;
  private final String insertReturning;
  private final String insertLinked;
  private final String insertKnown;
  private final String insertKnownToken;
  private final String byId;
  private final String since;
  private final String countAfter;

  protected SqlEventStore(Backend db) {
    this.db = db;
    this.columns = columns(db.dialect());
    this.insert =
        "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
            + " metadata) VALUES (?, ?, ?, ?, ?, ?, "
            + db.dialect().jsonParameter()
            + ") ON CONFLICT (event_id) DO NOTHING";
    this.insertReturning = insert + " RETURNING seq";
    this.insertLinked = linkedInsertSql(db.dialect());
    this.insertKnown = knownInsertSql(db.dialect(), false);
    this.insertKnownToken = knownInsertSql(db.dialect(), true);
    this.byId = byIdSql(db.dialect());
    this.since = "SELECT " + columns + " FROM agent_events WHERE seq > ? ORDER BY seq LIMIT ?";
    this.countAfter = countByTypeAfter(db.dialect());
  }

  /**
   * {@return the insert of one event with its causal links: parameters 1-7 as {@link #bind}, then
   * the causes' ids, the reads, the reads again; it returns the seq, the causes found and the reads
   * the history holds}
   */
  static String linkedInsertSql(Dialect d) {
    return "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
        + " metadata, links) VALUES (?, ?, ?, ?, ?, ?, "
        + d.jsonParameter()
        + ", "
        + d.linksValue()
        + ") ON CONFLICT (event_id) DO NOTHING RETURNING seq, "
        + d.linksFound()
        + ", "
        + History.REMOVAL_TOKEN;
  }

  /**
   * {@return the insert of one event whose links are all remembered ({@link KnownLinks}):
   * parameters 1-7 as {@link #bind}, then the links as stored; it returns the seq and, with {@code
   * token}, the history's removal token}
   */
  static String knownInsertSql(Dialect d, boolean token) {
    return "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
        + " metadata, links) VALUES (?, ?, ?, ?, ?, ?, "
        + d.jsonParameter()
        + ", ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq"
        + (token ? ", " + History.REMOVAL_TOKEN : "");
  }

  /** {@return the select of one event row by id} */
  static String byIdSql(Dialect d) {
    return "SELECT " + columns(d) + " FROM agent_events WHERE event_id = ?";
  }

  /** The select list of an event row, in the order {@link Rows#event} reads it. */
  public static String columns(Dialect d) {
    return "seq, event_id, event_type, agent_id, agent_type, session_id, ts, "
        + d.jsonColumn("metadata");
  }

  /**
   * An event checked and serialised before it is queued or a connection is borrowed, so a
   * transaction never sees bad input. Immutable, thread safe.
   */
  public static final class Row {
    private final AgentEvent event;
    private final StoredMetadata metadata;

    Row(ObjectMapper json, AgentEvent event) {
      this.event = Objects.requireNonNull(event, "event");
      this.metadata = StoredMetadata.of(json, event.metadata());
    }

    public AgentEvent event() {
      return event;
    }

    public String metadataJson() {
      return metadata.json();
    }

    /** The event as stored at a log position. */
    public AgentEvent stored(long seq) {
      AgentEvent e = event;
      return new AgentEvent(
          seq,
          e.eventId(),
          e.eventType(),
          e.agentId(),
          e.agentType(),
          e.sessionId(),
          e.timestamp(),
          metadata.stored());
    }
  }

  /**
   * The stored row, and whether this call inserted it (false for an idempotent retry). Immutable,
   * thread safe.
   */
  public record Inserted(AgentEvent event, boolean fresh) {}

  /**
   * The stored rows of a batch in input order (unmodifiable), and how many of each type it
   * inserted. Not thread safe: it passes from a backend's insert to the store within one call.
   */
  public record InsertedBatch(List<AgentEvent> stored, Map<String, Integer> freshByType) {}

  /** Appends one event in a transaction and waits for its commit. */
  protected abstract Inserted appendOne(Row row);

  /** Queues one event; the future completes after its commit. */
  protected abstract CompletableFuture<Inserted> appendOneAsync(Row row);

  /** Appends a non-empty batch in one transaction. */
  protected abstract InsertedBatch appendRows(List<Row> rows);

  @Override
  public AgentEvent append(AgentEvent event) {
    long generation = db.known().generation();
    Inserted r = appendOne(new Row(db.json(), event));
    notifyAppended(r);
    db.known().appended(List.of(r.event()), generation);
    return r.event();
  }

  @Override
  public CompletableFuture<AgentEvent> appendAsync(AgentEvent event) {
    long generation = db.known().generation();
    return appendOneAsync(new Row(db.json(), event))
        .thenApply(
            r -> {
              notifyAppended(r);
              db.known().appended(List.of(r.event()), generation);
              return r.event();
            });
  }

  /**
   * {@inheritDoc}
   *
   * <p>One write transaction: the insert, then (for a new row) the links' checks and rows.
   */
  @Override
  public AgentEvent append(AgentEvent event, CausalLinks links) {
    return append(event, links, true);
  }

  @Override
  public AgentEvent appendAsRecorded(AgentEvent event, CausalLinks links) {
    return append(event, links, false);
  }

  @Override
  public Map<Long, CausalLinks> links(long afterSeq, long upToSeq) {
    if (afterSeq < 0 || upToSeq < afterSeq) {
      throw Checks.invalid(
          "the range is seq "
              + afterSeq
              + " (exclusive) to "
              + upToSeq
              + "; pass 0 or more and an end at or after the start");
    }
    return db.read("events.links", h -> Causality.links(h, afterSeq, upToSeq));
  }

  /** An append with links; {@code checkReads}: whether each read must be in the history. */
  private AgentEvent append(AgentEvent event, CausalLinks links, boolean checkReads) {
    Objects.requireNonNull(links, "links");
    Row row = new Row(db.json(), event);
    if (links.causes().contains(event.eventId())) {
      throw Checks.invalid(
          "event "
              + event.eventId()
              + " names itself as its cause; nothing was written: name earlier events only");
    }
    Checked checked = new Checked();
    long generation = db.known().generation();
    Inserted r =
        links.isEmpty()
            ? appendOne(row)
            : db.write(
                "events.append",
                h -> inserted(h, insertLinked(h, row, links, checkReads, checked)));
    notifyAppended(r);
    String token = checked.token;
    if (token != null && r.fresh()) {
      // committed: its links were found in the database under this token
      db.known()
          .checked(
              token,
              links.causes(),
              checked.causeSeqs,
              checkReads ? links.reads() : List.of(),
              r.event());
    } else {
      db.known().appended(List.of(r.event()), generation);
    }
    return r.event();
  }

  /**
   * What the backend does in an append's transaction after a row is inserted (SQLite: the full-text
   * index); nothing by default.
   *
   * @return {@code inserted}
   */
  protected Inserted inserted(Handle h, Inserted inserted) throws SQLException {
    return inserted;
  }

  private void notifyAppended(Inserted r) {
    // an idempotent retry returns the older row and must not count as a new event
    if (r.fresh() && db.listeners().active()) {
      db.listeners().onEventsAppended(r.event().eventType(), 1);
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
      if (e == null) {
        throw Checks.invalid(
            "appendAll got a null event at index "
                + rows.size()
                + " of "
                + events.size()
                + "; nothing was written: remove it from the list");
      }
      rows.add(new Row(db.json(), e));
    }
    long generation = db.known().generation();
    InsertedBatch result = appendRows(rows);
    db.known().appended(result.stored(), generation);
    if (db.listeners().active()) {
      for (Map.Entry<String, Integer> e : result.freshByType().entrySet()) {
        db.listeners().onEventsAppended(e.getKey(), e.getValue());
      }
    }
    return result.stored();
  }

  /**
   * Inserts one event unless its id is stored already, in the caller's transaction.
   *
   * @return the new row, or the row stored before
   */
  protected final Inserted insertOne(Handle h, Row row) throws SQLException {
    PreparedStatement ps = h.prepare(insertReturning);
    bind(ps, row);
    try (ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return new Inserted(row.stored(rs.getLong(1)), true);
      }
    }
    return new Inserted(stored(h, row.event.eventId()), false);
  }

  /**
   * Inserts one event with its causal links in its own row unless its id is stored already. When
   * every cause and (with {@code checkReads}) every read was seen under the history's current
   * removal token ({@link KnownLinks}), the row carries them as remembered and the transaction
   * reads only the token: when another one was written since (events or history were deleted), the
   * causes are looked up by id and the reads in the history as the lookup path does. Otherwise the
   * insert finds the causes' seqs by id and counts the reads the history holds. A shortfall (of
   * reads: only when {@code checkReads}) is NOT_FOUND naming the missing link (the caller's
   * transaction rolls back with the event).
   */
  private Inserted insertLinked(
      Handle h, Row row, CausalLinks links, boolean checkReads, Checked checked)
      throws SQLException {
    checked.token = null;
    checked.causeSeqs = null;
    KnownLinks.Under under =
        db.known().knownUnder(links.causes(), checkReads ? links.reads() : List.of());
    if (under == null) {
      return insertLookingUp(h, row, links, checkReads, checked);
    }
    String readsJson = checkReads ? under.readsJson : Causality.readsJson(links);
    String token = removalTokenInTransaction(h); // null: the insert returns it
    PreparedStatement ps = h.prepare(token == null ? insertKnownToken : insertKnown);
    bind(ps, row);
    long[] remembered = under.causeSeqs;
    ps.setString(8, Causality.linksJson(remembered, readsJson));
    long seq;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return new Inserted(stored(h, row.event.eventId()), false);
      }
      seq = rs.getLong(1);
      if (token == null) {
        token = Objects.requireNonNullElse(rs.getString(2), "");
      }
    }
    AgentEvent stored = row.stored(seq);
    if (!token.equals(under.token)) {
      // something was deleted since the links were seen: forget all that was remembered, and
      // check these links as the lookup path does
      db.known().reset(token);
      long[] now = relink(h, stored, links, readsJson, remembered);
      if (checkReads && Causality.firstUnknown(h, links.reads()) != null) {
        throw Causality.missing(h, stored, links);
      }
      checked.token = token;
      checked.causeSeqs = now;
    }
    return new Inserted(stored, true);
  }

  /**
   * Looks the causes up by id after a removal: the row just inserted is given the seqs they name
   * now when those differ from the remembered ones (an event deleted, its id appended again since),
   * or the append fails NOT_FOUND naming the one that is not in the log.
   *
   * @return the seqs, in the causes' order
   */
  private long[] relink(
      Handle h, AgentEvent stored, CausalLinks links, String readsJson, long[] remembered)
      throws SQLException {
    long[] now = new long[links.causes().size()];
    for (int i = 0; i < now.length; i++) {
      try (ResultSet rs = h.prepare(Causality.CAUSE_SEQ, links.causes().get(i)).executeQuery()) {
        if (!rs.next()) {
          throw Causality.missing(h, stored, links);
        }
        now[i] = rs.getLong(1);
      }
    }
    if (!Arrays.equals(now, remembered)) {
      PreparedStatement ps = h.prepare(STALE_LINKS);
      ps.setString(1, Causality.linksJson(now, readsJson));
      ps.setLong(2, stored.seq());
      ps.executeUpdate();
    }
    return now;
  }

  /**
   * The insert that finds the causes' seqs by id and counts the reads the history holds; what it
   * found is remembered, once it commits, under the removal token the same insert read.
   */
  private Inserted insertLookingUp(
      Handle h, Row row, CausalLinks links, boolean checkReads, Checked checked)
      throws SQLException {
    PreparedStatement ps = h.prepare(insertLinked);
    bind(ps, row);
    String readsJson = Causality.readsJson(links);
    ps.setString(8, Causality.causesJson(links));
    ps.setString(9, readsJson);
    ps.setString(10, readsJson);
    long seq;
    boolean complete;
    String token;
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return new Inserted(stored(h, row.event.eventId()), false);
      }
      seq = rs.getLong(1);
      complete =
          rs.getInt(2) == links.causes().size()
              && (!checkReads || rs.getInt(3) == links.reads().size());
      token = Objects.requireNonNullElse(rs.getString(4), "");
    }
    AgentEvent stored = row.stored(seq);
    if (!complete) {
      throw Causality.missing(h, stored, links);
    }
    checked.token = token;
    return new Inserted(stored, true);
  }

  /**
   * The removal token a linked append's transaction checked its reads under, taken by {@link
   * KnownLinks} once the transaction commits (null: nothing to take). Confined to one append.
   */
  private static final class Checked {
    @Nullable String token;

    /** The causes' seqs as looked up after a remembered one was gone, in the causes' order. */
    long @Nullable [] causeSeqs;
  }

  /**
   * {@return the history's removal token as the append's transaction reads it without the insert
   * (SQLite: once per transaction, beside the event-index switch), or null when the insert is to
   * return it (the default)}
   */
  protected @Nullable String removalTokenInTransaction(Handle h) throws SQLException {
    return null;
  }

  /** The insert without {@code RETURNING}, for JDBC batches. */
  protected final String insertSql() {
    return insert;
  }

  /** Binds a row to {@link #insertSql()}'s parameters. */
  protected static void bind(PreparedStatement ps, Row row) throws SQLException {
    AgentEvent e = row.event;
    ps.setString(1, e.eventId());
    ps.setString(2, e.eventType());
    ps.setString(3, e.agentId());
    Rows.setNullable(ps, 4, e.agentType());
    Rows.setNullable(ps, 5, e.sessionId());
    ps.setLong(6, e.timestamp().toEpochMilli());
    ps.setString(7, row.metadataJson());
  }

  protected static InsertedBatch batch(List<Inserted> results) {
    List<AgentEvent> stored = new ArrayList<>(results.size());
    Map<String, Integer> fresh = new TreeMap<>();
    for (Inserted r : results) {
      stored.add(r.event());
      if (r.fresh()) {
        fresh.merge(r.event().eventType(), 1, Integer::sum);
      }
    }
    return new InsertedBatch(Collections.unmodifiableList(stored), fresh);
  }

  /**
   * The stored event with an id that must exist (it conflicted in this transaction).
   *
   * @throws SQLException when the database fails or the row vanished
   */
  protected final AgentEvent stored(Handle h, String eventId) throws SQLException {
    return byId(h, eventId).orElseThrow(() -> new SQLException("event " + eventId + " vanished"));
  }

  protected final String columns() {
    return columns;
  }

  @Override
  public List<AgentEvent> query(EventQuery query) {
    Objects.requireNonNull(query, "query");
    return db.read("events.query", h -> page(h, query, query.effectiveLimit()));
  }

  private List<AgentEvent> page(Handle h, EventQuery q, int limit) throws SQLException {
    PreparedStatement ps = h.prepare(EventQuerySql.sql(columns, q, false));
    int i = EventQuerySql.bind(ps, q, false);
    ps.setInt(i, limit);
    return Rows.events(ps);
  }

  private Optional<AgentEvent> byId(Handle h, String eventId) throws SQLException {
    return Rows.first(Rows.events(h.prepare(byId, eventId)));
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
    return db.read("events.since", h -> Rows.events(h.prepare(since, seq, limit)));
  }

  @Override
  public SalvagedEvents salvageSince(long seq, int limit) {
    if (seq < 0) {
      throw Checks.invalid("seq is " + seq + "; pass 0 to start or the lastSeq of the last page");
    }
    Checks.limit(limit);
    return db.read(
        "events.salvage",
        h -> {
          List<AgentEvent> events = new ArrayList<>();
          java.util.SortedMap<Long, String> damaged = new TreeMap<>();
          long last = seq;
          try (ResultSet rs = h.prepare(since, seq, limit).executeQuery()) {
            while (rs.next()) {
              last = rs.getLong(1);
              try {
                events.add(Rows.event(rs));
              } catch (SwarmDbException e) {
                if (e.code() != ErrorCode.CORRUPT) {
                  throw e;
                }
                damaged.put(last, String.valueOf(e.getMessage()));
              }
            }
          }
          return new SalvagedEvents(events, damaged, last);
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
          PreparedStatement ps = h.prepare(EventQuerySql.sql(columns, query, true));
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
  public EventCounts countByTypeAfter(long afterSeq) {
    if (afterSeq < 0) {
      throw Checks.invalid(
          "afterSeq is " + afterSeq + "; pass 0 for the whole log or the lastSeq of the last call");
    }
    return db.read(
        "events.countByTypeAfter",
        h -> {
          Map<String, Long> out = new TreeMap<>();
          long last = afterSeq;
          // the whole log on the covering (event_type, ts) index; later, only rows past the
          // cursor by primary key
          PreparedStatement ps =
              afterSeq == 0 ? h.prepare(COUNT_BY_TYPE) : h.prepare(countAfter, afterSeq);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getString(1), rs.getLong(2));
              last = Math.max(last, rs.getLong(3));
            }
          }
          return new EventCounts(last, out);
        });
  }

  /** Events per type and the newest seq of each, the whole log. */
  static final String COUNT_BY_TYPE =
      "SELECT event_type, count(*), max(seq) FROM agent_events GROUP BY event_type";

  /**
   * Events per type and the newest seq of each, past a seq, reading only those rows by primary key.
   */
  static String countByTypeAfter(Dialect d) {
    return "SELECT event_type, count(*), max(seq) FROM agent_events"
        + d.primaryKeyOnly()
        + " WHERE seq > ? GROUP BY event_type";
  }

  @Override
  public long lastSeq() {
    return db.read(
        "events.lastSeq", h -> h.queryLong("SELECT coalesce(max(seq), 0) FROM agent_events"));
  }
}
