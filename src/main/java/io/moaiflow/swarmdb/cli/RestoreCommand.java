package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb restore}: verifies a backup read-only, then puts a 0600 copy in place of the
 * database, keeping the replaced file (and its {@code -wal}/{@code -shm}) beside it as {@code
 * <db>.replaced-<timestamp>}. Refuses to replace without {@code --force}, and refuses while another
 * process has the database open. Not thread safe (one invocation).
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = "Verify a backup, then replace the database with it (old file kept beside it).")
final class RestoreCommand extends BaseCommand {

  @SuppressWarnings("NullAway.Init") // required option, set by picocli
  @Option(
      names = "--from",
      paramLabel = "FILE",
      required = true,
      description = "Backup to restore.")
  private Path from;

  @Option(names = "--force", description = "Replace an existing database (it is kept as a copy).")
  private boolean force;

  @Override
  int run() throws Exception {
    requireFileDatabase();
    Path db = dbPath().toAbsolutePath().normalize();
    Path source = from.toAbsolutePath().normalize();
    fileConfig().build().checkBackupPath(from);
    if (!Files.isRegularFile(source)) {
      throw CliException.database(
          "backup file " + source + " does not exist or is not a file; pass --from FILE");
    }
    if (source.equals(db)) {
      throw CliException.usage("--from " + source + " is the database itself; pass a backup file");
    }
    Path sourceWal = Path.of(source + "-wal");
    if (Files.exists(sourceWal) && Files.size(sourceWal) > 0) {
      throw CliException.database(
          "backup "
              + source
              + " has a non-empty "
              + sourceWal.getFileName()
              + " beside it (committed data may still be in that WAL); restore a file written by"
              + " 'swarmdb backup', or checkpoint it first with: sqlite3 "
              + source
              + " 'PRAGMA wal_checkpoint(TRUNCATE)'");
    }
    int latest;
    // only the library's schema version is wanted: an unmigrated in-memory database, so that no
    // "applied migration ... to :memory:" line suggests restore migrated something
    try (SwarmDB probe = SwarmDB.open(SwarmDbConfig.inMemory().migrate(false).build())) {
      latest = probe.migrator().latestVersion();
    }
    DatabaseFiles.BackupCheck check = DatabaseFiles.checkBackup(source, latest);
    boolean exists = Files.exists(db, LinkOption.NOFOLLOW_LINKS);
    if (exists && !force) {
      throw CliException.usage(
          "database "
              + db
              + " exists; pass --force to replace it (the current file is kept beside it as "
              + db.getFileName()
              + ".replaced-<timestamp>)");
    }
    String stamp = BackupCommand.STAMP.format(Instant.now());
    List<String> kept = new ArrayList<>();
    Path parent = db.getParent();
    if (parent != null) {
      DatabaseFiles.createPrivateDirectories(parent);
    }
    AutoCloseable guard = exists ? DatabaseFiles.refuseIfInUse(db) : () -> {};
    try {
      replace(source, db, stamp, exists, kept);
    } finally {
      guard.close();
    }
    out()
        .println(
            "restored "
                + db
                + " from "
                + source
                + " (schema version "
                + check.schemaVersion()
                + ", "
                + check.events()
                + " events, integrity_check ok)");
    for (String k : kept) {
      out().println("previous file kept as " + k);
    }
    if (check.schemaVersion() < latest) {
      out()
          .println(
              "the restored schema is version "
                  + check.schemaVersion()
                  + "; run 'swarmdb migrate' to bring it to "
                  + latest);
    }
    return ExitCodes.OK;
  }

  /**
   * Backups are written by {@code VACUUM INTO}, which leaves a rollback-journal file; switch the
   * copy to WAL before it takes the database's place, so the restored file is exactly what the
   * library creates (and {@code verify} passes) without waiting for the next open.
   */
  private static void enableWal(Path file) throws java.io.IOException {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(SwarmDbConfig.sqliteJdbcUrl(file));
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
      String mode = rs.next() ? rs.getString(1) : "";
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new java.io.IOException(
            "could not switch " + file + " to WAL (journal_mode " + mode + ")");
      }
    } catch (java.sql.SQLException e) {
      throw new java.io.IOException("could not switch " + file + " to WAL: " + e.getMessage(), e);
    }
  }

  /** Copies the backup beside the database, moves the old files aside, renames the copy in. */
  private static void replace(Path source, Path db, String stamp, boolean exists, List<String> kept)
      throws java.io.IOException {
    Path tmp = Path.of(db + ".restore-" + stamp + ".tmp");
    DatabaseFiles.copyPrivate(source, tmp);
    try {
      enableWal(tmp);
      if (exists) {
        Path replaced = Path.of(db + ".replaced-" + stamp);
        Files.move(db, replaced);
        kept.add(replaced.toString());
        for (String suffix : List.of("-wal", "-shm")) {
          Path side = Path.of(db + suffix);
          if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
            Path target = Path.of(replaced + suffix);
            Files.move(side, target);
            kept.add(target.toString());
          }
        }
      }
      Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
