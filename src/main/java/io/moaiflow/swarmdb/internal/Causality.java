package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Schema v4's causal links, the same on both backends: recording an event's causes and reads in its
 * append's transaction, and the two walks over them ({@link #why}, {@link #blast}), each one read
 * transaction of key searches (every statement's plan is pinned in {@code QueryPlanTest}). Thread
 * safe: it holds only statements' text.
 */
public final class Causality {
  static final String CAUSE_SEQ = "SELECT seq FROM agent_events WHERE event_id = ?";
  static final String VERSION_KNOWN =
      "SELECT 1 FROM memory_history WHERE scope = ? AND memory_type = ? AND key = ? AND version = ?"
          + " AND NOT deleted LIMIT 1";
  static final String INSERT_CAUSE =
      "INSERT INTO event_causes (event_seq, cause_seq) VALUES (?, ?)";
  static final String INSERT_READ =
      "INSERT INTO event_reads (event_seq, scope, memory_type, key, version) VALUES (?, ?, ?, ?, ?)";

  /** The causes, as event ids, of the events in a seq range: the primary key's range. */
  static final String LINKED_CAUSES =
      "SELECT c.event_seq, e.event_id FROM event_causes c JOIN agent_events e ON e.seq ="
          + " c.cause_seq WHERE c.event_seq > ? AND c.event_seq <= ? ORDER BY c.event_seq,"
          + " c.cause_seq";

  /** The reads of the events in a seq range: the primary key's range. */
  static final String LINKED_READS =
      "SELECT event_seq, scope, memory_type, key, version FROM event_reads WHERE event_seq > ?"
          + " AND event_seq <= ? ORDER BY event_seq, scope, memory_type, key, version";

  static final String CAUSES =
      "SELECT cause_seq FROM event_causes WHERE event_seq = ? ORDER BY cause_seq DESC";
  static final String READS =
      "SELECT scope, memory_type, key, version FROM event_reads WHERE event_seq = ?"
          + " ORDER BY scope, memory_type, key, version";
  static final String EFFECTS =
      "SELECT event_seq FROM event_causes WHERE cause_seq = ? ORDER BY event_seq";
  static final String READERS =
      "SELECT event_seq FROM event_reads WHERE scope = ? AND memory_type = ? AND key = ?"
          + " AND version = ? ORDER BY event_seq";

  /**
   * An agent's own memory's versions in a seq range written without a recorded writer: plain
   * writes, which count as the agent's (as before schema v5), by the scope's part of the history
   * key.
   */
  static final String LATER_VERSIONS =
      "SELECT memory_type, key, version FROM memory_history WHERE scope = ? AND seq > ?"
          + " AND seq < ? AND NOT deleted AND writer IS NULL ORDER BY seq";

  /**
   * The versions an agent wrote through its handle in a seq range, in any scope (schema v5's writer
   * column, which has no index of its own): a range of the seq primary key, bounded below by the
   * dependent event.
   */
  static final String WRITTEN_AFTER =
      "SELECT scope, memory_type, key, version FROM memory_history WHERE seq > ? AND seq < ?"
          + " AND writer = ? AND NOT deleted ORDER BY seq";

  private final Backend db;
  private final String bySeq;

  public Causality(Backend db) {
    this.db = db;
    this.bySeq =
        "SELECT " + SqlEventStore.columns(db.dialect()) + " FROM agent_events WHERE seq = ?";
  }

  /** {@return every statement this class runs, for the query-plan tests} */
  List<String> statements() {
    return List.of(
        CAUSE_SEQ,
        VERSION_KNOWN,
        INSERT_CAUSE,
        INSERT_READ,
        CAUSES,
        READS,
        EFFECTS,
        READERS,
        LATER_VERSIONS,
        WRITTEN_AFTER,
        LINKED_CAUSES,
        LINKED_READS,
        bySeq);
  }

  /**
   * Records a just inserted event's links in its transaction, after checking them: every cause is a
   * stored event and every read a version the history holds, else NOT_FOUND (and the caller's
   * transaction rolls back with the event).
   */
  static void record(Handle h, AgentEvent stored, CausalLinks links) throws SQLException {
    record(h, stored, links, true);
  }

  /**
   * {@link #record(Handle, AgentEvent, CausalLinks)}; without {@code checkReads} the reads are
   * recorded as given (an import: they were read in the database the export came from).
   */
  static void record(Handle h, AgentEvent stored, CausalLinks links, boolean checkReads)
      throws SQLException {
    List<Long> causes = new ArrayList<>(links.causes().size());
    for (String id : links.causes()) {
      long seq = -1;
      try (ResultSet rs = h.prepare(CAUSE_SEQ, id).executeQuery()) {
        if (rs.next()) {
          seq = rs.getLong(1);
        }
      }
      if (seq < 0) {
        throw new SwarmDbException(
            ErrorCode.NOT_FOUND,
            "event "
                + stored.eventId()
                + " names cause "
                + id
                + ", which is not in the log; nothing was written: append the cause first"
                + " (causes must be earlier events)");
      }
      causes.add(seq);
    }
    for (MemoryRef r : checkReads ? links.reads() : List.<MemoryRef>of()) {
      boolean known;
      try (ResultSet rs = bindRef(h.prepare(VERSION_KNOWN), 1, r).executeQuery()) {
        known = rs.next();
      }
      if (!known) {
        throw new SwarmDbException(
            ErrorCode.NOT_FOUND,
            "event "
                + stored.eventId()
                + " names read "
                + r
                + ", a version the memory history does not hold (never written, or removed by"
                + " pruneHistory); nothing was written: name a version as read");
      }
    }
    long seq = stored.seq();
    if (!causes.isEmpty()) {
      PreparedStatement ps = h.prepare(INSERT_CAUSE);
      ps.clearBatch();
      for (long c : causes) {
        ps.setLong(1, seq);
        ps.setLong(2, c);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    if (!links.reads().isEmpty()) {
      PreparedStatement ps = h.prepare(INSERT_READ);
      ps.clearBatch();
      for (MemoryRef r : links.reads()) {
        ps.setLong(1, seq);
        bindRef(ps, 2, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * The links of the events in (afterSeq, upToSeq], by seq; INVALID_ARGUMENT past {@value
   * EventQuery#MAX_LIMIT} linked events (the reading stops there), CORRUPT for a damaged row.
   */
  static Map<Long, CausalLinks> links(Handle h, long afterSeq, long upToSeq) throws SQLException {
    Map<Long, List<String>> causes = new TreeMap<>();
    Map<Long, List<MemoryRef>> reads = new TreeMap<>();
    Set<Long> linked = new HashSet<>();
    try (ResultSet rs = h.prepare(LINKED_CAUSES, afterSeq, upToSeq).executeQuery()) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        tooMany(linked, seq, afterSeq, upToSeq);
        causes.computeIfAbsent(seq, k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    try (ResultSet rs = h.prepare(LINKED_READS, afterSeq, upToSeq).executeQuery()) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        tooMany(linked, seq, afterSeq, upToSeq);
        String scope = rs.getString(2);
        String row =
            "event_reads row (event_seq " + seq + ", scope " + Checks.printable(scope) + ")";
        MemoryRef r;
        try {
          r = new MemoryRef(Scope.parse(scope), rs.getString(3), rs.getString(4), rs.getLong(5));
        } catch (SwarmDbException e) {
          throw corrupt(row, e);
        }
        reads.computeIfAbsent(seq, k -> new ArrayList<>()).add(r);
      }
    }
    Map<Long, CausalLinks> out = new TreeMap<>();
    for (long seq : new TreeSet<>(linked)) {
      try {
        out.put(
            seq,
            new CausalLinks(
                causes.getOrDefault(seq, List.of()), reads.getOrDefault(seq, List.of())));
      } catch (SwarmDbException e) {
        throw corrupt("the links of agent_events row seq " + seq, e);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static void tooMany(Set<Long> linked, long seq, long afterSeq, long upToSeq) {
    if (linked.add(seq) && linked.size() > EventQuery.MAX_LIMIT) {
      throw Checks.invalid(
          "more than "
              + EventQuery.MAX_LIMIT
              + " events with seq after "
              + afterSeq
              + " and up to "
              + upToSeq
              + " have causal links; pass a smaller range (a page of at most "
              + EventQuery.MAX_LIMIT
              + " events)");
    }
  }

  private static PreparedStatement bindRef(PreparedStatement ps, int first, MemoryRef r)
      throws SQLException {
    ps.setString(first, r.scope().toString());
    ps.setString(first + 1, r.memoryType());
    ps.setString(first + 2, r.key());
    ps.setLong(first + 3, r.version());
    return ps;
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > CausalGraph.MAX_LIMIT) {
      throw Checks.invalid(
          "limit is "
              + limit
              + "; it must be between 1 and "
              + CausalGraph.MAX_LIMIT
              + " nodes: page a larger graph by starting again from a node it returned");
    }
  }

  /** The walk's output, bounded by its limit. */
  private static final class Found {
    final int limit;
    final List<CausalGraph.EventNode> events = new ArrayList<>();
    final List<CausalGraph.MemoryNode> memory = new ArrayList<>();
    final Set<Long> seenEvents = new HashSet<>();
    final Set<MemoryRef> seenMemory = new HashSet<>();
    boolean truncated;

    Found(int limit) {
      this.limit = limit;
    }

    boolean full() {
      if (events.size() + memory.size() >= limit) {
        truncated = true;
        return true;
      }
      return false;
    }

    CausalGraph graph() {
      events.sort(
          Comparator.comparingInt(CausalGraph.EventNode::depth)
              .thenComparingLong(n -> n.event().seq()));
      Set<String> agents = new TreeSet<>();
      for (CausalGraph.EventNode n : events) {
        agents.add(n.event().agentId());
      }
      return new CausalGraph(events, memory, List.copyOf(agents), truncated);
    }
  }

  /**
   * The causal chain of an event back to its roots: the event (depth 0), its causes, theirs, and
   * every memory version any of them read, breadth first, at most {@code limit} nodes.
   */
  public CausalGraph why(String eventId, int limit) {
    Checks.id("eventId", eventId);
    checkLimit(limit);
    return db.read(
        "causality.why",
        h -> {
          AgentEvent root =
              Rows.first(Rows.events(h.prepare(SqlEventStore.byIdSql(db.dialect()), eventId)))
                  .orElseThrow(
                      () ->
                          new SwarmDbException(
                              ErrorCode.NOT_FOUND,
                              "event " + eventId + " is not in the log: pass a stored event's id"));
          Found f = new Found(limit);
          Deque<CausalGraph.EventNode> queue = new ArrayDeque<>();
          queue.add(addEvent(f, root, 0));
          while (!queue.isEmpty() && !f.truncated) {
            CausalGraph.EventNode n = queue.removeFirst();
            long seq = n.event().seq();
            for (MemoryRef r : reads(h, seq)) {
              if (!f.seenMemory.contains(r) && !f.full()) {
                f.seenMemory.add(r);
                f.memory.add(new CausalGraph.MemoryNode(r, n.depth() + 1));
              }
            }
            for (long cause : longs(h.prepare(CAUSES, seq))) {
              if (!f.seenEvents.contains(cause) && !f.full()) {
                event(h, cause).ifPresent(e -> queue.add(addEvent(f, e, n.depth() + 1)));
              }
            }
          }
          return f.graph();
        });
  }

  /**
   * Every dependent of a memory version, breadth first, at most {@code limit} nodes: the events
   * that read it, the events they caused, the versions those events' agents wrote after those
   * events (in any scope through their handles, by the writer column; in their own memory without a
   * recorded writer), and so on from each of those.
   */
  public CausalGraph blast(MemoryRef start, int limit) {
    Objects.requireNonNull(start, "ref");
    checkLimit(limit);
    return db.read(
        "causality.blast",
        h -> {
          Found f = new Found(limit);
          Deque<Object> queue = new ArrayDeque<>();
          Map<String, Long> scannedFrom = new HashMap<>(); // agent -> smallest event seq scanned
          f.seenMemory.add(start);
          CausalGraph.MemoryNode first = new CausalGraph.MemoryNode(start, 0);
          f.memory.add(first);
          queue.add(first);
          while (!queue.isEmpty() && !f.truncated) {
            Object next = queue.removeFirst();
            if (next instanceof CausalGraph.MemoryNode m) {
              for (long reader : longs(bindRef(h.prepare(READERS), 1, m.ref()))) {
                if (!f.seenEvents.contains(reader) && !f.full()) {
                  event(h, reader).ifPresent(e -> queue.add(addEvent(f, e, m.depth() + 1)));
                }
              }
            } else {
              CausalGraph.EventNode e = (CausalGraph.EventNode) next;
              for (long effect : longs(h.prepare(EFFECTS, e.event().seq()))) {
                if (!f.seenEvents.contains(effect) && !f.full()) {
                  event(h, effect).ifPresent(x -> queue.add(addEvent(f, x, e.depth() + 1)));
                }
              }
              String agent = e.event().agentId();
              long after = e.event().seq();
              Long scanned = scannedFrom.get(agent);
              if (scanned == null || after < scanned) {
                // versions after an earlier-scanned event of the agent are found already, at a
                // depth no greater (breadth first): read only the seqs up to that event
                long before = scanned == null ? Long.MAX_VALUE : scanned;
                scannedFrom.put(agent, after);
                Scope own = Scope.agent(agent);
                PreparedStatement ps = h.prepare(LATER_VERSIONS, own.toString(), after, before);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next() && !f.truncated) {
                    later(
                        f,
                        queue,
                        e,
                        ref(
                            own,
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            "memory_history"));
                  }
                }
                try (ResultSet rs = h.prepare(WRITTEN_AFTER, after, before, agent).executeQuery()) {
                  while (rs.next() && !f.truncated) {
                    later(f, queue, e, written(rs));
                  }
                }
              }
            }
          }
          return f.graph();
        });
  }

  /** Adds a version written after a dependent event, unless seen or the limit is reached. */
  private static void later(Found f, Deque<Object> queue, CausalGraph.EventNode e, MemoryRef r) {
    if (!f.seenMemory.contains(r) && !f.full()) {
      f.seenMemory.add(r);
      CausalGraph.MemoryNode m = new CausalGraph.MemoryNode(r, e.depth() + 1);
      f.memory.add(m);
      queue.add(m);
    }
  }

  /** A row of {@link #WRITTEN_AFTER}; a damaged scope is CORRUPT naming the row. */
  private static MemoryRef written(ResultSet rs) throws SQLException {
    String scope = rs.getString(1);
    Scope parsed;
    try {
      parsed = Scope.parse(scope);
    } catch (SwarmDbException e) {
      throw corrupt("memory_history row (scope " + Checks.printable(scope) + ")", e);
    }
    return ref(parsed, rs.getString(2), rs.getString(3), rs.getLong(4), "memory_history");
  }

  private static CausalGraph.EventNode addEvent(Found f, AgentEvent e, int depth) {
    f.seenEvents.add(e.seq());
    CausalGraph.EventNode n = new CausalGraph.EventNode(e, depth);
    f.events.add(n);
    return n;
  }

  /**
   * The event at a seq a link named; empty when it was deleted after the link was read (on
   * PostgreSQL each statement reads the latest commit): its links went with it (foreign keys).
   */
  private Optional<AgentEvent> event(Handle h, long seq) throws SQLException {
    return Rows.first(Rows.events(h.prepare(bySeq, seq)));
  }

  private static List<Long> longs(PreparedStatement ps) throws SQLException {
    return Rows.all(ps, rs -> rs.getLong(1));
  }

  private static List<MemoryRef> reads(Handle h, long seq) throws SQLException {
    return Rows.all(
        h.prepare(READS, seq),
        rs -> {
          String scope = rs.getString(1);
          try {
            return ref(Scope.parse(scope), rs.getString(2), rs.getString(3), rs.getLong(4), "");
          } catch (SwarmDbException e) {
            throw corrupt(
                "event_reads row (event_seq " + seq + ", scope " + Checks.printable(scope) + ")",
                e);
          }
        });
  }

  private static MemoryRef ref(Scope scope, String type, String key, long version, String table) {
    try {
      return new MemoryRef(scope, type, key, version);
    } catch (SwarmDbException e) {
      if (table.isEmpty()) {
        throw e;
      }
      throw corrupt(table + " row (scope " + scope + ", type " + Checks.printable(type) + ")", e);
    }
  }

  private static SwarmDbException corrupt(String row, SwarmDbException e) {
    if (e.code() != ErrorCode.INVALID_ARGUMENT) {
      return e;
    }
    return new SwarmDbException(
        ErrorCode.CORRUPT,
        row
            + " is damaged ("
            + e.getMessage()
            + "); 'swarmdb verify --full' checks the database, 'swarmdb restore' brings back a"
            + " backup",
        e);
  }
}
