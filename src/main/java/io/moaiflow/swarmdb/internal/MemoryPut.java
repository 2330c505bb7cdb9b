package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A session-memory write checked and serialised before it is queued, so a backend's writer never
 * sees bad input; shared by both backends. This record is immutable and thread safe.
 *
 * @param json the value as JSON text
 * @param ttl time to live, or null for none
 */
record MemoryPut(String key, String json, @Nullable Duration ttl) {

  /**
   * Checks and serialises one value.
   *
   * @param ttl positive time to live, or null
   */
  public static MemoryPut of(
      ObjectMapper json,
      String memoryType,
      String key,
      @Nullable Object value,
      @Nullable Duration ttl) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    return new MemoryPut(key, Json.write(json, "value", value), checkTtl(ttl));
  }

  /**
   * Checks and serialises several values of one type.
   *
   * @param values key to value, at most {@link Checks#MAX_LIMIT}
   * @param ttl positive time to live, or null
   */
  public static List<MemoryPut> all(
      ObjectMapper json,
      String memoryType,
      Map<String, ? extends @Nullable Object> values,
      @Nullable Duration ttl) {
    Checks.type("memoryType", memoryType);
    Objects.requireNonNull(values, "values");
    checkTtl(ttl);
    if (values.size() > Checks.MAX_LIMIT) {
      throw Checks.invalid(
          "putAll got " + values.size() + " values; the limit is " + Checks.MAX_LIMIT);
    }
    List<MemoryPut> puts = new ArrayList<>(values.size());
    for (Map.Entry<String, ? extends @Nullable Object> e : values.entrySet()) {
      Checks.key("key", e.getKey());
      puts.add(
          new MemoryPut(
              e.getKey(), Json.write(json, "value of '" + e.getKey() + "'", e.getValue()), ttl));
    }
    return puts;
  }

  private static @Nullable Duration checkTtl(@Nullable Duration ttl) {
    if (ttl != null) {
      Checks.expiry(0, ttl);
    }
    return ttl;
  }
}
