package io.moaiflow.swarmdb;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An agent's current state in the registry. This record is immutable and thread safe.
 *
 * @param agentId the agent's id
 * @param agentType its type, such as {@code expert-backend}
 * @param status its lifecycle state
 * @param sessionId the session it works in, or null
 * @param spawnedAt when it was registered
 * @param completedAt when it reached an end state, or null
 * @param durationMs milliseconds from spawn to end state, or null while not ended
 * @param updatedAt its last transition or heartbeat
 * @param metadata JSON details
 */
public record Agent(
    String agentId,
    String agentType,
    AgentStatus status,
    @Nullable String sessionId,
    Instant spawnedAt,
    @Nullable Instant completedAt,
    @Nullable Long durationMs,
    Instant updatedAt,
    Map<String, @Nullable Object> metadata) {
  /**
   * Keeps a read-only copy of the metadata, so the record stays immutable.
   *
   * @param agentId the agent's id
   * @param agentType its type
   * @param status its lifecycle state
   * @param sessionId the session it works in, or null
   * @param spawnedAt when it was registered
   * @param completedAt when it reached an end state, or null
   * @param durationMs milliseconds from spawn to end state, or null while not ended
   * @param updatedAt its last transition or heartbeat
   * @param metadata JSON details
   */
  public Agent {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** {@return how long the agent ran in milliseconds, or empty while it is not in an end state} */
  public Optional<Long> duration() {
    return Optional.ofNullable(durationMs);
  }
}
