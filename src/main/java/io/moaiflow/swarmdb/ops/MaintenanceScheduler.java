package io.moaiflow.swarmdb.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.HistoryPruneResult;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs retention and backups on one background thread, so they never overlap, and logs what each
 * run did. Thread safe.
 */
final class MaintenanceScheduler implements AutoCloseable {
  static final Pattern BACKUP_NAME = Pattern.compile("swarmdb-\\d{8}T\\d{6}Z(-\\d+)?\\.db");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

  private final SwarmDB db;
  private final MaintenanceSchedule schedule;
  private final Clock clock;
  private final @Nullable ScheduledExecutorService executor;
  private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
  private final List<Consumer<String>> observers;
  private final AtomicLong lastBackupEpochSecond = new AtomicLong();

  MaintenanceScheduler(
      SwarmDB db,
      MaintenanceSchedule schedule,
      MeterRegistry registry,
      Clock clock,
      List<Consumer<String>> observers) {
    this.db = db;
    this.observers = List.copyOf(observers);
    this.schedule = schedule;
    this.clock = clock;
    Runnable retention = counted("retention", this::runRetention, registry);
    Runnable backup = counted("backup", this::runBackup, registry);
    if (schedule.backupDir() != null) {
      Gauge.builder(
              "moai.flow.backup.last.success.timestamp", lastBackupEpochSecond, AtomicLong::get)
          .description("When the last backup succeeded, epoch seconds (0 = none since start)")
          .baseUnit("seconds")
          .register(registry);
    }
    boolean retains = schedule.retentionEnabled() || historyBudgeted();
    if (retains || schedule.backupDir() != null) {
      ScheduledExecutorService ses =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "swarmdb-ops-maintenance");
                t.setDaemon(true);
                return t;
              });
      executor = ses;
      if (retains) {
        long every = schedule.retentionInterval().toMillis();
        schedules.add(ses.scheduleWithFixedDelay(retention, 0, every, TimeUnit.MILLISECONDS));
      }
      if (schedule.backupDir() != null) {
        long every = schedule.backupInterval().toMillis();
        schedules.add(
            ses.scheduleWithFixedDelay(
                backup, firstBackupDelayMillis(), every, TimeUnit.MILLISECONDS));
      }
    } else {
      executor = null;
    }
  }

  /** Whether the database has a history budget, which every retention run prunes to. */
  private boolean historyBudgeted() {
    return db.config().historyBudgetBytes().isPresent();
  }

  private static Counter runs(MeterRegistry registry, String task, String outcome) {
    return Counter.builder("moai.flow.ops.maintenance.runs")
        .description("Scheduled retention and backup runs of the ops server")
        .tag("task", task)
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * A scheduled run of {@code task}: counted by outcome, logged when it fails, then told to the
   * observers as "task:outcome". It catches everything, so its future never completes exceptionally
   * and the schedule goes on.
   */
  private Runnable counted(String task, Runnable run, MeterRegistry registry) {
    Counter ok = runs(registry, task, "success");
    Counter failed = runs(registry, task, "failure");
    return () -> {
      try {
        run.run();
        ok.increment();
        notifyObservers(task + ":success");
      } catch (RuntimeException e) {
        failed.increment();
        LOG.error("{} run on {} failed: {}", task, db, e.getMessage(), e);
        notifyObservers(task + ":failure");
      }
    };
  }

  private void notifyObservers(String what) {
    for (Consumer<String> o : observers) {
      o.accept(what);
    }
  }

  /** The first backup comes one interval after the newest one already in the directory. */
  long firstBackupDelayMillis() {
    Path dir = schedule.backupDir();
    if (dir == null) {
      return 0;
    }
    return listBackups(dir).stream()
        .map(Backup::modified)
        .max(Instant::compareTo)
        .map(n -> Math.max(0, n.plus(schedule.backupInterval()).toEpochMilli() - clock.millis()))
        .orElse(0L);
  }

  RetentionResult runRetention() {
    long start = System.nanoTime();
    long events = 0;
    long memory = 0;
    List<String> stale = List.of();
    Duration age = schedule.deleteEventsOlderThan();
    if (age != null) {
      events = db.maintenance().deleteEventsOlderThan(age);
    }
    if (schedule.purgeExpiredMemory()) {
      memory = db.maintenance().purgeExpiredMemory();
    }
    Duration silence = schedule.sweepStaleAgentsAfter();
    if (silence != null) {
      stale = db.agents().sweepStale(silence);
    }
    // last: when the budget cannot be met it throws (the run fails, saying why) after the rest
    HistoryPruneResult history = historyBudgeted() ? db.maintenance().pruneHistoryToBudget() : null;
    RetentionResult r =
        new RetentionResult(
            events, memory, stale, (System.nanoTime() - start) / 1_000_000, history);
    LOG.info(
        "retention run on {}: deleted {} events older than {}, purged {} expired memory entries{},"
            + " marked {} stale agents {} (silent > {}), {} in {} ms",
        db,
        r.eventsDeleted(),
        age == null ? "(off)" : age,
        r.memoryPurged(),
        schedule.purgeExpiredMemory() ? "" : " (off)",
        r.staleAgents().size(),
        r.staleAgents(),
        silence == null ? "(off)" : silence,
        history == null
            ? "no history budget"
            : "history "
                + history.bytesBefore()
                + " -> "
                + history.bytesAfter()
                + " bytes (budget "
                + history.budgetBytes()
                + "), "
                + history.rowsDeleted()
                + " versions deleted, horizon seq "
                + history.horizon(),
        r.millis());
    return r;
  }

  Optional<BackupResult> runBackup() {
    Path dir = schedule.backupDir();
    if (dir == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Path target = dir.resolve("swarmdb-" + STAMP.format(now) + ".db");
    for (int i = 1; Files.exists(target); i++) {
      target = dir.resolve("swarmdb-" + STAMP.format(now) + "-" + i + ".db");
    }
    BackupResult result = db.maintenance().backupTo(target);
    lastBackupEpochSecond.set(now.getEpochSecond());
    List<Path> removed = pruneBackups(dir, now, result.path());
    LOG.info(
        "backup run on {}: wrote {} ({} bytes, events up to seq {}) in {} ms; deleted {} backups"
            + " older than {}: {}",
        db,
        result.path(),
        result.bytes(),
        result.lastSeq(),
        result.millis(),
        removed.size(),
        schedule.backupKeep(),
        removed);
    return Optional.of(result);
  }

  private List<Path> pruneBackups(Path dir, Instant now, Path keep) {
    Instant cutoff = now.minus(schedule.backupKeep());
    List<Path> removed = new ArrayList<>();
    for (Backup b : listBackups(dir)) {
      if (b.modified().isBefore(cutoff) && !b.path().equals(keep)) {
        try {
          Files.deleteIfExists(b.path());
          removed.add(b.path());
        } catch (IOException e) {
          LOG.warn("could not delete old backup {}: {}; delete it by hand", b.path(), e.toString());
        }
      }
    }
    return removed;
  }

  record Backup(Path path, Instant modified) {}

  static List<Backup> listBackups(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Backup> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path name = p.getFileName();
        if (name != null && BACKUP_NAME.matcher(name.toString()).matches()) {
          out.add(new Backup(p, Files.getLastModifiedTime(p).toInstant()));
        }
      }
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "could not list backup directory " + dir + ": " + e + "; check its permissions",
          e);
    }
    return out;
  }

  /**
   * Stops scheduling and waits up to a minute for a run in progress (a backup may take a while).
   */
  @Override
  public void close() {
    ScheduledExecutorService ses = executor;
    if (ses == null) {
      return;
    }
    for (ScheduledFuture<?> f : schedules) {
      f.cancel(false);
    }
    ses.shutdown();
    try {
      if (!ses.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn(
            "a maintenance run on {} did not finish within 1 minute of close; interrupting", db);
        ses.shutdownNow();
      }
    } catch (InterruptedException e) {
      ses.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
