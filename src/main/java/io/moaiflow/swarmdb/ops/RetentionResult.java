package io.moaiflow.swarmdb.ops;

import java.util.List;

/**
 * What one retention run did. This record is immutable and thread safe.
 *
 * @param eventsDeleted events deleted for being older than the configured age
 * @param memoryPurged expired session memory entries deleted
 * @param staleAgents ids of agents marked as stale errors
 * @param millis how long the run took
 */
public record RetentionResult(
    long eventsDeleted, long memoryPurged, List<String> staleAgents, long millis) {

  /** Copies the list. */
  public RetentionResult {
    staleAgents = List.copyOf(staleAgents);
  }
}
