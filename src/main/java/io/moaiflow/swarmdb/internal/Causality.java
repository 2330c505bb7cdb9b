package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Causal links, the same on both backends: an event's causes and reads are stored in its own row
 * ({@code agent_events.links}, written by the append's insert itself, schema v5), and the two walks
 * over them: {@link #why} (back from an event, by primary key) and {@link #blast} (forward from a
 * memory version, one pass over the log after it). Every statement's plan is pinned in {@code
 * QueryPlanTest}. Thread safe: it holds only statements' text.
 */
public final class Causality {
  static final String CAUSE_SEQ = "SELECT seq FROM agent_events WHERE event_id = ?";
  static final String VERSION_KNOWN =
      "SELECT 1 FROM memory_history WHERE scope = ? AND memory_type = ? AND key = ? AND version = ?"
          + " AND NOT deleted LIMIT 1";
  static final String VERSION_SEQ =
      "SELECT min(seq) FROM memory_history WHERE scope = ? AND memory_type = ? AND key = ?"
          + " AND version = ? AND NOT deleted";
  static final String LINKS = "SELECT links FROM agent_events WHERE seq = ?";
  static final String LINKED_AFTER =
      "SELECT seq, agent_id, links FROM agent_events WHERE seq > ? AND links IS NOT NULL"
          + " ORDER BY seq";

  /**
   * The versions after a seq that blast radius may attribute to an agent: written through an
   * agent's handle (schema v5's writer, any scope), or plainly into an agent's own memory.
   */
  static final String AGENT_VERSIONS_AFTER =
      "SELECT seq, scope, memory_type, key, version, writer FROM memory_history WHERE seq > ?"
          + " AND NOT deleted AND (writer IS NOT NULL OR substr(scope, 1, 6) = 'agent:')"
          + " ORDER BY seq";

  /** The links of the events in a seq range: the log's primary key's range. */
  static final String LINKS_RANGE =
      "SELECT seq, links FROM agent_events WHERE seq > ? AND seq <= ? AND links IS NOT NULL"
          + " ORDER BY seq";

  static final String EVENT_ID = "SELECT event_id FROM agent_events WHERE seq = ?";

  private static final Comparator<MemoryRef> REF_ORDER =
      Comparator.comparing((MemoryRef r) -> r.scope().toString())
          .thenComparing(MemoryRef::memoryType)
          .thenComparing(MemoryRef::key)
          .thenComparingLong(MemoryRef::version);

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
        VERSION_SEQ,
        LINKS,
        LINKED_AFTER,
        AGENT_VERSIONS_AFTER,
        LINKS_RANGE,
        EVENT_ID,
        SqlEventStore.linkedInsertSql(db.dialect()),
        bySeq,
        SqlEventStore.knownInsertSql(db.dialect(), false),
        SqlEventStore.STALE_LINKS);
  }

  /** {@return the causes' ids as the JSON array a linked insert binds} */
  static String causesJson(CausalLinks links) {
    return Json.write("causes", links.causes());
  }

  /**
   * {@return the reads as the JSON array of {@code [scope, type, key, version]} an insert binds}
   */
  static String readsJson(CausalLinks links) {
    StringJoiner json = new StringJoiner(",", "[", "]");
    for (MemoryRef r : links.reads()) {
      json.add(readJson(r));
    }
    return json.toString();
  }

  /** {@return one read as the element of {@link #readsJson} it becomes} */
  static String readJson(MemoryRef r) {
    return Json.write("reads", List.of(r.scope().toString(), r.memoryType(), r.key(), r.version()));
  }

  /**
   * {@return the first of the versions the history does not hold (tombstones do not count), or null
   * when it holds them all}
   */
  static @Nullable MemoryRef firstUnknown(Handle h, List<MemoryRef> refs) throws SQLException {
    for (MemoryRef r : refs) {
      try (ResultSet rs = bindRef(h.prepare(VERSION_KNOWN), 1, r).executeQuery()) {
        if (!rs.next()) {
          return r;
        }
      }
    }
    return null;
  }

  /**
   * {@return the stored form of links whose causes' seqs are known: {@code {"c":[seqs ascending],
   * "r":reads}}, as the insert's own JSON functions would write it}
   */
  static String linksJson(long[] causeSeqs, String readsJson) {
    long[] sorted = causeSeqs.clone();
    java.util.Arrays.sort(sorted);
    StringBuilder sb = new StringBuilder(16 + 12 * sorted.length + readsJson.length());
    sb.append("{\"c\":[");
    for (int i = 0; i < sorted.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(sorted[i]);
    }
    return sb.append("],\"r\":").append(readsJson).append('}').toString();
  }

  /**
   * The error of a linked insert that found fewer causes or reads than it named, naming the first
   * one missing (looked up in the same transaction, which then rolls back with the event).
   */
  static SwarmDbException missing(Handle h, AgentEvent stored, CausalLinks links)
      throws SQLException {
    for (String id : links.causes()) {
      boolean found;
      try (ResultSet rs = h.prepare(CAUSE_SEQ, id).executeQuery()) {
        found = rs.next();
      }
      if (!found) {
        return new SwarmDbException(
            ErrorCode.NOT_FOUND,
            "event "
                + stored.eventId()
                + " names cause "
                + id
                + ", which is not in the log; nothing was written: append the cause first"
                + " (causes must be earlier events)");
      }
    }
    MemoryRef r = firstUnknown(h, links.reads());
    if (r != null) {
      return new SwarmDbException(
          ErrorCode.NOT_FOUND,
          "event "
              + stored.eventId()
              + " names read "
              + r
              + ", a version the memory history does not hold (never written, or removed by"
              + " pruneHistory); nothing was written: name a version as read");
    }
    return new SwarmDbException(
        ErrorCode.NOT_FOUND,
        "event "
            + stored.eventId()
            + " names causes or reads that were deleted while it was appended; nothing was"
            + " written: append it again");
  }

  /**
   * The links of the events in (afterSeq, upToSeq], by seq, as an export writes them: causes as
   * event ids in the order of their seqs (a cause deleted since is left out: it is not in the log
   * to be named), reads sorted. INVALID_ARGUMENT past {@value EventQuery#MAX_LIMIT} linked events
   * (the reading stops there), CORRUPT for a damaged row.
   */
  static Map<Long, CausalLinks> links(Handle h, long afterSeq, long upToSeq) throws SQLException {
    Map<Long, Links> stored = new TreeMap<>();
    try (ResultSet rs = h.prepare(LINKS_RANGE, afterSeq, upToSeq).executeQuery()) {
      while (rs.next()) {
        if (stored.size() == EventQuery.MAX_LIMIT) {
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
        long seq = rs.getLong(1);
        stored.put(seq, parse(seq, rs.getString(2)));
      }
    }
    Map<Long, CausalLinks> out = new TreeMap<>();
    for (Map.Entry<Long, Links> e : stored.entrySet()) {
      List<String> ids = new ArrayList<>();
      List<Long> causes = e.getValue().causes(); // newest first
      for (int i = causes.size() - 1; i >= 0; i--) {
        try (ResultSet rs = h.prepare(EVENT_ID, causes.get(i)).executeQuery()) {
          if (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      try {
        out.put(e.getKey(), new CausalLinks(ids, e.getValue().reads()));
      } catch (SwarmDbException x) {
        throw corrupt("agent_events row (seq " + e.getKey() + ")", x);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** An event's stored links: its causes' seqs, newest first, and its reads, sorted. */
  private record Links(List<Long> causes, List<MemoryRef> reads) {
    static final Links NONE = new Links(List.of(), List.of());
  }

  /** Reads the links column of the event at {@code seq}; CORRUPT when it is not what we wrote. */
  private static Links parse(long seq, @Nullable String text) {
    if (text == null) {
      return Links.NONE;
    }
    String row = "agent_events row (seq " + seq + ")";
    try {
      JsonNode root = Json.mapper().readTree(text);
      JsonNode c = root.get("c");
      JsonNode r = root.get("r");
      if (c == null || !c.isArray() || r == null || !r.isArray()) {
        throw Json.corrupt(row, "links", "not an object of arrays c and r");
      }
      List<Long> causes = new ArrayList<>(c.size());
      for (JsonNode n : c) {
        if (!n.canConvertToLong()) {
          throw Json.corrupt(
              row, "links", "a cause is not a seq: " + Checks.printable(n.toString()));
        }
        causes.add(n.asLong());
      }
      causes.sort(Comparator.reverseOrder());
      List<MemoryRef> reads = new ArrayList<>(r.size());
      for (JsonNode n : r) {
        if (!n.isArray()
            || n.size() != 4
            || !n.get(0).isTextual()
            || !n.get(1).isTextual()
            || !n.get(2).isTextual()
            || !n.get(3).canConvertToLong()) {
          throw Json.corrupt(
              row,
              "links",
              "a read is not [scope, type, key, version]: " + Checks.printable(n.toString()));
        }
        try {
          reads.add(
              new MemoryRef(
                  Scope.parse(n.get(0).asText()),
                  n.get(1).asText(),
                  n.get(2).asText(),
                  n.get(3).asLong()));
        } catch (SwarmDbException e) {
          throw corrupt(row, e);
        }
      }
      reads.sort(REF_ORDER);
      return new Links(causes, reads);
    } catch (JsonProcessingException e) {
      throw Json.corrupt(row, "links", e.getOriginalMessage());
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
      // stable: within a depth, versions stay in the order found (log order for blast radius)
      memory.sort(Comparator.comparingInt(CausalGraph.MemoryNode::depth));
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
            Links links;
            try (ResultSet rs = h.prepare(LINKS, seq).executeQuery()) {
              links = rs.next() ? parse(seq, rs.getString(1)) : Links.NONE;
            }
            for (MemoryRef r : links.reads()) {
              if (!f.seenMemory.contains(r) && !f.full()) {
                f.seenMemory.add(r);
                f.memory.add(new CausalGraph.MemoryNode(r, n.depth() + 1));
              }
            }
            for (long cause : links.causes()) {
              if (!f.seenEvents.contains(cause) && !f.full()) {
                event(h, cause).ifPresent(e -> queue.add(addEvent(f, e, n.depth() + 1)));
              }
            }
          }
          return f.graph();
        });
  }

  /**
   * Every dependent of a memory version, at most {@code limit} nodes, found in one pass over the
   * log after the version was written (every dependent comes after what it depends on): the events
   * that read it, the events they caused, the versions those events' agents wrote after them
   * (through their handles in any scope, or plainly into their own memory), and so on from each of
   * those. Each node's depth is its shortest path from the version; past the limit the walk stops
   * at the last node it found in log order.
   */
  public CausalGraph blast(MemoryRef start, int limit) {
    Objects.requireNonNull(start, "ref");
    checkLimit(limit);
    return db.read(
        "causality.blast",
        h -> {
          Found f = new Found(limit);
          f.seenMemory.add(start);
          f.memory.add(new CausalGraph.MemoryNode(start, 0));
          Map<MemoryRef, Integer> versions = new HashMap<>();
          versions.put(start, 0);
          Map<Long, Integer> events = new HashMap<>();
          Map<String, Integer> agents = new HashMap<>();
          long from;
          try (ResultSet rs = bindRef(h.prepare(VERSION_SEQ), 1, start).executeQuery()) {
            // a version the history no longer holds (pruned) may have readers anywhere in the log
            from = rs.next() ? rs.getLong(1) : 0;
          }
          try (ResultSet ev = h.prepare(LINKED_AFTER, from).executeQuery();
              ResultSet hist = h.prepare(AGENT_VERSIONS_AFTER, from).executeQuery()) {
            boolean moreEvents = ev.next();
            boolean moreVersions = hist.next();
            while ((moreEvents || moreVersions) && !f.truncated) {
              if (moreEvents && (!moreVersions || ev.getLong(1) < hist.getLong(1))) {
                long seq = ev.getLong(1);
                String agent = ev.getString(2);
                Links links = parse(seq, ev.getString(3));
                int depth = Integer.MAX_VALUE;
                for (long c : links.causes()) {
                  depth = Math.min(depth, events.getOrDefault(c, Integer.MAX_VALUE - 1) + 1);
                }
                for (MemoryRef r : links.reads()) {
                  depth = Math.min(depth, versions.getOrDefault(r, Integer.MAX_VALUE - 1) + 1);
                }
                if (depth != Integer.MAX_VALUE && !f.full()) {
                  int d = depth;
                  Optional<AgentEvent> e = event(h, seq);
                  if (e.isPresent()) {
                    addEvent(f, e.get(), d);
                    events.put(seq, d);
                    agents.merge(agent, d, Math::min);
                  }
                }
                moreEvents = ev.next();
              } else {
                String writer = hist.getString(6);
                Integer by = agents.get(writer != null ? writer : hist.getString(2).substring(6));
                if (by != null) {
                  MemoryRef r =
                      ref(
                          hist.getString(2),
                          hist.getString(3),
                          hist.getString(4),
                          hist.getLong(5),
                          "memory_history");
                  if (!f.seenMemory.contains(r) && !f.full()) {
                    f.seenMemory.add(r);
                    f.memory.add(new CausalGraph.MemoryNode(r, by + 1));
                    versions.put(r, by + 1);
                  }
                }
                moreVersions = hist.next();
              }
            }
          }
          return f.graph();
        });
  }

  private static CausalGraph.EventNode addEvent(Found f, AgentEvent e, int depth) {
    f.seenEvents.add(e.seq());
    CausalGraph.EventNode n = new CausalGraph.EventNode(e, depth);
    f.events.add(n);
    return n;
  }

  /**
   * The event at a seq a link named; empty when it was deleted (retention, erasure): a link names a
   * seq, and an event whose cause is gone is a root of its chain. On PostgreSQL each statement
   * reads the latest commit, so an event deleted during the walk is skipped the same way.
   */
  private Optional<AgentEvent> event(Handle h, long seq) throws SQLException {
    return Rows.first(Rows.events(h.prepare(bySeq, seq)));
  }

  private static MemoryRef ref(String scope, String type, String key, long version, String table) {
    String row =
        table + " row (scope " + Checks.printable(scope) + ", type " + Checks.printable(type) + ")";
    try {
      return new MemoryRef(Scope.parse(scope), type, key, version);
    } catch (SwarmDbException e) {
      throw corrupt(row, e);
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
