package io.moaiflow.swarmdb;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A memory entry with its value read as a caller's type, as the typed reads of {@link Memory}
 * return it (for example {@link Memory#findByPrefix(String, String, Class)}). The value is mapped
 * by the database's Jackson mapper exactly as {@link Memory#get(String, String, Class)} maps it.
 * This record is immutable and thread safe when the value is.
 *
 * @param <T> the value type
 * @param entry the entry as stored (its value also as JSON text)
 * @param value the value as {@code T}, or null when the stored JSON is {@code null}
 */
public record MemoryValue<T>(MemoryEntry entry, @Nullable T value) {

  /**
   * Checks that the entry is given.
   *
   * @param entry the entry as stored
   * @param value the value as {@code T}, or null for JSON null
   * @throws NullPointerException when {@code entry} is null
   */
  public MemoryValue {
    Objects.requireNonNull(entry, "entry");
  }

  /** {@return the entry's key} */
  public String key() {
    return entry.key();
  }
}
