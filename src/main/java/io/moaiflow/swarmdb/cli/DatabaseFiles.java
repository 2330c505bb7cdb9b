package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * File-level operations the public API does not offer, with plain sqlite-jdbc and java.nio:
 * checking a backup file read-only, detecting another process that has the database open, and
 * writing a private copy. Stateless and thread safe.
 */
final class DatabaseFiles {

  /** The tables every SwarmDB schema has; a file without them is not a SwarmDB database. */
  static final List<String> TABLES =
      List.of("agent_events", "agents", "sessions", "session_memory", "schema_history");

  /**
   * Byte 128 of the {@code -shm} file is SQLite's "DMS" lock (UNIX_SHM_BASE 120 + 8 WAL locks):
   * every connection that has a WAL database open holds a shared POSIX lock on it.
   */
  static final long SHM_DMS_BYTE = 128;

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DatabaseFiles() {}

  /**
   * What a read-only check of a backup found.
   *
   * @param schemaVersion {@code PRAGMA user_version}
   * @param events rows in {@code agent_events}
   */
  record BackupCheck(int schemaVersion, long events) {}

  /**
   * Checks a backup through its own read-only connection: {@code integrity_check}, the SwarmDB
   * tables and the schema version.
   *
   * @param backup the file
   * @param latestVersion the newest schema version this SwarmDB knows
   * @return what it holds
   * @throws CliException exit 3 when the file is corrupt, not a SwarmDB database, or too new
   */
  static BackupCheck checkBackup(Path backup, int latestVersion) {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    cfg.setOpenMode(SQLiteOpenMode.READONLY);
    cfg.setBusyTimeout(2_000);
    try (Connection c = cfg.createConnection(SwarmDbConfig.sqliteJdbcUrl(backup));
        Statement st = c.createStatement()) {
      List<String> problems = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
        while (rs.next()) {
          String row = rs.getString(1);
          if (!"ok".equals(row)) {
            problems.add(row);
          }
        }
      }
      if (!problems.isEmpty()) {
        throw CliException.database(
            "backup "
                + backup
                + " failed integrity_check ("
                + problems.size()
                + " problem(s), first: "
                + problems.get(0)
                + "); nothing was restored, pick another backup");
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
        for (String table : TABLES) {
          ps.setString(1, table);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getLong(1) != 1) {
              throw CliException.database(
                  "backup "
                      + backup
                      + " is not a SwarmDB database (no table "
                      + table
                      + "); nothing was restored, pick a file written by 'swarmdb backup'");
            }
          }
        }
      }
      int version;
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > latestVersion) {
        throw CliException.database(
            "backup "
                + backup
                + " has schema version "
                + version
                + ", newer than this SwarmDB ("
                + latestVersion
                + "); nothing was restored, restore it with a newer swarmdb.jar");
      }
      long events;
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
        events = rs.next() ? rs.getLong(1) : 0;
      }
      return new BackupCheck(version, events);
    } catch (SQLException e) {
      throw CliException.database(
          "backup "
              + backup
              + " cannot be read as a SQLite database ("
              + e.getMessage()
              + "); nothing was restored, pick another backup",
          e);
    }
  }

  /**
   * Refuses when another process has the database open, and holds a lock that keeps new WAL
   * connections out until the returned guard is closed.
   *
   * <p>Two probes. When a {@code -shm} file exists, an exclusive POSIX lock on its DMS byte is
   * attempted: it fails while any connection of any process has the WAL database open (SQLite holds
   * a shared lock there for the life of the connection), even when that process is idle. Without a
   * {@code -shm} file no connection has it open in WAL mode, so a plain connection tries {@code
   * BEGIN IMMEDIATE} with a short busy timeout, which fails while a rollback-journal writer holds
   * its lock.
   *
   * @param db the database file
   * @return a guard to close once the file has been replaced
   * @throws CliException exit 3 when the database is in use
   */
  static AutoCloseable refuseIfInUse(Path db) throws IOException {
    Path shm = Path.of(db + "-shm");
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
    try (Connection c = cfg.createConnection(SwarmDbConfig.sqliteJdbcUrl(db));
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
    return () -> {};
  }

  private static CliException inUse(Path db) {
    return CliException.database(
        "database "
            + db
            + " is open in another process (a swarm, 'swarmdb serve', or a sqlite3 shell); stop"
            + " it, then run restore again");
  }

  /**
   * Creates a new file with mode 0600 (where POSIX) and copies {@code from} into it, synced to
   * disk.
   *
   * @param from the source
   * @param to the new file; must not exist
   */
  static void copyPrivate(Path from, Path to) throws IOException {
    if (POSIX) {
      Files.createFile(
          to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(to);
    }
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE);
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
      Files.copy(from, out);
      out.flush();
      ch.force(true);
    }
  }

  /**
   * Creates missing directories with mode 0700 (where POSIX).
   *
   * @param dir the directory
   */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      createPrivateDirectories(parent);
    }
    if (POSIX) {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }
}
