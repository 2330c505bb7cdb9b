package io.moaiflow.swarmdb;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One page of {@link EventStore#salvageSince}: the rows after a log position that could be read,
 * and the ones whose stored data is damaged, by {@code seq}, with what is wrong in each. Nothing is
 * repaired or dropped from the database. This record is immutable and thread safe.
 *
 * @param events the readable events, oldest first
 * @param damaged seq of each damaged row to the {@link ErrorCode#CORRUPT} message naming it
 * @param lastSeq the highest seq this page covered, readable or not (pass it to the next call); the
 *     position asked for when the page is empty
 */
public record SalvagedEvents(
    List<AgentEvent> events, SortedMap<Long, String> damaged, long lastSeq) {

  /**
   * Copies the lists.
   *
   * @param events the readable events, oldest first
   * @param damaged seq of each damaged row to the message naming it
   * @param lastSeq the highest seq this page covered
   */
  public SalvagedEvents {
    events = List.copyOf(events);
    damaged = Collections.unmodifiableSortedMap(new TreeMap<>(damaged));
  }

  /**
   * {@return whether the page covered no row at all (neither events nor damaged rows): the end of
   * the log}
   */
  public boolean isEmpty() {
    return events.isEmpty() && damaged.isEmpty();
  }
}
