package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.HistoryPruneResult;
import io.moaiflow.swarmdb.SwarmDB;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb cleanup}: retention. Deletes old events, purges expired session memory, marks
 * agents silent for too long as errored, and prunes the history before a seq or to the history
 * budget ({@code --history-budget}, a global option); prints what it removed. Not thread safe (one
 * invocation).
 */
@Command(
    name = "cleanup",
    description =
        "Delete old events, expired memory, stale agents and old history; print what was"
            + " removed.")
final class CleanupCommand extends BaseCommand {

  @Option(
      names = "--events-older-than",
      paramLabel = "AGE",
      description = "Delete events older than AGE (30d, 12h, 15m, 45s).")
  private @Nullable Duration eventsOlderThan;

  @Option(names = "--expired-memory", description = "Delete session memory past its TTL.")
  private boolean expiredMemory;

  @Option(
      names = "--stale-agents",
      paramLabel = "SILENCE",
      description = "Move active agents not updated for SILENCE (e.g. 1h) to error.")
  private @Nullable Duration staleAgents;

  @Option(
      names = "--history-before",
      paramLabel = "SEQ",
      description =
          "Prune the history before SEQ, keeping the state at SEQ: as-of views before it are"
              + " refused from then on.")
  private @Nullable Long historyBefore;

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() {
    boolean budget = hasHistoryBudget();
    if (eventsOlderThan == null
        && !expiredMemory
        && staleAgents == null
        && historyBefore == null
        && !budget) {
      throw CliException.usage(
          "nothing to clean: pass --events-older-than AGE, --expired-memory, --stale-agents"
              + " SILENCE, --history-before SEQ and/or --history-budget SIZE (for example"
              + " --events-older-than 30d)");
    }
    try (SwarmDB db = openExisting();
        Progress progress = progress(quiet)) {
      if (eventsOlderThan != null) {
        progress.step("deleting events older than " + Durations.format(eventsOlderThan));
        printf(
            "events older than %s: %d deleted%n",
            Durations.format(eventsOlderThan),
            db.maintenance().deleteEventsOlderThan(eventsOlderThan));
      }
      if (expiredMemory) {
        progress.step("deleting expired memory");
        printf("expired memory entries: %d deleted%n", db.maintenance().purgeExpiredMemory());
      }
      if (staleAgents != null) {
        progress.step("moving stale agents to error");
        List<String> ids = db.agents().sweepStale(staleAgents);
        printf(
            "agents silent for %s: %d moved to error%s%n",
            Durations.format(staleAgents), ids.size(), ids.isEmpty() ? "" : " " + ids);
      }
      Long before = historyBefore;
      if (before != null) {
        progress.step("pruning the history before seq " + before);
        printf(
            "history before seq %d: %d versions deleted (the state at seq %d is kept)%n",
            before, db.maintenance().pruneHistory(before), before);
      }
      if (budget) {
        progress.step("pruning the history to its budget");
        HistoryPruneResult r = db.maintenance().pruneHistoryToBudget();
        printf(
            "history budget %s: %d bytes before, %d after, %d versions deleted, %s%n",
            Sizes.format(r.budgetBytes()),
            r.bytesBefore(),
            r.bytesAfter(),
            r.rowsDeleted(),
            r.pruned()
                ? "horizon seq " + r.previousHorizon() + " -> " + r.horizon()
                : "horizon unchanged at seq " + r.horizon());
      }
    }
    return ExitCodes.OK;
  }
}
