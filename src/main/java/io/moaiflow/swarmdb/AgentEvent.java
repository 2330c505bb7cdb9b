package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.Uuid7;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One agent lifecycle event: the row type of the append-only event log.
 *
 * <p>A new event has {@code seq == 0}; the stored copy returned by {@link EventStore#append} and by
 * queries carries the log position ({@code seq > 0}) that tailing uses as its cursor. Times are
 * kept at millisecond precision. This record is immutable and thread safe (its metadata map is an
 * unmodifiable copy; values nested inside it are the caller's responsibility).
 *
 * @param seq the log position, or 0 for an event not yet stored
 * @param eventId unique id; retried appends with the same id are idempotent
 * @param eventType the kind of event, such as {@code spawn} or {@code complete} (letters, digits,
 *     {@code _ . : -}; at most 64 characters)
 * @param agentId the agent the event is about
 * @param agentType the agent's type, or null
 * @param sessionId the session the event belongs to, or null
 * @param timestamp when it happened (millisecond precision)
 * @param metadata JSON-serialisable details, within {@link JsonLimits} (checked when appended)
 */
public record AgentEvent(
    long seq,
    String eventId,
    String eventType,
    String agentId,
    @Nullable String agentType,
    @Nullable String sessionId,
    Instant timestamp,
    Map<String, @Nullable Object> metadata) {

  /**
   * Validates the fields; see the record description for the rules.
   *
   * @param seq the log position, or 0 for an event not yet stored
   * @param eventId unique id; retried appends with the same id are idempotent
   * @param eventType the kind of event
   * @param agentId the agent the event is about
   * @param agentType the agent's type, or null
   * @param sessionId the session the event belongs to, or null
   * @param timestamp when it happened (millisecond precision)
   * @param metadata JSON-serialisable details
   */
  public AgentEvent {
    if (seq < 0) {
      throw Checks.invalid("seq is " + seq + "; it must be 0 (new) or positive (stored)");
    }
    Checks.id("eventId", eventId);
    Checks.type("eventType", eventType);
    Checks.id("agentId", agentId);
    if (agentType != null) {
      Checks.type("agentType", agentType);
    }
    if (sessionId != null) {
      Checks.id("sessionId", sessionId);
    }
    timestamp = Checks.millis("timestamp", timestamp);
    metadata = Checks.metadata(metadata);
  }

  /**
   * A new event stamped now with a fresh time-ordered UUIDv7 id.
   *
   * @param eventType the kind of event
   * @param agentId the agent
   * @param agentType the agent's type, or null
   * @param metadata details (may be empty)
   * @return the event, not yet stored
   */
  public static AgentEvent of(
      String eventType,
      String agentId,
      @Nullable String agentType,
      Map<String, ? extends @Nullable Object> metadata) {
    return of(eventType, agentId, agentType, null, metadata);
  }

  /**
   * A new event in a session, stamped now with a fresh UUIDv7 id.
   *
   * @param eventType the kind of event
   * @param agentId the agent
   * @param agentType the agent's type, or null
   * @param sessionId the session, or null
   * @param metadata details (may be empty)
   * @return the event, not yet stored
   */
  public static AgentEvent of(
      String eventType,
      String agentId,
      @Nullable String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata) {
    return new AgentEvent(
        0,
        Uuid7.next(),
        eventType,
        agentId,
        agentType,
        sessionId,
        Instant.now(),
        Checks.metadata(metadata));
  }

  /**
   * A copy with another id (for callers that bring their own idempotency key).
   *
   * @param id the event id
   * @return the copy
   */
  public AgentEvent withEventId(String id) {
    return new AgentEvent(0, id, eventType, agentId, agentType, sessionId, timestamp, metadata);
  }

  /**
   * A copy with another timestamp.
   *
   * @param time when the event happened
   * @return the copy
   */
  public AgentEvent withTimestamp(Instant time) {
    return new AgentEvent(0, eventId, eventType, agentId, agentType, sessionId, time, metadata);
  }

  /**
   * A copy in another session.
   *
   * @param session the session id, or null
   * @return the copy
   */
  public AgentEvent withSessionId(@Nullable String session) {
    return new AgentEvent(0, eventId, eventType, agentId, agentType, session, timestamp, metadata);
  }

  /** {@return whether this is a stored copy: true when it has a log position ({@code seq > 0})} */
  public boolean isStored() {
    return seq > 0;
  }

  /**
   * Equal content ignoring {@code seq}: the test an idempotent retry passes.
   *
   * @param other another event
   * @return true when every field but {@code seq} is equal
   */
  public boolean sameContent(AgentEvent other) {
    Objects.requireNonNull(other, "other");
    return eventId.equals(other.eventId)
        && eventType.equals(other.eventType)
        && agentId.equals(other.agentId)
        && Objects.equals(agentType, other.agentType)
        && Objects.equals(sessionId, other.sessionId)
        && timestamp.equals(other.timestamp)
        && metadata.equals(other.metadata);
  }
}
