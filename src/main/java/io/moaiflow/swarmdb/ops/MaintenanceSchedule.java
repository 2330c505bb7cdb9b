package io.moaiflow.swarmdb.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link OpsServer} runs on its one maintenance thread, and how often: retention (old
 * events, expired session memory, stale agents) and verified backups. Nothing is scheduled by
 * default. Build one with {@link #builder()}; {@link Builder#build()} validates every value. Each
 * accessor returns what the builder method of the same name set, documented there.
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

  private MaintenanceSchedule(Builder b) {
    deleteEventsOlderThan = b.deleteEventsOlderThan;
    purgeExpiredMemory = b.purgeExpiredMemory;
    sweepStaleAgentsAfter = b.sweepStaleAgentsAfter;
    retentionInterval = b.retentionInterval;
    backupDir = b.backupDir;
    backupInterval = b.backupInterval;
    backupKeep = b.backupKeep;
  }

  /**
   * A builder that schedules nothing.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the age set by {@link Builder#deleteEventsOlderThan(Duration)}, or null for none} */
  public @Nullable Duration deleteEventsOlderThan() {
    return deleteEventsOlderThan;
  }

  /** {@return whether {@link Builder#purgeExpiredMemory(boolean)} asked for purging} */
  public boolean purgeExpiredMemory() {
    return purgeExpiredMemory;
  }

  /** {@return the silence set by {@link Builder#sweepStaleAgentsAfter(Duration)}, or null} */
  public @Nullable Duration sweepStaleAgentsAfter() {
    return sweepStaleAgentsAfter;
  }

  /** {@return the time set by {@link Builder#retentionInterval(Duration)}} */
  public Duration retentionInterval() {
    return retentionInterval;
  }

  /** {@return the directory set by {@link Builder#backups(Path, Duration, Duration)}, or null} */
  public @Nullable Path backupDir() {
    return backupDir;
  }

  /** {@return the interval set by {@link Builder#backups(Path, Duration, Duration)}} */
  public Duration backupInterval() {
    return backupInterval;
  }

  /** {@return the age set by {@link Builder#backups(Path, Duration, Duration)}} */
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

  /**
   * Builds a {@link MaintenanceSchedule}; {@link #build()} validates. Each setter documents its
   * setting and its default. This class is not thread safe; use one builder per thread.
   */
  public static final class Builder {
    private @Nullable Duration deleteEventsOlderThan;
    private boolean purgeExpiredMemory;
    private @Nullable Duration sweepStaleAgentsAfter;
    private Duration retentionInterval = Duration.ofHours(1);
    private @Nullable Path backupDir;
    private Duration backupInterval = Duration.ofHours(24);
    private Duration backupKeep = Duration.ofDays(7);

    private Builder() {}

    /**
     * Retention: deletes events older than {@code value} on every retention run (default none).
     *
     * @param value a positive age, or null for none
     * @return this builder
     */
    public Builder deleteEventsOlderThan(@Nullable Duration value) {
      this.deleteEventsOlderThan = value;
      return this;
    }

    /**
     * Retention: purges session memory whose TTL passed on every retention run (default false).
     *
     * @param value whether to purge
     * @return this builder
     */
    public Builder purgeExpiredMemory(boolean value) {
      this.purgeExpiredMemory = value;
      return this;
    }

    /**
     * Retention: marks spawned or running agents silent for longer than {@code value} as stale
     * errors on every retention run (default none).
     *
     * @param value a positive silence, or null for none
     * @return this builder
     */
    public Builder sweepStaleAgentsAfter(@Nullable Duration value) {
      this.sweepStaleAgentsAfter = value;
      return this;
    }

    /**
     * Time between retention runs (default 1 h); the first runs when the server starts.
     *
     * @param value positive
     * @return this builder
     */
    public Builder retentionInterval(Duration value) {
      this.retentionInterval = Objects.requireNonNull(value, "retentionInterval");
      return this;
    }

    /**
     * Writes a verified backup into {@code dir} every {@code interval} (default 24 h, counted from
     * the newest backup already there) and deletes backups there older than {@code keep} (default 7
     * days). Default: no backups.
     *
     * @param dir the directory (created 0700 when missing), or null for no backups
     * @param interval time between backups, positive
     * @param keep age after which backups are deleted, positive
     * @return this builder
     */
    public Builder backups(@Nullable Path dir, Duration interval, Duration keep) {
      this.backupDir = dir;
      this.backupInterval = Objects.requireNonNull(interval, "interval");
      this.backupKeep = Objects.requireNonNull(keep, "keep");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the schedule
     * @throws io.moaiflow.swarmdb.SwarmDbException {@link
     *     io.moaiflow.swarmdb.ErrorCode#INVALID_ARGUMENT} naming a duration that is not positive
     */
    public MaintenanceSchedule build() {
      OpsOptions.requirePositive("deleteEventsOlderThan", deleteEventsOlderThan);
      OpsOptions.requirePositive("sweepStaleAgentsAfter", sweepStaleAgentsAfter);
      OpsOptions.requirePositive("retentionInterval", retentionInterval);
      OpsOptions.requirePositive("backupInterval", backupInterval);
      OpsOptions.requirePositive("backupKeep", backupKeep);
      return new MaintenanceSchedule(this);
    }
  }
}
