package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The backend-independent part of an agent transition or heartbeat: the state-machine check, the
 * metadata merge, and the end-state bookkeeping (completedAt, duration). Both registries read the
 * current row, call {@link #apply}, and write the result. Stateless and thread safe.
 */
final class AgentTransitions {
  private AgentTransitions() {}

  /**
   * The agent after a transition (or, with a null target, a heartbeat).
   *
   * @param target the new state, or null for a heartbeat
   * @param patch metadata keys to set (a null value removes the key)
   * @param clockNow the time of the change in epoch ms; never earlier than the last update
   * @return the changed agent (its metadata not yet normalised to the stored JSON)
   * @throws SwarmDbException {@link ErrorCode#ILLEGAL_TRANSITION} when the state machine forbids it
   */
  public static Agent apply(
      Agent current,
      @Nullable AgentStatus target,
      Map<String, @Nullable Object> patch,
      long clockNow) {
    AgentStatus from = current.status();
    if (target == null && from.isFinal()) {
      throw new SwarmDbException(
          ErrorCode.ILLEGAL_TRANSITION,
          "agent '"
              + current.agentId()
              + "' already ended ("
              + from.dbName()
              + "); a heartbeat needs a spawned or running agent");
    }
    if (target != null && !from.canMoveTo(target)) {
      throw new SwarmDbException(
          ErrorCode.ILLEGAL_TRANSITION,
          "agent '"
              + current.agentId()
              + "' cannot move from "
              + from.dbName()
              + " to "
              + target.dbName()
              + "; allowed from "
              + from.dbName()
              + ": "
              + (from.isFinal() ? "nothing (final state)" : names(from)));
    }
    AgentStatus next = target == null ? from : target;
    long now = Math.max(clockNow, current.updatedAt().toEpochMilli());
    Map<String, @Nullable Object> meta = current.metadata();
    if (!patch.isEmpty()) {
      Map<String, @Nullable Object> merged = new LinkedHashMap<>(meta);
      for (Map.Entry<String, @Nullable Object> e : patch.entrySet()) {
        if (e.getValue() == null) {
          merged.remove(e.getKey());
        } else {
          merged.put(e.getKey(), e.getValue());
        }
      }
      meta = Collections.unmodifiableMap(merged);
    }
    boolean ends = next.isFinal();
    return new Agent(
        current.agentId(),
        current.agentType(),
        next,
        current.sessionId(),
        current.spawnedAt(),
        ends ? Instant.ofEpochMilli(now) : null,
        ends ? Math.max(0, now - current.spawnedAt().toEpochMilli()) : null,
        Instant.ofEpochMilli(now),
        meta);
  }

  /**
   * The agent with its metadata as it reads back from the JSON written for it (numbers and nested
   * maps normalised), so a returned row equals the stored one.
   */
  public static Agent asStored(Agent a, String json) {
    return new Agent(
        a.agentId(),
        a.agentType(),
        a.status(),
        a.sessionId(),
        a.spawnedAt(),
        a.completedAt(),
        a.durationMs(),
        a.updatedAt(),
        Json.asStored(a.metadata(), json));
  }

  public static SwarmDbException notFound(String agentId) {
    return new SwarmDbException(
        ErrorCode.NOT_FOUND,
        "agent '" + agentId + "' is not registered; register it first with agents().register()");
  }

  private static String names(AgentStatus s) {
    return s.next().stream().map(AgentStatus::dbName).collect(Collectors.joining(", "));
  }
}
