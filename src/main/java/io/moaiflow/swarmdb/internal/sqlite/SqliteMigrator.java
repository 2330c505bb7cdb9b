package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.MigrationEngine;
import io.moaiflow.swarmdb.internal.MigrationScripts;
import io.moaiflow.swarmdb.internal.MigrationScripts.Applied;
import io.moaiflow.swarmdb.internal.MigrationScripts.Script;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.migrate.MigrationInfo;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import io.moaiflow.swarmdb.migrate.Migrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrator: SQL scripts under {@code db/migration/sqlite/} listed in its {@code index.txt},
 * CRC32 checksums in {@code schema_history}, the version mirrored in {@code PRAGMA user_version}.
 * Thread safe: migrations run on the writer.
 */
public final class SqliteMigrator implements Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteMigrator.class);
  private static final String ROOT = "/db/migration/sqlite/";
  private static final List<Script> SCRIPTS = MigrationScripts.load(ROOT);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Applied migrations; the version range makes it a rowid search, not a table scan. */
  public static final String APPLIED_SQL =
      "SELECT version, description, checksum, applied_at, duration_ms"
          + " FROM schema_history WHERE version >= 1 AND success = 1 ORDER BY version";

  private final SqliteDatabase db;

  /**
   * A migrator for an open database.
   *
   * @param db the database
   */
  public SqliteMigrator(SqliteDatabase db) {
    this.db = db;
  }

  /**
   * The newest version shipped.
   *
   * @return the version
   */
  public static int shippedVersion() {
    return SCRIPTS.size();
  }

  static int userVersion(Handle h) throws SQLException {
    return (int) h.queryLong("PRAGMA user_version");
  }

  static List<Applied> applied(Handle h) throws SQLException {
    if (!Schema.hasTable(h, "schema_history")) {
      return new ArrayList<>();
    }
    try (PreparedStatement ps = h.connection().prepareStatement(APPLIED_SQL)) {
      return MigrationScripts.applied(ps);
    }
  }

  /**
   * The scripts this library ships.
   *
   * @return the scripts, by version
   */
  static List<Script> shipped() {
    return SCRIPTS;
  }

  static List<MigrationInfo> status(Handle h) throws SQLException {
    return MigrationScripts.status(SCRIPTS, applied(h));
  }

  /**
   * Checks the database against the shipped scripts in one read snapshot; writes nothing.
   *
   * @param h a connection
   * @param label the file, for messages
   * @throws SQLException when reading fails
   */
  static void validate(Handle h, String label) throws SQLException {
    validate(h, label, SCRIPTS);
  }

  /**
   * Checks the database against {@code scripts} in one read snapshot; writes nothing.
   *
   * @param h a connection
   * @param label the file, for messages
   * @param scripts the migrations, numbered 1..n
   * @throws SQLException when reading fails
   */
  static void validate(Handle h, String label, List<Script> scripts) throws SQLException {
    MigrationEngine.validate(new Target(h, null, false, label, scripts), h.connection());
  }

  /**
   * Validates, backs up (file databases at version 1 or later), and applies pending migrations.
   *
   * @param h the writer connection, outside any transaction
   * @param file the database file, or null in memory
   * @param backup whether to back up first
   * @param label the file, for messages
   * @return what was done
   * @throws SQLException when reading fails
   */
  static MigrationResult migrate(Handle h, @Nullable Path file, boolean backup, String label)
      throws SQLException {
    return migrate(h, file, backup, label, SCRIPTS);
  }

  /**
   * Validates, backs up, and applies the pending ones of {@code scripts}.
   *
   * @param h the writer connection, outside any transaction
   * @param file the database file, or null in memory
   * @param backup whether to back up first
   * @param label the file, for messages
   * @param scripts the migrations, numbered 1..n
   * @return what was done
   * @throws SQLException when reading fails
   */
  static MigrationResult migrate(
      Handle h, @Nullable Path file, boolean backup, String label, List<Script> scripts)
      throws SQLException {
    return MigrationEngine.migrate(new Target(h, file, backup, label, scripts), h.connection());
  }

  /**
   * SQLite's part of the migration algorithm: {@code BEGIN IMMEDIATE} is the lock, the version is
   * mirrored in {@code PRAGMA user_version}, a file at version 1 or later is backed up with {@code
   * VACUUM INTO} first, and any table of its own makes a file without a history foreign.
   */
  private static final class Target extends MigrationEngine.Target {
    private final Handle h;
    private final @Nullable Path file;

    Target(Handle h, @Nullable Path file, boolean backup, String label, List<Script> scripts) {
      super(
          label,
          scripts,
          "Upgrade SwarmDB, or restore a backup taken before the upgrade",
          "database",
          "CREATE TABLE IF NOT EXISTS schema_history ("
              + " version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
              + " checksum INTEGER NOT NULL, applied_at INTEGER NOT NULL,"
              + " duration_ms INTEGER NOT NULL, success INTEGER NOT NULL) STRICT",
          "INSERT INTO schema_history (version, description, checksum, applied_at,"
              + " duration_ms, success) VALUES (?, ?, ?, ?, ?, 1)");
      this.h = h;
      this.file = backup ? file : null;
    }

    @Override
    protected void begin(Connection c, boolean lock) throws SQLException {
      h.execute(lock ? "BEGIN IMMEDIATE" : "BEGIN");
    }

    @Override
    protected void end(Connection c, boolean commit) throws SQLException {
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
    protected List<Applied> applied(Connection c) throws SQLException {
      return SqliteMigrator.applied(h);
    }

    @Override
    protected int storedVersion(Connection c, int newestApplied) throws SQLException {
      return userVersion(h);
    }

    @Override
    protected void setVersion(Connection c, int version) throws SQLException {
      h.execute("PRAGMA user_version = " + version);
    }

    @Override
    protected @Nullable SwarmDbException foreign(Connection c) throws SQLException {
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
    protected List<String> statements(Script script) {
      return SqliteMigrator.statements(script.sql());
    }

    @Override
    protected @Nullable Path backup(Connection c, int from) throws SQLException {
      Path f = file;
      if (f == null || from == 0) {
        return null;
      }
      String stamp = STAMP.format(Instant.ofEpochMilli(h.now()));
      Path backupPath = Path.of(f + ".pre-v" + scripts.size() + "-" + stamp + ".bak");
      FileSecurity.createPrivateFile(backupPath, "pre-migration backup");
      try (PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
        ps.setString(1, backupPath.toString());
        ps.executeUpdate();
      }
      LOG.info("backed up {} to {} before migrating", label, backupPath);
      return backupPath;
    }

    @Override
    protected long now() {
      return h.now();
    }

    @Override
    protected int resultCode(SQLException e) {
      return SqliteErrors.resultCode(e);
    }
  }

  /**
   * Splits a script into statements: a statement ends with {@code ;} at the end of a line; {@code
   * --} comment lines are dropped. Our scripts keep to that form.
   */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (current.toString().trim().length() > 0) {
      out.add(current.toString().trim());
    }
    return out;
  }

  @Override
  public int currentVersion() {
    return db.readUnchecked("migrator.currentVersion", SqliteMigrator::userVersion);
  }

  @Override
  public int latestVersion() {
    return SCRIPTS.size();
  }

  @Override
  public List<MigrationInfo> status() {
    return db.readUnchecked("migrator.status", SqliteMigrator::status);
  }

  @Override
  public List<MigrationInfo> pending() {
    return MigrationScripts.pending(status());
  }

  @Override
  public void validate() {
    db.readUnchecked(
        "migrator.validate",
        h -> {
          validate(h, db.label());
          return true;
        });
  }

  @Override
  public MigrationResult migrate() {
    MigrationResult result =
        db.outsideTransaction(
            "migrator.migrate",
            h -> migrate(h, db.path(), db.config().backupBeforeMigrate(), db.label()));
    db.schemaVersion(result.toVersion());
    return result;
  }
}
