package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.WalFile;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Schema;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * How a read-only check opens a database file so that SQLite writes nothing: no {@code -wal} or
 * {@code -shm} is created, no {@code -shm} is rebuilt, nothing is checkpointed or truncated.
 *
 * <ul>
 *   <li>{@code -wal} (empty, or with a valid header) and {@code -shm} exist: {@code
 *       mode=ro&readonly_shm=1}. With a live writer SQLite reads through its {@code -shm}
 *       (read-only mapping); with none it reads the WAL into private memory, validating frames as
 *       recovery does, and leaves both files alone.
 *   <li>No {@code -wal}, a {@code -wal} with no valid header, or one from which SQLite would
 *       recover nothing and no {@code -shm}: {@code immutable=1}. The database is then exactly the
 *       main file; nothing is locked.
 *   <li>A {@code -wal} holding committed frames but no {@code -shm}: SQLite can only read it by
 *       creating and building a {@code -shm}, so this is refused with {@link ErrorCode#READ_ONLY}
 *       rather than reading the main file without those transactions.
 *   <li>A non-empty {@code -journal} (a rollback-journal file mid-transaction): {@code mode=ro},
 *       and SQLite refuses to read it without rolling back.
 * </ul>
 *
 * Stateless and thread safe.
 */
final class CheckOpen {
  private CheckOpen() {}

  /**
   * Makes {@code config} open without writing: read-only, never creating the file, the URL read as
   * a {@code file:} URI (its {@code mode=ro}, {@code immutable=1} or {@code readonly_shm=1}).
   */
  static SQLiteConfig readOnly(SQLiteConfig config) {
    config.setReadOnly(true);
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    config.setOpenMode(SQLiteOpenMode.OPEN_URI);
    return config;
  }

  /**
   * The JDBC URL for a read-only check of {@code db}.
   *
   * @throws SwarmDbException {@link ErrorCode#READ_ONLY} when the WAL cannot be read without
   *     writing
   */
  static String url(Path db, String label) {
    Path wal = Schema.wal(db);
    Path shm = Schema.shm(db);
    Path journal = Schema.journal(db);
    String file = Schema.jdbcUrl(db);
    boolean hasShm = Files.exists(shm, LinkOption.NOFOLLOW_LINKS);
    if (FileSecurity.size(journal) > 0) {
      return file + "?mode=ro";
    }
    if (!Files.exists(wal, LinkOption.NOFOLLOW_LINKS)) {
      return file + "?immutable=1";
    }
    WalFile w = WalFile.read(wal);
    if (w.bytes() > 0 && !w.headerValid()) {
      // SQLite recovers nothing from it (a read-only open with a -shm fails with
      // SQLITE_PROTOCOL); the database is the main file alone.
      return file + "?immutable=1";
    }
    if (hasShm) {
      return file + "?mode=ro&readonly_shm=1";
    }
    if (w.recoveredFrames() > 0) {
      throw new SwarmDbException(
          ErrorCode.READ_ONLY,
          "cannot read "
              + label
              + " without changing it: its -wal holds "
              + w.bytes()
              + " bytes with "
              + w.recoveredCommits()
              + " committed transaction(s) but there is no -shm, and SQLite can only read"
              + " them by creating and building a -shm. Nothing was opened. Open it read-write"
              + " once (the swarm, or 'swarmdb migrate') to recover the WAL into the main file,"
              + " or copy the main file and its -wal elsewhere and open the copy read-write"
              + " ('swarmdb --db COPY migrate')");
    }
    return file + "?immutable=1";
  }
}
