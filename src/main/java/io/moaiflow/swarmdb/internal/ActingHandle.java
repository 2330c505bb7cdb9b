package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.ActingAgent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link ActingAgent} over the live database: a memory wrapper records the versions its reads
 * return in one set, and appends attach and then forget them; its writes go to the scope's memory
 * bound to the agent as writer (schema v5's {@code writer} column). Thread safe: the set is guarded
 * by its own lock.
 */
public final class ActingHandle implements ActingAgent {
  private final String agentId;
  private final EventStore events;
  private final BiFunction<Scope, String, Memory> memory;
  private final ObjectMapper json;
  private final Set<MemoryRef> pending = new LinkedHashSet<>();
  private final KnownLinks known;

  public ActingHandle(
      String agentId,
      EventStore events,
      BiFunction<Scope, String, Memory> memory,
      ObjectMapper json,
      KnownLinks known) {
    this.agentId = Checks.id("agentId", agentId);
    this.known = known;
    this.events = events;
    this.memory = memory;
    this.json = json;
  }

  @Override
  public String agentId() {
    return agentId;
  }

  @Override
  public Memory memory(Scope scope) {
    Memory live = memory.apply(Objects.requireNonNull(scope, "scope"), agentId);
    return new Recording((TypedMemory) live);
  }

  @Override
  public AgentEvent append(AgentEvent event, CausalLinks links) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(links, "links");
    if (!event.agentId().equals(agentId)) {
      throw Checks.invalid(
          "event "
              + event.eventId()
              + " is agent "
              + Checks.printable(event.agentId())
              + "'s, appended through the handle acting as "
              + agentId
              + ": use that agent's handle or events().append");
    }
    List<MemoryRef> recorded = pendingReads();
    Set<MemoryRef> reads = new LinkedHashSet<>(links.reads());
    reads.addAll(recorded);
    AgentEvent stored =
        events.append(event, new CausalLinks(links.causes(), new ArrayList<>(reads)));
    synchronized (pending) {
      recorded.forEach(pending::remove);
    }
    return stored;
  }

  @Override
  public List<MemoryRef> pendingReads() {
    synchronized (pending) {
      return List.copyOf(pending);
    }
  }

  /**
   * Records a version read, and remembers it for the append that names it ({@link KnownLinks}).
   *
   * @param generation {@link KnownLinks#generation()} taken before the read
   */
  private void record(long generation, MemoryEntry e) {
    MemoryRef r = MemoryRef.of(e);
    synchronized (pending) {
      pending.add(r);
    }
    known.seen(List.of(r), generation);
  }

  private <C extends Collection<MemoryEntry>> C recordAll(long generation, C entries) {
    entries.forEach(e -> record(generation, e));
    return entries;
  }

  /** The live memory of a scope, recording what its reads return. */
  private final class Recording extends TypedMemory {
    private final TypedMemory live;

    Recording(TypedMemory live) {
      this.live = live;
    }

    @Override
    ObjectMapper json() {
      return json;
    }

    @Override
    String rowName(String memoryType, String key) {
      return live.rowName(memoryType, key);
    }

    @Override
    Optional<MemoryEntry> unchecked(String memoryType, String key) {
      long g = known.generation();
      Optional<MemoryEntry> e = live.unchecked(memoryType, key);
      e.ifPresent(x -> record(g, x));
      return e;
    }

    @Override
    public Scope scope() {
      return live.scope();
    }

    @Override
    public MemoryEntry put(
        String memoryType, String key, @Nullable Object value, @Nullable Duration ttl) {
      return live.put(memoryType, key, value, ttl);
    }

    @Override
    public MemoryEntry putIfVersion(
        String memoryType,
        String key,
        @Nullable Object value,
        @Nullable Duration ttl,
        long expectedVersion) {
      return live.putIfVersion(memoryType, key, value, ttl, expectedVersion);
    }

    @Override
    public List<MemoryEntry> putAll(
        String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl) {
      return live.putAll(memoryType, values, ttl);
    }

    @Override
    public MemoryEntry put(
        String memoryType,
        String key,
        @Nullable Object value,
        @Nullable Duration ttl,
        String vectorModel,
        float[] vector) {
      return live.put(memoryType, key, value, ttl, vectorModel, vector);
    }

    @Override
    public List<MemoryEntry> putAll(
        String memoryType,
        Map<String, ? extends @Nullable Object> values,
        @Nullable Duration ttl,
        String vectorModel,
        Map<String, float[]> vectors) {
      return live.putAll(memoryType, values, ttl, vectorModel, vectors);
    }

    @Override
    public Optional<MemoryEntry> entry(String memoryType, String key) {
      long g = known.generation();
      Optional<MemoryEntry> e = live.entry(memoryType, key);
      e.ifPresent(x -> record(g, x));
      return e;
    }

    @Override
    public Map<String, MemoryEntry> getAll(String memoryType, Collection<String> keys) {
      long g = known.generation();
      Map<String, MemoryEntry> all = live.getAll(memoryType, keys);
      recordAll(g, all.values());
      return all;
    }

    @Override
    public boolean delete(String memoryType, String key) {
      return live.delete(memoryType, key);
    }

    @Override
    public int deleteAll(String memoryType, Collection<String> keys) {
      return live.deleteAll(memoryType, keys);
    }

    @Override
    public List<String> keys(String memoryType) {
      return live.keys(memoryType);
    }

    @Override
    public List<MemoryEntry> findByPrefix(String memoryType, String prefix) {
      long g = known.generation();
      return recordAll(g, live.findByPrefix(memoryType, prefix));
    }

    @Override
    public List<MemoryEntry> findByGlob(String memoryType, String glob) {
      long g = known.generation();
      return recordAll(g, live.findByGlob(memoryType, glob));
    }

    @Override
    public List<MemoryEntry> recent(int limit) {
      long g = known.generation();
      return recordAll(g, live.recent(limit));
    }

    @Override
    public long count() {
      return live.count();
    }

    @Override
    public long count(String memoryType) {
      return live.count(memoryType);
    }

    @Override
    public int clear() {
      return live.clear();
    }

    @Override
    public int clear(String memoryType) {
      return live.clear(memoryType);
    }

    @Override
    public List<MemoryVersion> history(String memoryType, String key, long afterSeq, int limit) {
      return live.history(memoryType, key, afterSeq, limit);
    }

    @Override
    public String exportJson() {
      return live.exportJson();
    }

    @Override
    public int importJson(String json) {
      return live.importJson(json);
    }
  }
}
