package io.moaiflow.swarmdb;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One recorded change of a memory entry, as {@link Memory#history} lists it: a write (the value it
 * stored) or a delete (a tombstone without value). Every change has its own position {@code seq} on
 * the sequence events are numbered by, so versions of memory, the registry, sessions and events are
 * ordered against each other (docs/history.md). This record is immutable and thread safe.
 *
 * @param scope whose memory the entry is in
 * @param memoryType the memory type
 * @param key the key
 * @param seq the change's position on the database's one sequence
 * @param time when the change was made: a write's {@link MemoryEntry#updatedAt()}, a delete's time
 *     by the database's clock (a delete carries no time of its own)
 * @param version the version the write stored, or for a delete the version it removed
 * @param valueJson the stored value as JSON text, or null for a delete
 * @param deleted whether this change deleted the entry (by a delete, a clear, the TTL purge or the
 *     deletion of its session)
 * @param expiresAt the TTL the write set, or null for none (a delete: the removed version's)
 * @param writerId the agent that made the change through its handle ({@link SwarmDB#actingAs}), as
 *     schema v5 records it: for a write, the handle's agent; for a delete, the handle's agent that
 *     deleted it; null for a plain write or delete ({@code db.memory(scope)}, a clear, the TTL
 *     purge, a session's deletion) and for every change recorded before schema v5. See {@link
 *     #writer()} for who is reported then.
 */
public record MemoryVersion(
    Scope scope,
    String memoryType,
    String key,
    long seq,
    Instant time,
    long version,
    @Nullable String valueJson,
    boolean deleted,
    @Nullable Instant expiresAt,
    @Nullable String writerId) {

  /**
   * A change without a recorded writer agent ({@code writerId} null), as before schema v5.
   *
   * @param scope whose memory the entry is in
   * @param memoryType the memory type
   * @param key the key
   * @param seq the change's position
   * @param time when the change was made
   * @param version the version
   * @param valueJson the value, or null for a delete
   * @param deleted whether the change deleted the entry
   * @param expiresAt the TTL, or null
   * @throws NullPointerException when {@code scope}, {@code memoryType}, {@code key} or {@code
   *     time} is null
   * @throws IllegalArgumentException when a write has no value or a delete has one
   */
  public MemoryVersion(
      Scope scope,
      String memoryType,
      String key,
      long seq,
      Instant time,
      long version,
      @Nullable String valueJson,
      boolean deleted,
      @Nullable Instant expiresAt) {
    this(scope, memoryType, key, seq, time, version, valueJson, deleted, expiresAt, null);
  }

  /**
   * Checks that a write has a value and a delete none; see the record description for each
   * component.
   *
   * @param scope whose memory the entry is in
   * @param memoryType the memory type
   * @param key the key
   * @param seq the change's position
   * @param time when the change was made
   * @param version the version
   * @param valueJson the value, or null for a delete
   * @param deleted whether the change deleted the entry
   * @param expiresAt the TTL, or null
   * @param writerId the agent that made the change through its handle, or null
   * @throws NullPointerException when {@code scope}, {@code memoryType}, {@code key} or {@code
   *     time} is null
   * @throws IllegalArgumentException when a write has no value or a delete has one
   */
  public MemoryVersion {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(memoryType, "memoryType");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(time, "time");
    if (deleted != (valueJson == null)) {
      throw new IllegalArgumentException(
          deleted ? "a delete has no value" : "a write needs its value");
    }
  }

  /**
   * {@return who made this change, when known} In order: the agent recorded in {@link #writerId()}
   * (as {@link Scope#agent(String)}: a write or delete through that agent's handle, in any scope);
   * otherwise, derived from the scope as before schema v5, the agent of an agent's memory ({@code
   * Scope.agent(id)}: plain writes to an agent's memory count as that agent's) or the session of a
   * session's memory; otherwise empty (a plain write or delete of the swarm's or a namespace's
   * memory). The returned scope's id is the writer's id.
   */
  public Optional<Scope> writer() {
    if (writerId != null) {
      return Optional.of(Scope.agent(writerId));
    }
    return scope.kind() == Scope.Kind.AGENT || scope.kind() == Scope.Kind.SESSION
        ? Optional.of(scope)
        : Optional.empty();
  }
}
