package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.HistoryPruneResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one retention run did. This record is immutable and thread safe.
 *
 * @param eventsDeleted events deleted for being older than the configured age
 * @param memoryPurged expired session memory entries deleted
 * @param staleAgents ids of agents marked as stale errors
 * @param millis how long the run took
 * @param history what pruning the history to the database's budget did ({@link
 *     io.moaiflow.swarmdb.Maintenance#pruneHistoryToBudget()}), or null when the database has no
 *     history budget
 */
public record RetentionResult(
    long eventsDeleted,
    long memoryPurged,
    List<String> staleAgents,
    long millis,
    @Nullable HistoryPruneResult history) {

  /**
   * Copies the list.
   *
   * @param eventsDeleted events deleted for being older than the configured age
   * @param memoryPurged expired session memory entries deleted
   * @param staleAgents ids of agents marked as stale errors
   * @param millis how long the run took
   * @param history what pruning the history to its budget did, or null without a budget
   */
  public RetentionResult {
    staleAgents = List.copyOf(staleAgents);
  }
}
