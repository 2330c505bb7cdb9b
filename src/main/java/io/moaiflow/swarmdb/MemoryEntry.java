package io.moaiflow.swarmdb;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One session memory entry as stored. The value is the JSON text Jackson wrote; read it typed with
 * {@link SessionMemory#get(String, String, Class)}. This record is immutable and thread safe.
 *
 * @param sessionId the session
 * @param memoryType the memory type, such as {@code semantic}
 * @param key the key
 * @param valueJson the value as JSON text (checked to be one readable JSON value when read)
 * @param version 1 on first write, incremented by each upsert
 * @param createdAt first write
 * @param updatedAt last write
 * @param expiresAt when the entry stops being returned, or null for no TTL
 */
public record MemoryEntry(
    String sessionId,
    String memoryType,
    String key,
    String valueJson,
    long version,
    Instant createdAt,
    Instant updatedAt,
    @Nullable Instant expiresAt) {

  /** {@return when the entry expires, or empty for no TTL} */
  public Optional<Instant> expiry() {
    return Optional.ofNullable(expiresAt);
  }
}
