package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.FileSizes;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.health.HistoryInfo;
import io.moaiflow.swarmdb.health.Inspector;
import io.moaiflow.swarmdb.health.WriterStats;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.HealthReports;
import io.moaiflow.swarmdb.internal.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Size, health and introspection on SQLite. Thread safe. */
final class SqliteInspector implements Inspector, HealthReports.Probes {
  private final SqliteDatabase db;

  SqliteInspector(SqliteDatabase db) {
    this.db = db;
  }

  /** Sizes of a database's three files, without opening it. */
  public static FileSizes files(Path db) {
    return new FileSizes(
        FileSecurity.size(db),
        FileSecurity.size(Schema.wal(db)),
        FileSecurity.size(Schema.shm(db)));
  }

  @Override
  public long sizeBytes() {
    Path p = db.path();
    return p == null ? 0 : files(p).totalBytes();
  }

  @Override
  public long walSizeBytes() {
    Path p = db.path();
    return p == null ? 0 : FileSecurity.size(Schema.wal(p));
  }

  @Override
  public DatabaseInfo info() {
    return db.readUnchecked(
        "inspect.info",
        h -> {
          Map<String, Long> counts = new LinkedHashMap<>();
          for (String t : Schema.counted()) {
            if (Schema.hasTable(h, t)) {
              counts.put(t, h.queryLong("SELECT count(*) FROM " + t));
            }
          }
          List<String> indexes =
              h.queryStrings(
                  "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                      + " ORDER BY name");
          Map<String, String> pragmas = new LinkedHashMap<>(db.pragmas);
          Path p = db.path();
          return new DatabaseInfo(
              p == null ? ":memory:" : p.toString(),
              db.sqliteVersion,
              (int) h.queryLong("PRAGMA user_version"),
              SqliteMigrator.shippedVersion(),
              counts,
              indexes,
              pragmas,
              h.queryLong("PRAGMA page_size"),
              h.queryLong("PRAGMA page_count"),
              h.queryLong("PRAGMA freelist_count"),
              p == null ? new FileSizes(0, 0, 0) : files(p),
              db.history().info(h, counts.containsKey(Schema.V3_TABLES.get(0))));
        });
  }

  @Override
  public HistoryInfo history() {
    return db.readUnchecked(
        "inspect.history", h -> db.history().info(h, Schema.hasTable(h, Schema.V3_TABLES.get(0))));
  }

  @Override
  public HealthReport health() {
    return HealthReports.check(
        db, SqliteMigrator.shippedVersion(), db.writer.queue.recentFailures(), this);
  }

  @Override
  public int readVersion() {
    return db.readUnchecked("health.read", h -> (int) h.queryLong("PRAGMA user_version"));
  }

  @Override
  public boolean present(List<String> problems) {
    Path p = db.path();
    if (p != null && !Files.exists(p)) {
      problems.add("database file " + p + " no longer exists");
      return false;
    }
    return true;
  }

  @Override
  public boolean writable(List<String> problems) {
    Path p = db.path();
    if (db.readOnly && p != null) {
      // A read-only check takes no write lock (a read-write connection would rebuild -shm and
      // checkpoint on close); it reports whether this user could write the files.
      List<Path> unwritable = new ArrayList<>();
      Path dir = p.getParent();
      for (Path f : new Path[] {p, Schema.wal(p), Schema.shm(p), dir}) {
        if (f != null && Files.exists(f) && !Files.isWritable(f)) {
          unwritable.add(f);
        }
      }
      if (!unwritable.isEmpty()) {
        problems.add(
            "database file "
                + p
                + " is not writable: "
                + unwritable
                + " cannot be written by this user or sit on a read-only mount (checked"
                + " read-only; the write lock was not taken)");
      }
      return unwritable.isEmpty();
    }
    db.outsideTransaction(
        "health.write",
        h -> {
          h.execute("BEGIN IMMEDIATE");
          h.execute("ROLLBACK");
          return true;
        });
    boolean writable = p == null || Files.isWritable(p);
    if (!writable) {
      problems.add("database file " + p + " is not writable");
    }
    return writable;
  }

  @Override
  public HealthReports.Sizes sizes(boolean connected, List<String> problems) {
    Path p = db.path();
    long min = db.config().minFreeSpaceBytes();
    long usable = p == null ? -1 : usableBytes(p, min, problems);
    FileSizes files = p == null ? new FileSizes(0, 0, 0) : files(p);
    return new HealthReports.Sizes(files.totalBytes(), files.walBytes(), usable, min);
  }

  /**
   * The usable bytes on the filesystem holding the database file; adds a problem when they are
   * below the minimum, or when they cannot be read while a minimum is set.
   */
  private static long usableBytes(Path file, long min, List<String> problems) {
    Path dir = file.toAbsolutePath().getParent();
    Path where = Files.exists(file) || dir == null ? file : dir;
    long usable;
    boolean readOnlyMount;
    try {
      java.nio.file.FileStore store = Files.getFileStore(where);
      usable = store.getUsableSpace();
      readOnlyMount = store.isReadOnly();
    } catch (IOException e) {
      if (min > 0) {
        problems.add(
            "cannot read the free space of the filesystem holding "
                + file
                + ": "
                + e
                + "; check the mount, or set minFreeSpaceBytes to 0 to skip this check");
      }
      return -1;
    }
    if (readOnlyMount) {
      return usable; // nothing can be written there, so nothing runs out of space; "writable" says
      // so
    }
    String low = freeSpaceProblem(file, usable, min);
    if (low != null) {
      problems.add(low);
    }
    return usable;
  }

  /**
   * The problem when {@code usable} is below {@code min}, else null (equal passes).
   *
   * @return the problem, naming both figures and the fixes, or null
   */
  static @Nullable String freeSpaceProblem(Path file, long usable, long min) {
    if (usable >= min) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "free space on the filesystem holding %s is %d bytes (%.1f MiB), below the minimum of %d"
            + " bytes (%.1f MiB); writes fail with DISK_FULL when it runs out: free space (or"
            + " delete old events with 'swarmdb cleanup'), or lower minFreeSpaceBytes",
        file,
        usable,
        usable / 1048576.0,
        min,
        min / 1048576.0);
  }

  @Override
  public WriterStats writerStats() {
    return db.writer.queue.stats();
  }
}
