package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The typed reads of {@link Memory}, written once over the untyped ones, for the live memory
 * ({@link SqlMemory}) and the memory of a view of the past ({@link AsOfState}): one mapping of a
 * stored value to a caller's type, with the database's mapper; damaged stored text is CORRUPT
 * naming the row, a value that does not fit the type INVALID_ARGUMENT. Thread safe as its
 * subclasses are.
 */
abstract class TypedMemory implements Memory {

  /** {@return the database's mapper for the application's values} */
  abstract ObjectMapper json();

  /** {@return how a CORRUPT message names an entry's row} */
  abstract String rowName(String memoryType, String key);

  /**
   * The entry without the token scan of {@link #entry(String, String)}: the typed reads parse the
   * value strictly and report damage themselves.
   */
  Optional<MemoryEntry> unchecked(String memoryType, String key) {
    return entry(memoryType, key);
  }

  @Override
  public <T> Optional<T> get(String memoryType, String key, Class<T> valueType) {
    return read(
        memoryType, key, json().constructType(Objects.requireNonNull(valueType, "valueType")));
  }

  @Override
  public <T> Optional<T> get(String memoryType, String key, TypeReference<T> valueType) {
    return read(
        memoryType, key, json().constructType(Objects.requireNonNull(valueType, "valueType")));
  }

  private <T> Optional<T> read(String memoryType, String key, JavaType type) {
    return unchecked(memoryType, key).map(e -> this.<T>typed(e, type).value());
  }

  @Override
  public <T> Optional<MemoryValue<T>> entry(String memoryType, String key, Class<T> valueType) {
    JavaType type = json().constructType(Objects.requireNonNull(valueType, "valueType"));
    return unchecked(memoryType, key).map(e -> typed(e, type));
  }

  /** The one mapping of a stored value to a caller's type: CORRUPT for damage, else as typed. */
  private <T> MemoryValue<T> typed(MemoryEntry e, JavaType type) {
    return new MemoryValue<>(
        e, Json.<T>read(json(), () -> rowName(e.memoryType(), e.key()), e.valueJson(), type));
  }

  private <T> List<MemoryValue<T>> typed(List<MemoryEntry> entries, Class<T> valueType) {
    JavaType type = json().constructType(Objects.requireNonNull(valueType, "valueType"));
    List<MemoryValue<T>> out = new ArrayList<>(entries.size());
    for (MemoryEntry e : entries) {
      out.add(typed(e, type));
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public <T> Map<String, MemoryValue<T>> getAll(
      String memoryType, Collection<String> keys, Class<T> valueType) {
    JavaType type = json().constructType(Objects.requireNonNull(valueType, "valueType"));
    Map<String, MemoryValue<T>> out = new LinkedHashMap<>();
    getAll(memoryType, keys).forEach((k, e) -> out.put(k, typed(e, type)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public <T> List<MemoryValue<T>> findByPrefix(
      String memoryType, String prefix, Class<T> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    return typed(findByPrefix(memoryType, prefix), valueType);
  }

  @Override
  public <T> List<MemoryValue<T>> findByGlob(String memoryType, String glob, Class<T> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    return typed(findByGlob(memoryType, glob), valueType);
  }

  @Override
  public <T> List<MemoryValue<T>> recent(int limit, Class<T> valueType) {
    Objects.requireNonNull(valueType, "valueType");
    return typed(recent(limit), valueType);
  }
}
