package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrator on PostgreSQL: scripts under {@code db/migration/postgresql/} listed in its {@code
 * index.txt}, CRC32 checksums in {@code schema_history} (the schema version is the newest applied
 * row). Every migration runs in one transaction that first takes a transaction-level advisory lock
 * for the current schema, then re-reads {@code schema_history}: hosts that open the same database
 * at once apply each migration exactly once, and PostgreSQL's transactional DDL means a failed
 * migration leaves nothing behind. Thread safe.
 */
final class PgMigrator implements Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(PgMigrator.class);
  private static final String ROOT = "/db/migration/postgresql/";
  private static final List<Script> SCRIPTS = MigrationScripts.load(ROOT);

  /** First key of the migration advisory lock ("SWM" 1); the second is the schema's hash. */
  static final int MIGRATE_LOCK = 0x53574D01;

  /** Takes the migration lock for the current schema until the transaction ends. */
  static final String LOCK_SQL =
      "SELECT pg_advisory_xact_lock(" + MIGRATE_LOCK + ", hashtext(current_schema()))";

  private final PgDatabase db;

  PgMigrator(PgDatabase db) {
    this.db = db;
  }

  /**
   * The newest version shipped.
   *
   * @return the version
   */
  static int shippedVersion() {
    return SCRIPTS.size();
  }

  /**
   * Whether a table exists in the current schema, read from {@code pg_class} with the statement's
   * own snapshot. Not {@code to_regclass}: after waiting for the migration lock, this backend's
   * catalog caches may still hold "no such table" from before another host's migration committed
   * (an advisory lock does not process cache invalidations). Reading {@code pg_class} takes a
   * relation lock, which does, so the statements after this one see the other host's tables.
   */
  static boolean tableExists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class r"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = current_schema() AND r.relname = ? AND r.relkind = 'r')")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  static List<Applied> applied(Connection c) throws SQLException {
    if (!tableExists(c, "schema_history")) {
      return new ArrayList<>();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version, description, checksum, applied_at, duration_ms"
                + " FROM schema_history WHERE success ORDER BY version")) {
      return MigrationScripts.applied(ps);
    }
  }

  static int currentVersion(Connection c) throws SQLException {
    List<Applied> a = applied(c);
    return a.isEmpty() ? 0 : a.get(a.size() - 1).version();
  }

  static List<MigrationInfo> status(Connection c) throws SQLException {
    return MigrationScripts.status(SCRIPTS, applied(c));
  }

  /**
   * Checks the schema against the shipped scripts in one snapshot; writes nothing.
   *
   * @param c a connection in autocommit mode
   * @param db the database
   * @return true
   * @throws SQLException when reading fails
   */
  static boolean validate(Connection c, PgDatabase db) throws SQLException {
    MigrationEngine.validate(new Target(db), c);
    return true;
  }

  /**
   * Applies every pending migration, each in its own locked transaction, and records the new
   * version on {@code db}.
   *
   * @param db the database
   * @return what was applied
   */
  static MigrationResult migrate(PgDatabase db) {
    MigrationResult result =
        db.outsideTransaction(
            "migrator.migrate", h -> MigrationEngine.migrate(new Target(db), h.connection()));
    db.schemaVersion(result.toVersion());
    return result;
  }

  /**
   * PostgreSQL's part of the migration algorithm: a transaction-level advisory lock for the current
   * schema is the lock, the history's newest row is the version, DDL is transactional (a failed
   * script leaves nothing behind), and SwarmDB's own table names in a schema without a history make
   * it foreign. No backup: that is the server's (pg_dump, PITR).
   */
  private static final class Target extends MigrationEngine.Target {
    private final PgDatabase db;

    Target(PgDatabase db) {
      super(
          db.label(),
          SCRIPTS,
          "Upgrade SwarmDB on every host",
          "schema",
          "CREATE TABLE IF NOT EXISTS schema_history ("
              + " version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
              + " checksum BIGINT NOT NULL, applied_at BIGINT NOT NULL,"
              + " duration_ms BIGINT NOT NULL, success BOOLEAN NOT NULL)",
          "INSERT INTO schema_history (version, description, checksum, applied_at,"
              + " duration_ms, success) VALUES (?, ?, ?, ?, ?, true)");
      this.db = db;
    }

    @Override
    protected void begin(Connection c, boolean lock) throws SQLException {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        // the snapshot level is set for this transaction only; the pooled connection keeps its own
        st.execute(lock ? LOCK_SQL : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      }
    }

    @Override
    protected void end(Connection c, boolean commit) throws SQLException {
      if (commit) {
        c.commit();
      } else {
        try {
          c.rollback();
        } catch (SQLException e) {
          LOG.debug("rollback failed after an error: {}", e.getMessage());
        }
      }
      c.setAutoCommit(true);
    }

    @Override
    protected List<Applied> applied(Connection c) throws SQLException {
      return PgMigrator.applied(c);
    }

    @Override
    protected int storedVersion(Connection c, int newestApplied) {
      return newestApplied;
    }

    @Override
    protected void setVersion(Connection c, int version) {
      // the history is the version
    }

    @Override
    protected @Nullable SwarmDbException foreign(Connection c) throws SQLException {
      List<String> present = new ArrayList<>();
      for (String t : Schema.DATA_TABLES) {
        if (tableExists(c, t)) {
          present.add(t);
        }
      }
      return present.isEmpty()
          ? null
          : new SwarmDbException(
              ErrorCode.INVALID_ARGUMENT,
              "schema of "
                  + label
                  + " already holds table(s) "
                  + present
                  + " but no SwarmDB schema_history; give SwarmDB its own schema with"
                  + " ?currentSchema=NAME. Nothing was changed");
    }

    @Override
    protected List<String> statements(Script script) {
      return List.of(script.sql());
    }

    @Override
    protected @Nullable Path backup(Connection c, int from) {
      return null;
    }

    @Override
    protected long now() {
      return db.time().now();
    }

    @Override
    protected int resultCode(SQLException e) {
      return SwarmDbException.NO_RESULT_CODE;
    }
  }

  @Override
  public int currentVersion() {
    return db.readUnchecked(
        "migrator.currentVersion", h -> PgMigrator.currentVersion(h.connection()));
  }

  @Override
  public int latestVersion() {
    return shippedVersion();
  }

  @Override
  public List<MigrationInfo> status() {
    return db.readUnchecked("migrator.status", h -> PgMigrator.status(h.connection()));
  }

  @Override
  public List<MigrationInfo> pending() {
    return MigrationScripts.pending(status());
  }

  @Override
  public void validate() {
    db.outsideTransaction("migrator.validate", h -> validate(h.connection(), db));
  }

  @Override
  public MigrationResult migrate() {
    return migrate(db);
  }
}
