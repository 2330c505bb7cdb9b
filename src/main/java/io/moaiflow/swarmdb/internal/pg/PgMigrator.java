package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.MigrationEngine;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.internal.SqlFunction;
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
 * The migrator on PostgreSQL: scripts under {@code db/migration/postgresql/}, the history's newest
 * row as the version. Every migration runs in one transaction that first takes a transaction-level
 * advisory lock for the current schema, then re-reads {@code schema_history}: hosts that open the
 * same database at once apply each migration exactly once, and PostgreSQL's transactional DDL means
 * a failed migration leaves nothing behind. SwarmDB's own table names in a schema without a history
 * make it foreign. No backup: that is the server's (pg_dump, PITR). Thread safe.
 */
final class PgMigrator extends MigrationEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PgMigrator.class);
  private static final Kind KIND =
      new Kind(
          MigrationEngine.load("/db/migration/postgresql/"),
          "Upgrade SwarmDB on every host",
          "schema",
          "CREATE TABLE IF NOT EXISTS schema_history ("
              + " version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
              + " checksum BIGINT NOT NULL, applied_at BIGINT NOT NULL,"
              + " duration_ms BIGINT NOT NULL, success BOOLEAN NOT NULL)");

  /** First key of the migration advisory lock ("SWM" 1); the second is the schema's hash. */
  static final int MIGRATE_LOCK = 0x53574D01;

  /** Takes the migration lock for the current schema until the transaction ends. */
  static final String LOCK_SQL =
      "SELECT pg_advisory_xact_lock(" + MIGRATE_LOCK + ", hashtext(current_schema()))";

  private final PgDatabase db;

  PgMigrator(PgDatabase db) {
    super(db.label(), KIND);
    this.db = db;
  }

  static int shippedVersion() {
    return KIND.scripts().size();
  }

  /** The schema version, for the inspector's own read. */
  static int currentVersion(Connection c) throws SQLException {
    return tableExists(c, "schema_history")
        ? newest(Handle.run(c, 0, MigrationEngine::history))
        : 0;
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

  @Override
  protected <T> T read(String op, SqlFunction<T> fn) {
    return db.readUnchecked(op, fn);
  }

  @Override
  protected <T> T outside(String op, boolean write, SqlFunction<T> fn) {
    return db.outsideTransaction(op, fn);
  }

  @Override
  protected void migrated(int version) {
    db.schemaVersion(version);
  }

  @Override
  protected void begin(Handle h, boolean lock) throws SQLException {
    h.connection().setAutoCommit(false);
    try (Statement st = h.connection().createStatement()) {
      // the snapshot level is set for this transaction only; the pooled connection keeps its own
      st.execute(lock ? LOCK_SQL : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
  }

  @Override
  protected void end(Handle h, boolean commit) throws SQLException {
    Connection c = h.connection();
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
  protected boolean hasHistory(Handle h) throws SQLException {
    return tableExists(h.connection(), "schema_history");
  }

  @Override
  protected @Nullable SwarmDbException foreign(Handle h) throws SQLException {
    List<String> present = new ArrayList<>();
    for (String t : Schema.DATA_TABLES) {
      if (tableExists(h.connection(), t)) {
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
}
