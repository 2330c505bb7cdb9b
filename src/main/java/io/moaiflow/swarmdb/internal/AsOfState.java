package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.CreateResult;
import io.moaiflow.swarmdb.EraseResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SessionStore;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmState;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The swarm as of one seq, read from the history tables by {@link History}: the same read
 * interfaces as the live database, every write refused with {@code READ_ONLY}. The whole registry
 * and the whole session list are read once, on first use, and kept (the past does not change);
 * memory is read per call, by key or by scope. Checks run as the live DAOs run them, so bad input
 * fails the same way. Thread safe: the kept lists are immutable and published through volatile
 * fields.
 */
final class AsOfState implements SwarmState {
  private final History history;
  private final long seq;
  private final Instant time;
  private final Agents agents = new Agents();
  private final Sessions sessions = new Sessions();
  private volatile @Nullable List<Agent> allAgents;
  private volatile @Nullable List<Session> allSessions;

  AsOfState(History history, long seq, Instant time) {
    this.history = history;
    this.seq = seq;
    this.time = time;
  }

  @Override
  public long seq() {
    return seq;
  }

  @Override
  public Instant time() {
    return time;
  }

  @Override
  public AgentRegistry agents() {
    return agents;
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public Memory memory(Scope scope) {
    Objects.requireNonNull(scope, "scope");
    return scope.kind() == Scope.Kind.SESSION
        ? sessions.memory(Objects.requireNonNull(scope.id()))
        : new ScopeMemory(scope);
  }

  @Override
  public String toString() {
    return "SwarmState[seq " + seq + " at " + time + " of " + history.db().label() + "]";
  }

  private SwarmDbException readOnly(String what) {
    return new SwarmDbException(
        ErrorCode.READ_ONLY,
        what
            + " is a write, and this is the swarm as of seq "
            + seq
            + ", a read-only view of the past; write through the live database (SwarmDB.agents(),"
            + " sessions(), memory(scope))");
  }

  private long now() {
    return time.toEpochMilli();
  }

  private List<Agent> allAgents() {
    List<Agent> all = allAgents;
    if (all == null) {
      all =
          history.read(
              "history.agents",
              seq,
              h -> {
                List<Agent> out = new ArrayList<>();
                try (ResultSet rs = h.prepare(history.agentsAt, seq).executeQuery()) {
                  while (rs.next()) {
                    History.agent(rs).ifPresent(out::add);
                  }
                }
                return List.copyOf(out);
              });
      allAgents = all;
    }
    return all;
  }

  private List<Session> allSessions() {
    List<Session> all = allSessions;
    if (all == null) {
      all =
          history.read(
              "history.sessions",
              seq,
              h -> {
                List<Session> out = new ArrayList<>();
                try (ResultSet rs = h.prepare(history.sessionsAt, seq).executeQuery()) {
                  while (rs.next()) {
                    History.session(rs).ifPresent(out::add);
                  }
                }
                return List.copyOf(out);
              });
      allSessions = all;
    }
    return all;
  }

  private static <T> List<T> select(List<T> all, Predicate<T> filter) {
    return all.stream().filter(filter).toList();
  }

  /** The registry as of the seq. */
  private final class Agents implements AgentRegistry {
    @Override
    public Agent register(
        String agentId,
        String agentType,
        @Nullable String sessionId,
        Map<String, ? extends @Nullable Object> metadata) {
      throw readOnly("register");
    }

    @Override
    public Agent transition(String agentId, AgentStatus target) {
      throw readOnly("transition");
    }

    @Override
    public Agent transition(
        String agentId, AgentStatus target, Map<String, ? extends @Nullable Object> update) {
      throw readOnly("transition");
    }

    @Override
    public CreateResult<Agent> registerIfAbsent(
        String agentId,
        String agentType,
        @Nullable String sessionId,
        Map<String, ? extends @Nullable Object> metadata) {
      throw readOnly("registerIfAbsent");
    }

    @Override
    public Agent transition(String agentId, AgentStatus expected, AgentStatus target) {
      throw readOnly("transition");
    }

    @Override
    public Agent heartbeat(String agentId) {
      throw readOnly("heartbeat");
    }

    @Override
    public List<String> sweepStale(Duration silence) {
      throw readOnly("sweepStale");
    }

    @Override
    public Optional<Agent> get(String agentId) {
      Checks.id("agentId", agentId);
      return history.read(
          "history.agent",
          seq,
          h -> {
            try (ResultSet rs = h.prepare(history.agentAt, agentId, seq).executeQuery()) {
              return rs.next() ? History.agent(rs) : Optional.<Agent>empty();
            }
          });
    }

    @Override
    public List<Agent> active() {
      return allAgents().stream()
          .filter(a -> !a.status().isFinal())
          .sorted(Comparator.comparing(Agent::updatedAt).thenComparing(Agent::agentId))
          .toList();
    }

    @Override
    public List<Agent> byType(String agentType) {
      Checks.type("agentType", agentType);
      return select(allAgents(), a -> a.agentType().equals(agentType));
    }

    @Override
    public List<Agent> byType(String agentType, AgentStatus status) {
      Checks.type("agentType", agentType);
      if (status == null) {
        throw Checks.invalid("status is null; pass an AgentStatus");
      }
      return select(allAgents(), a -> a.agentType().equals(agentType) && a.status() == status);
    }

    @Override
    public List<Agent> bySession(String sessionId) {
      Checks.id("sessionId", sessionId);
      return select(allAgents(), a -> sessionId.equals(a.sessionId()));
    }

    @Override
    public List<Agent> page(
        @Nullable AgentStatus status,
        @Nullable String sessionId,
        @Nullable String afterAgentId,
        int limit) {
      Checks.limit(limit);
      if (sessionId != null) {
        Checks.id("sessionId", sessionId);
      }
      String after = afterAgentId == null ? "" : Checks.id("afterAgentId", afterAgentId);
      return allAgents().stream()
          .filter(a -> a.agentId().compareTo(after) > 0)
          .filter(a -> status == null || a.status() == status)
          .filter(a -> sessionId == null || sessionId.equals(a.sessionId()))
          .limit(limit)
          .toList();
    }

    @Override
    public Map<AgentStatus, Long> countByStatus() {
      Map<AgentStatus, Long> out = new EnumMap<>(AgentStatus.class);
      for (AgentStatus s : AgentStatus.values()) {
        out.put(s, 0L);
      }
      for (Agent a : allAgents()) {
        out.merge(a.status(), 1L, Long::sum);
      }
      return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
      return "AgentRegistry[as of seq " + seq + "]";
    }
  }

  /** Sessions as of the seq. */
  private final class Sessions implements SessionStore {
    @Override
    public Session start(String sessionId, Map<String, ? extends @Nullable Object> metadata) {
      throw readOnly("start");
    }

    @Override
    public CreateResult<Session> startIfAbsent(
        String sessionId, Map<String, ? extends @Nullable Object> metadata) {
      throw readOnly("startIfAbsent");
    }

    @Override
    public Session end(String sessionId) {
      throw readOnly("end");
    }

    @Override
    public EraseResult erase(String sessionId) {
      throw readOnly("erase");
    }

    @Override
    public Session fork(String sourceId, String newId, long asOfSeq) {
      throw readOnly("fork");
    }

    @Override
    public Optional<Session> get(String sessionId) {
      Checks.id("sessionId", sessionId);
      return history.read(
          "history.session",
          seq,
          h -> {
            try (ResultSet rs = h.prepare(history.sessionAt, sessionId, seq).executeQuery()) {
              return rs.next() ? History.session(rs) : Optional.<Session>empty();
            }
          });
    }

    @Override
    public List<Session> open(int limit) {
      Checks.limit(limit);
      return allSessions().stream().filter(Session::isActive).limit(limit).toList();
    }

    @Override
    public List<Session> recent(int limit) {
      Checks.limit(limit);
      return allSessions().stream().limit(limit).toList();
    }

    @Override
    public List<Session> page(boolean activeOnly, @Nullable String afterSessionId, int limit) {
      Checks.limit(limit);
      Stream<Session> s = allSessions().stream();
      if (afterSessionId != null) {
        Checks.id("afterSessionId", afterSessionId);
        Session cursor =
            allSessions().stream()
                .filter(x -> x.sessionId().equals(afterSessionId))
                .findFirst()
                .orElseThrow(
                    () ->
                        new SwarmDbException(
                            ErrorCode.NOT_FOUND,
                            "the cursor session '"
                                + Checks.printable(afterSessionId)
                                + "' did not exist as of seq "
                                + seq
                                + "; start again from the first page"));
        // sessions are kept in (started_at DESC, session_id) order, the live keyset's order
        s = s.dropWhile(x -> !x.sessionId().equals(cursor.sessionId())).skip(1);
      }
      return s.filter(x -> !activeOnly || x.isActive()).limit(limit).toList();
    }

    @Override
    public long count() {
      return allSessions().size();
    }

    @Override
    public SessionMemory memory(String sessionId) {
      Checks.id("sessionId", sessionId);
      return new SessionScopeMemory(sessionId);
    }

    @Override
    public Optional<MemoryEntry> newest(String memoryType, String key) {
      Checks.type("memoryType", memoryType);
      Checks.key("key", key);
      return history.read(
          "history.newest", seq, h -> history.newestAt(h, memoryType, key, seq, now()));
    }

    @Override
    public String toString() {
      return "SessionStore[as of seq " + seq + "]";
    }
  }

  /** One scope's memory as of the seq. */
  private class ScopeMemory extends TypedMemory {
    private final Scope scope;
    private final String owner;

    ScopeMemory(Scope scope) {
      this.scope = scope;
      this.owner = History.owner(scope);
    }

    @Override
    public Scope scope() {
      return scope;
    }

    @Override
    public MemoryEntry put(
        String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
      throw readOnly("put");
    }

    @Override
    public List<MemoryEntry> putAll(
        String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
      throw readOnly("putAll");
    }

    @Override
    public MemoryEntry putIfVersion(
        String memoryType,
        String key,
        @Nullable Object value,
        @Nullable Duration ttl,
        long expectedVersion) {
      throw readOnly("putIfVersion");
    }

    @Override
    public MemoryEntry put(
        String memoryType,
        String key,
        @Nullable Object value,
        @Nullable Duration ttl,
        String vectorModel,
        float[] vector) {
      throw readOnly("put");
    }

    @Override
    public List<MemoryEntry> putAll(
        String memoryType,
        Map<String, ? extends @Nullable Object> values,
        @Nullable Duration ttl,
        String vectorModel,
        Map<String, float[]> vectors) {
      throw readOnly("putAll");
    }

    @Override
    public boolean delete(String memoryType, String key) {
      throw readOnly("delete");
    }

    @Override
    public int deleteAll(String memoryType, Collection<String> keys) {
      throw readOnly("deleteAll");
    }

    @Override
    ObjectMapper json() {
      return history.db().json();
    }

    @Override
    String rowName(String memoryType, String key) {
      return "memory_history entry " + scope + " " + memoryType + " " + key;
    }

    @Override
    public long count() {
      return countWhere("");
    }

    @Override
    public long count(String memoryType) {
      Checks.type("memoryType", memoryType);
      return countWhere(" AND h.memory_type = ?", memoryType);
    }

    /** Counts the entries live at the seq in the database, without reading their values. */
    private long countWhere(String tail, Object... params) {
      Object[] all = params(params);
      return history.read(
          "history.memory.count",
          seq,
          h -> {
            try (ResultSet rs =
                h.prepare("SELECT count(*) FROM (" + history.memoryScopeAt + tail + ") c", all)
                    .executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          });
    }

    private Object[] params(Object... params) {
      Object[] all = new Object[params.length + 3];
      all[0] = owner;
      all[1] = seq;
      all[2] = now();
      System.arraycopy(params, 0, all, 3, params.length);
      return all;
    }

    @Override
    public int clear() {
      throw readOnly("clear");
    }

    @Override
    public int clear(String memoryType) {
      throw readOnly("clear");
    }

    @Override
    public int importJson(String json) {
      throw readOnly("importJson");
    }

    @Override
    public Optional<MemoryEntry> entry(String memoryType, String key) {
      Checks.type("memoryType", memoryType);
      Checks.key("key", key);
      return history.read(
          "history.memory", seq, h -> history.entryAt(h, owner, memoryType, key, seq, now()));
    }

    @Override
    public Map<String, MemoryEntry> getAll(String memoryType, Collection<String> keys) {
      Checks.type("memoryType", memoryType);
      Objects.requireNonNull(keys, "keys");
      if (keys.size() > Checks.MAX_LIMIT) {
        throw Checks.invalid(
            "getAll got " + keys.size() + " keys; the limit is " + Checks.MAX_LIMIT);
      }
      for (String k : keys) {
        Checks.key("key", k);
      }
      return history.read(
          "history.memory",
          seq,
          h -> {
            Map<String, MemoryEntry> out = new LinkedHashMap<>();
            for (String k : keys) {
              history.entryAt(h, owner, memoryType, k, seq, now()).ifPresent(e -> out.put(k, e));
            }
            return Collections.unmodifiableMap(out);
          });
    }

    private List<MemoryEntry> scan(String op, String tail, Object... params) {
      Object[] all = params(params);
      return history.read(
          op,
          seq,
          h -> List.copyOf(history.entries(h.prepare(history.memoryScopeAt + tail, all), now())));
    }

    private String byKey() {
      return " ORDER BY h.key" + history.dialect().binaryCollation();
    }

    @Override
    public List<String> keys(String memoryType) {
      Checks.type("memoryType", memoryType);
      return scan("history.memory", " AND h.memory_type = ?" + byKey(), memoryType).stream()
          .map(MemoryEntry::key)
          .toList();
    }

    @Override
    public List<MemoryEntry> findByPrefix(String memoryType, String prefix) {
      Checks.type("memoryType", memoryType);
      Dialect d = history.dialect();
      return scan(
          "history.memory",
          " AND h.memory_type = ? AND " + d.prefixPredicate() + byKey(),
          memoryType,
          d.prefixArgument().apply(prefix));
    }

    @Override
    public List<MemoryEntry> findByGlob(String memoryType, String glob) {
      Checks.type("memoryType", memoryType);
      Dialect d = history.dialect();
      return scan(
          "history.memory",
          " AND h.memory_type = ? AND " + d.globPredicate() + byKey(),
          memoryType,
          d.globArgument().apply(glob));
    }

    @Override
    public List<MemoryEntry> recent(int limit) {
      Checks.limit(limit);
      return scan("history.memory", " ORDER BY h.ts DESC, h.seq DESC LIMIT ?", limit);
    }

    @Override
    public String exportJson() {
      String c = history.dialect().binaryCollation();
      return MemoryDocuments.write(
          scope, scan("history.memory", " ORDER BY h.memory_type" + c + ", h.key" + c));
    }

    @Override
    public List<MemoryVersion> history(String memoryType, String key, long afterSeq, int limit) {
      return history.versions(owner, memoryType, key, afterSeq, seq, limit);
    }

    @Override
    public String toString() {
      return "Memory[" + scope + " as of seq " + seq + "]";
    }
  }

  /** A session's memory as of the seq. */
  private final class SessionScopeMemory extends ScopeMemory implements SessionMemory {
    private final String sessionId;

    SessionScopeMemory(String sessionId) {
      super(Scope.session(sessionId));
      this.sessionId = sessionId;
    }

    @Override
    public String sessionId() {
      return sessionId;
    }

    @Override
    public Scope scope() {
      return super.scope();
    }
  }
}
