package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.BackupCheck;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.RestoreResult;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.FileSizes;
import io.moaiflow.swarmdb.internal.Checks;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.internal.StatementCache;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Checking a backup file and putting it in place of a database, each through its own short-lived
 * connection. Stateless and thread safe.
 */
public final class BackupFiles {
  /**
   * Byte 128 of the {@code -shm} file is SQLite's "DMS" lock (UNIX_SHM_BASE 120 + 8 WAL locks):
   * every connection that has a WAL database open holds a shared POSIX lock on it.
   */
  static final long SHM_DMS_BYTE = 128;

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private BackupFiles() {}

  /** Checks a backup read-only (see {@code SwarmDB.verifyBackup}). */
  public static BackupCheck verify(Path backup) {
    return check(requireFile(backup), "");
  }

  private static Path requireFile(Path backup) {
    Path source = backup.toAbsolutePath().normalize();
    if (!Files.isRegularFile(source)) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "backup file " + source + " does not exist or is not a file; pass --from FILE");
    }
    return source;
  }

  /**
   * The checks: no committed data in a {@code -wal} beside it, {@code integrity_check}, the SwarmDB
   * tables and the schema version, through a connection that changes none of its files.
   *
   * @param refused what a failure means, for messages ("nothing was restored, " or empty)
   */
  private static BackupCheck check(Path source, String refused) {
    Path sourceWal = Schema.wal(source);
    if (FileSecurity.size(sourceWal) > 0) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "backup "
              + source
              + " has a non-empty "
              + sourceWal.getFileName()
              + " beside it (committed data may still be in that WAL); restore a file written by"
              + " 'swarmdb backup', or checkpoint it first with: sqlite3 "
              + source
              + " 'PRAGMA wal_checkpoint(TRUNCATE)'");
    }
    NativeLibrary.ensureLoaded();
    int latest = SqliteMigrator.shippedVersion();
    SQLiteConfig cfg = CheckOpen.readOnly(new SQLiteConfig());
    cfg.setBusyTimeout(2_000);
    try (Connection c = cfg.createConnection(CheckOpen.url(source, "backup " + source))) {
      Handle h = new Handle(c, new StatementCache(c), 0);
      List<String> problems = SqliteMaintenance.check(h, "integrity_check");
      if (!problems.isEmpty()) {
        throw refusal(
            ErrorCode.CORRUPT,
            source,
            "failed integrity_check (" + problems.size() + " problem(s), first: " + problems.get(0),
            refused + "pick another backup",
            null);
      }
      for (String table : Schema.TABLES) {
        if (!Schema.hasTable(h, table)) {
          throw refusal(
              ErrorCode.CORRUPT,
              source,
              "is not a SwarmDB database (no table " + table,
              refused + "pick a file written by 'swarmdb backup'",
              null);
        }
      }
      int version = SqliteMigrator.userVersion(h);
      if (version > latest) {
        throw refusal(
            ErrorCode.SCHEMA_TOO_NEW,
            source,
            "has schema version " + version + ", newer than this SwarmDB (" + latest,
            refused + "restore it with a newer swarmdb.jar",
            null);
      }
      long events = h.queryLong("SELECT count(*) FROM agent_events");
      return new BackupCheck(source, version, latest, events);
    } catch (SQLException e) {
      throw refusal(
          ErrorCode.CORRUPT,
          source,
          "cannot be read as a SQLite database (" + e.getMessage(),
          refused + "pick another backup",
          e);
    }
  }

  /** "backup FILE {what}); {fix}": {@code what} opens the parenthesis this closes. */
  private static SwarmDbException refusal(
      ErrorCode code, Path source, String what, String fix, @Nullable Throwable cause) {
    return new SwarmDbException(code, "backup " + source + " " + what + "); " + fix, cause);
  }

  /** Restores a database from a backup (see {@code SwarmDB.restore}). */
  public static RestoreResult restore(SwarmDbConfig config, Path backup, boolean replace) {
    Path configured = config.path();
    if (configured == null || config.isPostgres()) {
      throw new SwarmDbException(
          ErrorCode.UNSUPPORTED,
          "restore replaces a SQLite database file; pass SwarmDbConfig.builder(path), and use the"
              + " server's own tools (pg_restore) for PostgreSQL");
    }
    Path db = configured.toAbsolutePath().normalize();
    config.checkBackupPath(backup);
    Path source = requireFile(backup);
    if (source.equals(db)) {
      throw Checks.invalid("--from " + source + " is the database itself; pass a backup file");
    }
    BackupCheck check = check(source, "nothing was restored, ");
    boolean exists = Files.exists(db, LinkOption.NOFOLLOW_LINKS);
    if (exists && !replace) {
      throw Checks.invalid(
          "database "
              + db
              + " exists; pass --force to replace it (the current file is kept beside it as "
              + db.getFileName()
              + ".replaced-<timestamp>)");
    }
    String stamp = STAMP.format(config.clock().instant());
    Path parent = db.getParent();
    if (parent != null) {
      FileSecurity.createDirectories(parent, "directory");
    }
    List<Path> kept = new ArrayList<>();
    try {
      FileChannel guard = exists ? refuseIfInUse(db) : null;
      try {
        replace(source, db, stamp, exists, kept);
      } finally {
        if (guard != null) {
          guard.close();
        }
      }
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "could not restore "
              + db
              + " from "
              + source
              + ": "
              + e
              + (kept.isEmpty() ? "" : "; the previous files were moved to " + kept)
              + "; check that the directory is writable by this user and has room",
          e);
    }
    return new RestoreResult(db, check, kept);
  }

  /**
   * Refuses when another process has the database open, and holds a lock that keeps new WAL
   * connections out until the returned channel is closed.
   *
   * <p>Two probes. When a {@code -shm} file exists, an exclusive POSIX lock on its DMS byte is
   * attempted: it fails while any connection of any process has the WAL database open (SQLite holds
   * a shared lock there for the life of the connection), even when that process is idle. Without a
   * {@code -shm} file no connection has it open in WAL mode, so a plain connection tries {@code
   * BEGIN IMMEDIATE} with a short busy timeout, which fails while a rollback-journal writer holds
   * its lock.
   *
   * @return the locked {@code -shm} to close once the file has been replaced, or null
   */
  private static @Nullable FileChannel refuseIfInUse(Path db) throws IOException {
    Path shm = Schema.shm(db);
    if (Files.exists(shm, LinkOption.NOFOLLOW_LINKS)) {
      FileChannel ch = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE);
      @Nullable FileLock lock;
      try {
        lock = ch.tryLock(SHM_DMS_BYTE, 1, false);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw inUse(db);
      }
      // Closing the channel releases the lock.
      return ch;
    }
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(200);
    try (Connection c = cfg.createConnection(Schema.jdbcUrl(db));
        Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      st.execute("ROLLBACK");
    } catch (SQLiteException e) {
      SQLiteErrorCode code = e.getResultCode();
      if (code == SQLiteErrorCode.SQLITE_BUSY || code == SQLiteErrorCode.SQLITE_LOCKED) {
        throw inUse(db);
      }
      // Anything else (a corrupt file, typically, which is why one restores): not in use.
    } catch (SQLException e) {
      // Not a lock error: the file is damaged or unreadable, which restore replaces anyway.
    }
    return null;
  }

  private static SwarmDbException inUse(Path db) {
    return new SwarmDbException(
        ErrorCode.BUSY,
        "database "
            + db
            + " is open in another process (a swarm, 'swarmdb serve', or a sqlite3 shell); stop"
            + " it, then run restore again");
  }

  /** Copies the backup beside the database, moves the old files aside, renames the copy in. */
  private static void replace(Path source, Path db, String stamp, boolean exists, List<Path> kept)
      throws IOException {
    Path tmp = Path.of(db + ".restore-" + stamp + ".tmp");
    copyPrivate(source, tmp);
    try {
      enableWal(tmp);
      if (exists) {
        Path replaced = Path.of(db + ".replaced-" + stamp);
        Files.move(db, replaced);
        kept.add(replaced);
        for (int i = 1; i < 3; i++) { // -wal, -shm
          Path side = FileSizes.files(db).get(i);
          if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
            Path target = FileSizes.files(replaced).get(i);
            Files.move(side, target);
            kept.add(target);
          }
        }
      }
      Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates {@code to} with mode 0600 (it must not exist) and copies {@code from} into it. */
  private static void copyPrivate(Path from, Path to) throws IOException {
    if (!FileSecurity.createPrivateFile(to, "restore copy")) {
      throw new IOException(to + " already exists");
    }
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE);
        OutputStream out = Channels.newOutputStream(ch)) {
      Files.copy(from, out);
      out.flush();
      ch.force(true);
    }
  }

  /**
   * Backups are written by {@code VACUUM INTO}, which leaves a rollback-journal file; switch the
   * copy to WAL before it takes the database's place, so the restored file is exactly what the
   * library creates (and {@code verify} passes) without waiting for the next open.
   */
  private static void enableWal(Path file) throws IOException {
    try (Connection c = new SQLiteConfig().createConnection(Schema.jdbcUrl(file));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
      String mode = rs.next() ? rs.getString(1) : "";
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new IOException("could not switch " + file + " to WAL (journal_mode " + mode + ")");
      }
    } catch (SQLException e) {
      throw new IOException("could not switch " + file + " to WAL: " + e.getMessage(), e);
    }
  }
}
