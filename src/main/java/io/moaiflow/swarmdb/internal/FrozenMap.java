package io.moaiflow.swarmdb.internal;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An unmodifiable, insertion-ordered metadata map that only this library creates, from a map no one
 * else holds: {@link Checks#metadata} returns it as it is instead of copying it again. Rows read
 * back and rows just written carry their metadata as one, so a value passes the public records'
 * checks without a second copy. Immutable (its nested values are what the JSON reader made) and
 * thread safe.
 */
final class FrozenMap extends AbstractMap<String, @Nullable Object> {
  private final Map<String, @Nullable Object> map;

  private FrozenMap(Map<String, @Nullable Object> map) {
    this.map = map;
  }

  /**
   * Freezes a map the caller gives up: nobody may change it afterwards.
   *
   * @param owned an insertion-ordered map only the caller holds, with no null key
   */
  static Map<String, @Nullable Object> of(Map<String, @Nullable Object> owned) {
    return new FrozenMap(owned);
  }

  @Override
  public Set<Entry<String, @Nullable Object>> entrySet() {
    return Collections.unmodifiableMap(map).entrySet();
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return map.containsKey(key);
  }

  @Override
  public @Nullable Object get(@Nullable Object key) {
    return map.get(key);
  }
}
