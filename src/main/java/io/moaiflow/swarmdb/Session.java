package io.moaiflow.swarmdb;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A swarm session. This record is immutable and thread safe.
 *
 * @param sessionId the session's id
 * @param status active or ended
 * @param startedAt when it started
 * @param endedAt when it ended, or null while active
 * @param metadata JSON details
 */
public record Session(
    String sessionId,
    SessionStatus status,
    Instant startedAt,
    @Nullable Instant endedAt,
    Map<String, @Nullable Object> metadata) {
  /**
   * Keeps a read-only copy of the metadata, so the record stays immutable.
   *
   * @param sessionId the session's id
   * @param status active or ended
   * @param startedAt when it started
   * @param endedAt when it ended, or null while active
   * @param metadata JSON details
   */
  public Session {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** {@return whether the session is still active (not ended)} */
  public boolean isActive() {
    return status == SessionStatus.ACTIVE;
  }
}
