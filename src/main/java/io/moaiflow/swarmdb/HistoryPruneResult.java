package io.moaiflow.swarmdb;

/**
 * What {@link Maintenance#pruneHistoryToBudget()} did. This record is immutable and thread safe.
 *
 * @param budgetBytes the budget it pruned to
 * @param previousHorizon the horizon recorded before the call
 * @param horizon the horizon recorded after it: the smallest that brought the history within the
 *     budget, or {@code previousHorizon} when the history was within it already
 * @param rowsDeleted history rows deleted
 * @param bytesBefore the history's bytes before (by the formula of {@link
 *     io.moaiflow.swarmdb.health.HistoryInfo})
 * @param bytesAfter the history's bytes counted again after the prune (versions written meanwhile
 *     included)
 */
public record HistoryPruneResult(
    long budgetBytes,
    long previousHorizon,
    long horizon,
    long rowsDeleted,
    long bytesBefore,
    long bytesAfter) {

  /** {@return whether the horizon moved} */
  public boolean pruned() {
    return horizon != previousHorizon;
  }

  /** {@return whether the history counted after the prune is within the budget} */
  public boolean withinBudget() {
    return bytesAfter <= budgetBytes;
  }
}
