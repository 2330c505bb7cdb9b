package io.moaiflow.swarmdb.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link OpsServer} runs on its one maintenance thread, and how often: retention (old
 * events, expired session memory, stale agents) and verified backups; nothing by default. When the
 * database is configured with a history budget ({@code SwarmDbConfig.Builder.historyBudgetBytes}),
 * every retention run also prunes the history to it ({@code Maintenance.pruneHistoryToBudget}), and
 * retention runs even with none of this schedule's tasks set. Set through {@link
 * OpsOptions.Builder} (each setting is documented on its method there) and read through {@link
 * OpsOptions#maintenance()}.
 *
 * <p>Immutable and thread safe.
 */
public final class MaintenanceSchedule {
  private final @Nullable Duration deleteEventsOlderThan;
  private final boolean purgeExpiredMemory;
  private final @Nullable Duration sweepStaleAgentsAfter;
  private final Duration retentionInterval;
  private final @Nullable Path backupDir;
  private final Duration backupInterval;
  private final Duration backupKeep;

  MaintenanceSchedule(OpsOptions.Builder b) {
    deleteEventsOlderThan = b.deleteEventsOlderThan;
    purgeExpiredMemory = b.purgeExpiredMemory;
    sweepStaleAgentsAfter = b.sweepStaleAgentsAfter;
    retentionInterval = b.retentionInterval;
    backupDir = b.backupDir;
    backupInterval = b.backupInterval;
    backupKeep = b.backupKeep;
  }

  /** {@return the age set by {@link OpsOptions.Builder#deleteEventsOlderThan(Duration)}} */
  public @Nullable Duration deleteEventsOlderThan() {
    return deleteEventsOlderThan;
  }

  /** {@return whether {@link OpsOptions.Builder#purgeExpiredMemory(boolean)} asked for purging} */
  public boolean purgeExpiredMemory() {
    return purgeExpiredMemory;
  }

  /** {@return the silence set by {@link OpsOptions.Builder#sweepStaleAgentsAfter(Duration)}} */
  public @Nullable Duration sweepStaleAgentsAfter() {
    return sweepStaleAgentsAfter;
  }

  /** {@return the time set by {@link OpsOptions.Builder#retentionInterval(Duration)}} */
  public Duration retentionInterval() {
    return retentionInterval;
  }

  /** {@return the directory set by {@link OpsOptions.Builder#backups(Path, Duration, Duration)}} */
  public @Nullable Path backupDir() {
    return backupDir;
  }

  /** {@return the interval set by {@link OpsOptions.Builder#backups(Path, Duration, Duration)}} */
  public Duration backupInterval() {
    return backupInterval;
  }

  /** {@return the age set by {@link OpsOptions.Builder#backups(Path, Duration, Duration)}} */
  public Duration backupKeep() {
    return backupKeep;
  }

  /** {@return whether any retention task is set: events, memory or stale agents} */
  public boolean retentionEnabled() {
    return deleteEventsOlderThan != null || purgeExpiredMemory || sweepStaleAgentsAfter != null;
  }

  @Override
  public String toString() {
    return OpsOptions.describe(this, Set.of());
  }
}
