package io.moaiflow.swarmdb;

import java.util.Map;
import java.util.Objects;

/**
 * Events per type after a log position, read in one snapshot, and the newest position that snapshot
 * holds: the next call passes {@link #lastSeq()} to count only what was appended since. Returned by
 * {@link EventStore#countByTypeAfter(long)}. This record is immutable and thread safe.
 *
 * @param lastSeq the highest {@code seq} counted, or the position asked for when nothing was newer
 * @param byType type to count of events with {@code seq} above the position asked for; types
 *     without such events are absent
 */
public record EventCounts(long lastSeq, Map<String, Long> byType) {

  /**
   * Copies the counts.
   *
   * @param lastSeq the highest {@code seq} counted
   * @param byType type to count
   */
  public EventCounts {
    byType = Map.copyOf(Objects.requireNonNull(byType, "byType"));
  }

  /** {@return the events counted, all types together: the sum of {@link #byType()}} */
  public long total() {
    return byType.values().stream().mapToLong(Long::longValue).sum();
  }
}
