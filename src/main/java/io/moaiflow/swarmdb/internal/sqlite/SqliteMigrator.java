package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.MigrationEngine;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.internal.SqlFunction;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrator on SQLite: scripts under {@code db/migration/sqlite/}, {@code BEGIN IMMEDIATE} as
 * the lock, the version mirrored in {@code PRAGMA user_version}, a file at version 1 or later
 * backed up with {@code VACUUM INTO} first, and any table of its own making a file without a
 * history foreign. Thread safe: migrations run on the writer.
 */
final class SqliteMigrator extends MigrationEngine {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteMigrator.class);
  static final List<Script> SCRIPTS = MigrationEngine.load("/db/migration/sqlite/");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Null while the database is being opened: then only the methods taking a handle are used. */
  private final @Nullable SqliteDatabase db;

  private final @Nullable Path backupOf;

  /** Most pre-migration backups of one file taken in one second (concurrent openers). */
  static final int MAX_BACKUPS_A_SECOND = 1_000;

  SqliteMigrator(SqliteDatabase db) {
    this(db, db.label(), db.config().backupBeforeMigrate() ? db.path() : null, SCRIPTS);
  }

  SqliteMigrator(
      @Nullable SqliteDatabase db, String label, @Nullable Path backupOf, List<Script> scripts) {
    super(
        label,
        new Kind(
            scripts,
            "Upgrade SwarmDB, or restore a backup taken before the upgrade",
            "database",
            "CREATE TABLE IF NOT EXISTS schema_history ("
                + " version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
                + " checksum INTEGER NOT NULL, applied_at INTEGER NOT NULL,"
                + " duration_ms INTEGER NOT NULL, success INTEGER NOT NULL) STRICT"));
    this.db = db;
    this.backupOf = backupOf;
  }

  /** The migrator {@code open} runs on the writer's handle before the database exists. */
  static SqliteMigrator opening(String label, @Nullable Path backupOf) {
    return new SqliteMigrator(null, label, backupOf, SCRIPTS);
  }

  public static int shippedVersion() {
    return SCRIPTS.size();
  }

  static int userVersion(Handle h) throws SQLException {
    return (int) h.queryLong("PRAGMA user_version");
  }

  private SqliteDatabase db() {
    return Objects.requireNonNull(db, "the database is not open yet");
  }

  @Override
  protected <T> T read(String op, SqlFunction<T> fn) {
    return db().readUnchecked(op, fn);
  }

  @Override
  protected <T> T outside(String op, boolean write, SqlFunction<T> fn) {
    return write ? db().outsideTransaction(op, fn) : db().readUnchecked(op, fn);
  }

  @Override
  protected void migrated(int version) {
    db().schemaVersion(version);
  }

  @Override
  protected void begin(Handle h, boolean lock) throws SQLException {
    h.execute(lock ? "BEGIN IMMEDIATE" : "BEGIN");
  }

  @Override
  protected void end(Handle h, boolean commit) throws SQLException {
    if (commit) {
      h.execute("COMMIT");
      return;
    }
    try {
      h.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite rolled back already
    }
  }

  @Override
  protected boolean hasHistory(Handle h) throws SQLException {
    return Schema.hasTable(h, "schema_history");
  }

  @Override
  protected @Nullable SwarmDbException foreign(Handle h) throws SQLException {
    long tables =
        h.queryLong(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    return tables == 0
        ? null
        : new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT,
            "database "
                + label
                + " already holds "
                + tables
                + " table(s) but no SwarmDB schema; point SwarmDB at a new file. Nothing was"
                + " changed");
  }

  @Override
  protected int mirroredVersion(Handle h) throws SQLException {
    return userVersion(h);
  }

  @Override
  protected void setVersion(Handle h, int version) throws SQLException {
    h.execute("PRAGMA user_version = " + version);
  }

  /**
   * Splits a script into statements: a statement ends with {@code ;} at the end of a line, a {@code
   * CREATE TRIGGER} with a line {@code END;}; {@code --} comment lines are dropped. Our scripts
   * keep to that form.
   */
  @Override
  protected List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      boolean trigger = current.toString().stripLeading().startsWith("CREATE TRIGGER");
      if (trigger ? trimmed.equals("END;") : trimmed.endsWith(";")) {
        out.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }

  /**
   * Backs up a file that holds data before it is migrated. Nothing to back up: no file, version 0,
   * or no row in any data table (a new file that a concurrent opener has just created at an older
   * version). The name is {@code <file>.pre-v<latest>-<UTC stamp>.bak}, or with {@code -2}, {@code
   * -3}, ... before {@code .bak} when another opener of this file (in this or another process) took
   * its backup in the same second: each backup goes into a file its opener created, so openers
   * racing to migrate never write into one file.
   */
  @Override
  protected @Nullable Path backup(Handle h, int from) throws SQLException {
    Path file = backupOf;
    if (file == null || from == 0 || !needsBackup(h)) {
      return null;
    }
    String stamp = STAMP.format(Instant.ofEpochMilli(h.now()));
    String base = file + ".pre-v" + latestVersion() + "-" + stamp;
    Path backup = Path.of(base + ".bak");
    for (int n = 2; !FileSecurity.createPrivateFile(backup, "pre-migration backup"); n++) {
      if (n > MAX_BACKUPS_A_SECOND) {
        throw new SwarmDbException(
            ErrorCode.IO_ERROR,
            "could not back up "
                + label
                + " before migrating: "
                + base
                + ".bak and "
                + MAX_BACKUPS_A_SECOND
                + " numbered names beside it already exist; remove old backups. Nothing was"
                + " changed");
      }
      backup = Path.of(base + "-" + n + ".bak");
    }
    try (PreparedStatement ps = h.connection().prepareStatement("VACUUM INTO ?")) {
      ps.setString(1, backup.toString());
      ps.executeUpdate();
    }
    LOG.info("backed up {} to {} before migrating", label, backup);
    return backup;
  }

  /**
   * Whether, in one read snapshot, the file is still outdated (a racing opener may have finished
   * the migration since it was validated) and any data table (v1's, and v2's where present) has a
   * row.
   */
  private boolean needsBackup(Handle h) throws SQLException {
    begin(h, false);
    try {
      return userVersion(h) < latestVersion() && holdsData(h);
    } finally {
      end(h, true);
    }
  }

  /**
   * Whether a table holds the swarm's data: not the migration history, nor the settings (V2 writes
   * their first row itself, so a new file that a concurrent opener has taken to version 2 already
   * has one).
   */
  private static boolean holdsData(Handle h) throws SQLException {
    for (String t : Schema.counted()) {
      if (!t.equals("schema_history")
          && !t.equals("swarm_settings")
          && Schema.hasTable(h, t)
          && h.queryLong("SELECT EXISTS (SELECT 1 FROM " + t + ")") == 1) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected int resultCode(SQLException e) {
    return SqliteErrors.resultCode(e);
  }
}
