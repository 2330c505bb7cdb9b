package io.moaiflow.swarmdb;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One memory entry as stored. The value is the JSON text Jackson wrote; read it typed with {@link
 * Memory#get(String, String, Class)}. This record is immutable and thread safe.
 *
 * @param scope whose memory the entry is in
 * @param memoryType the memory type, such as {@code semantic}
 * @param key the key
 * @param valueJson the value as JSON text (checked to be one readable JSON value when read)
 * @param version 1 on first write, incremented by each upsert
 * @param createdAt first write
 * @param updatedAt last write
 * @param expiresAt when the entry stops being returned, or null for no TTL
 */
public record MemoryEntry(
    Scope scope,
    String memoryType,
    String key,
    String valueJson,
    long version,
    Instant createdAt,
    Instant updatedAt,
    @Nullable Instant expiresAt) {

  /**
   * Checks that the scope is given; see the record description for each component.
   *
   * @param scope whose memory the entry is in
   * @param memoryType the memory type
   * @param key the key
   * @param valueJson the value as JSON text
   * @param version the version
   * @param createdAt first write
   * @param updatedAt last write
   * @param expiresAt expiry, or null for no TTL
   * @throws NullPointerException when {@code scope} is null
   */
  public MemoryEntry {
    Objects.requireNonNull(scope, "scope");
  }

  /**
   * An entry of a session's memory, as before scopes.
   *
   * @param sessionId the session
   * @param memoryType the memory type
   * @param key the key
   * @param valueJson the value as JSON text
   * @param version the version
   * @param createdAt first write
   * @param updatedAt last write
   * @param expiresAt expiry, or null for no TTL
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the id is not a session
   *     scope's ({@link Scope#session(String)})
   */
  public MemoryEntry(
      String sessionId,
      String memoryType,
      String key,
      String valueJson,
      long version,
      Instant createdAt,
      Instant updatedAt,
      @Nullable Instant expiresAt) {
    this(
        Scope.session(sessionId),
        memoryType,
        key,
        valueJson,
        version,
        createdAt,
        updatedAt,
        expiresAt);
  }

  /** {@return the session of a session's entry, or null for an entry of any other scope} */
  public @Nullable String sessionId() {
    return scope.kind() == Scope.Kind.SESSION ? scope.id() : null;
  }

  /** {@return when the entry expires, or empty for no TTL} */
  public Optional<Instant> expiry() {
    return Optional.ofNullable(expiresAt);
  }
}
