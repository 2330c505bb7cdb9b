package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Checks;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A filter over the event log, newest first: by agent, type, session and time window, with a limit
 * and a keyset cursor for paging. Start from a factory ({@link #agent}, {@link #type}, {@link
 * #session}, {@link #between}, {@link #all}) and narrow with the {@code with} methods.
 *
 * <p>Every combination is answered from an index. This record is immutable and thread safe.
 *
 * @param agentId only this agent's events, or null
 * @param eventType only events of this type, or null
 * @param sessionId only this session's events, or null
 * @param from earliest timestamp, inclusive, or null
 * @param to latest timestamp, exclusive, or null
 * @param limit most rows {@link EventStore#query} returns (default {@value #DEFAULT_LIMIT}, at most
 *     {@value #MAX_LIMIT}); {@link EventStore#stream} returns every match unless a limit is set
 * @param beforeTimestamp keyset cursor: only events older than this (with {@code beforeSeq})
 * @param beforeSeq keyset cursor: the last seq of the previous page
 */
public record EventQuery(
    @Nullable String agentId,
    @Nullable String eventType,
    @Nullable String sessionId,
    @Nullable Instant from,
    @Nullable Instant to,
    @Nullable Integer limit,
    @Nullable Instant beforeTimestamp,
    long beforeSeq) {

  /** Rows returned by {@link EventStore#query} when no limit is set. */
  public static final int DEFAULT_LIMIT = 100;

  /** The largest limit {@link EventStore#query} accepts; use {@link EventStore#stream} beyond. */
  public static final int MAX_LIMIT = 10_000;

  /**
   * Validates the filter; see the record description for each component.
   *
   * @param agentId only this agent's events, or null
   * @param eventType only events of this type, or null
   * @param sessionId only this session's events, or null
   * @param from earliest timestamp, inclusive, or null
   * @param to latest timestamp, exclusive, or null
   * @param limit most rows returned, or null for the default
   * @param beforeTimestamp keyset cursor: only events older than this (with {@code beforeSeq})
   * @param beforeSeq keyset cursor: the last seq of the previous page
   */
  public EventQuery {
    if (agentId != null) {
      Checks.id("agentId", agentId);
    }
    if (eventType != null) {
      Checks.type("eventType", eventType);
    }
    if (sessionId != null) {
      Checks.id("sessionId", sessionId);
    }
    if (from != null) {
      from = Checks.millis("from", from);
    }
    if (to != null) {
      to = Checks.millis("to", to);
    }
    if (from != null && to != null && from.isAfter(to)) {
      throw Checks.invalid(
          "time window starts at " + from + " after it ends at " + to + "; swap the bounds");
    }
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw Checks.invalid(
          "limit is "
              + limit
              + "; it must be between 1 and "
              + MAX_LIMIT
              + " (use stream() for more rows)");
    }
    if (beforeTimestamp != null) {
      beforeTimestamp = Checks.millis("beforeTimestamp", beforeTimestamp);
    }
    if (beforeSeq < 0) {
      throw Checks.invalid("beforeSeq is " + beforeSeq + "; it must not be negative");
    }
  }

  /** {@return the query for every event, newest first} */
  public static EventQuery all() {
    return new EventQuery(null, null, null, null, null, null, null, 0);
  }

  /**
   * One agent's history.
   *
   * @param agentId the agent
   * @return the query
   */
  public static EventQuery agent(String agentId) {
    return all().withAgent(agentId);
  }

  /**
   * Events of one type.
   *
   * @param eventType the type
   * @return the query
   */
  public static EventQuery type(String eventType) {
    return all().withType(eventType);
  }

  /**
   * One session's timeline.
   *
   * @param sessionId the session
   * @return the query
   */
  public static EventQuery session(String sessionId) {
    return all().withSession(sessionId);
  }

  /**
   * Events in a time window.
   *
   * @param from inclusive start
   * @param to exclusive end
   * @return the query
   */
  public static EventQuery between(Instant from, Instant to) {
    return all().withWindow(from, to);
  }

  /**
   * Narrows to one agent.
   *
   * @param id the agent
   * @return the narrowed query
   */
  public EventQuery withAgent(String id) {
    Objects.requireNonNull(id, "agentId");
    return new EventQuery(id, eventType, sessionId, from, to, limit, beforeTimestamp, beforeSeq);
  }

  /**
   * Narrows to one type.
   *
   * @param type the type
   * @return the narrowed query
   */
  public EventQuery withType(String type) {
    Objects.requireNonNull(type, "eventType");
    return new EventQuery(agentId, type, sessionId, from, to, limit, beforeTimestamp, beforeSeq);
  }

  /**
   * Narrows to one session.
   *
   * @param id the session
   * @return the narrowed query
   */
  public EventQuery withSession(String id) {
    Objects.requireNonNull(id, "sessionId");
    return new EventQuery(agentId, eventType, id, from, to, limit, beforeTimestamp, beforeSeq);
  }

  /**
   * Narrows to a time window.
   *
   * @param start inclusive start
   * @param end exclusive end
   * @return the narrowed query
   */
  public EventQuery withWindow(Instant start, Instant end) {
    Objects.requireNonNull(start, "from");
    Objects.requireNonNull(end, "to");
    return new EventQuery(
        agentId, eventType, sessionId, start, end, limit, beforeTimestamp, beforeSeq);
  }

  /**
   * Sets the most rows returned.
   *
   * @param rows between 1 and {@value #MAX_LIMIT}
   * @return the limited query
   */
  public EventQuery limit(int rows) {
    return new EventQuery(
        agentId, eventType, sessionId, from, to, rows, beforeTimestamp, beforeSeq);
  }

  /**
   * The next page after {@code last}, the oldest event of the previous page (keyset pagination:
   * stable while new events arrive).
   *
   * @param last the last event of the previous page
   * @return the query for the next page
   */
  public EventQuery after(AgentEvent last) {
    Objects.requireNonNull(last, "last");
    if (!last.isStored()) {
      throw Checks.invalid(
          "the cursor event '" + last.eventId() + "' was never stored (seq 0); pass a queried row");
    }
    return new EventQuery(
        agentId, eventType, sessionId, from, to, limit, last.timestamp(), last.seq());
  }

  /** {@return the limit {@link EventStore#query} applies, {@value #DEFAULT_LIMIT} when unset} */
  public int effectiveLimit() {
    return limit == null ? DEFAULT_LIMIT : limit;
  }
}
