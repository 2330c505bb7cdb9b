package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Checks;
import java.util.Objects;

/**
 * One version of one memory entry, {@code key@version} in a scope and memory type: what an event
 * read ({@link CausalLinks#reads()}) and where {@link SwarmDB#blastRadius} starts. This record is
 * immutable and thread safe.
 *
 * @param scope whose memory the entry is in
 * @param memoryType the memory type (the rules of {@link Memory#put(String, String, Object)})
 * @param key the key (the rules of {@link Memory#put(String, String, Object)})
 * @param version the version, 1 or more ({@link MemoryEntry#version()}, {@link
 *     MemoryVersion#version()})
 */
public record MemoryRef(Scope scope, String memoryType, String key, long version) {

  /**
   * Checks the fields; see the record description for the rules.
   *
   * @param scope whose memory the entry is in
   * @param memoryType the memory type
   * @param key the key
   * @param version the version, 1 or more
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a bad type, key or version
   */
  public MemoryRef {
    Objects.requireNonNull(scope, "scope");
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    if (version < 1) {
      throw Checks.invalid(
          "version of " + key + " is " + version + "; memory versions start at 1: pass one stored");
    }
  }

  /**
   * The version an entry holds.
   *
   * @param entry an entry as read
   * @return its scope, type, key and version
   */
  public static MemoryRef of(MemoryEntry entry) {
    return new MemoryRef(entry.scope(), entry.memoryType(), entry.key(), entry.version());
  }

  /**
   * A reference from its written form {@code KEY@VERSION} (the CLI's {@code blast} argument): the
   * key is everything before the last {@code @}.
   *
   * @param scope the scope
   * @param memoryType the memory type
   * @param keyAtVersion for example {@code plan@3}
   * @return the reference
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when there is no {@code @} followed
   *     by a positive number, or the key or type is invalid
   */
  public static MemoryRef parse(Scope scope, String memoryType, String keyAtVersion) {
    Objects.requireNonNull(keyAtVersion, "keyAtVersion");
    int at = keyAtVersion.lastIndexOf('@');
    String digits = at < 0 ? "" : keyAtVersion.substring(at + 1);
    if (at <= 0
        || digits.isEmpty()
        || digits.length() > 18
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw Checks.invalid(
          "'"
              + Checks.printable(keyAtVersion)
              + "' is not KEY@VERSION; write the key, '@' and the version number, e.g. plan@3");
    }
    return new MemoryRef(scope, memoryType, keyAtVersion.substring(0, at), Long.parseLong(digits));
  }

  /**
   * {@return the written form {@code SCOPE TYPE:KEY@VERSION}, e.g. {@code agent:a semantic:plan@3}}
   */
  @Override
  public String toString() {
    return scope + " " + memoryType + ":" + key + "@" + version;
  }
}
