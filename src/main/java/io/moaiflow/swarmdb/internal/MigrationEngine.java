package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.MigrationScripts.Applied;
import io.moaiflow.swarmdb.internal.MigrationScripts.Script;
import io.moaiflow.swarmdb.migrate.MigrationInfo;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration algorithm, written once for both backends (as Flyway's {@code DbMigrate} runs over
 * a database's own lock): validate in one read snapshot, back up, then for each pending version
 * take the migration lock, re-check under it (another process or host may have migrated meanwhile),
 * create the history table, apply the script, record it, set the version, commit. A database
 * supplies only what differs ({@link Target}). Stateless and thread safe; a target's connection
 * belongs to one thread for the call.
 */
public final class MigrationEngine {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationEngine.class);

  private MigrationEngine() {}

  /**
   * What one kind of database does differently: its texts (final fields) and its hooks. Every hook
   * runs on the connection the engine was given, in autocommit mode unless the engine began a
   * transaction through {@link #begin}. Not thread safe: one per call.
   */
  public abstract static class Target {
    protected final String label;
    protected final List<Script> scripts;
    final String upgradeAdvice;
    final String container;
    final String historyDdl;
    final String historyInsert;

    /**
     * A target.
     *
     * @param label the database, for messages
     * @param scripts the shipped scripts, numbered 1..n
     * @param upgradeAdvice what to do about a database newer than the library
     * @param container where exported data goes when a script changed: "database" or "schema"
     * @param historyDdl creates {@code schema_history} if missing
     * @param historyInsert inserts a history row: version, description, checksum, applied_at,
     *     duration_ms
     */
    protected Target(
        String label,
        List<Script> scripts,
        String upgradeAdvice,
        String container,
        String historyDdl,
        String historyInsert) {
      this.label = label;
      this.scripts = scripts;
      this.upgradeAdvice = upgradeAdvice;
      this.container = container;
      this.historyDdl = historyDdl;
      this.historyInsert = historyInsert;
    }

    /**
     * Begins a transaction: one read snapshot, or a write holding the migration lock (waits).
     *
     * @param c the connection
     * @param lock whether to take the migration lock
     * @throws SQLException when it fails
     */
    protected abstract void begin(Connection c, boolean lock) throws SQLException;

    /**
     * Ends the transaction begun by {@link #begin}; a rollback never throws.
     *
     * @param c the connection
     * @param commit true to commit, false to roll back
     * @throws SQLException when the commit fails
     */
    protected abstract void end(Connection c, boolean commit) throws SQLException;

    /**
     * The recorded migrations ({@code schema_history}, empty when missing), by version.
     *
     * @param c the connection
     * @return the rows
     * @throws SQLException when reading fails
     */
    protected abstract List<Applied> applied(Connection c) throws SQLException;

    /**
     * The version mirrored beside the history (SQLite's {@code user_version}), else {@code
     * newestApplied}.
     *
     * @param c the connection
     * @param newestApplied the history's newest version
     * @return the version
     * @throws SQLException when reading fails
     */
    protected abstract int storedVersion(Connection c, int newestApplied) throws SQLException;

    /**
     * Sets the mirrored version in the migration's transaction (nothing without a mirror).
     *
     * @param c the connection
     * @param version the version just applied
     * @throws SQLException when it fails
     */
    protected abstract void setVersion(Connection c, int version) throws SQLException;

    /**
     * The refusal of a database at version 0 that holds tables of someone else's, or null.
     *
     * @param c the connection
     * @return the exception naming the database and the fix, or null
     * @throws SQLException when reading fails
     */
    protected abstract @Nullable SwarmDbException foreign(Connection c) throws SQLException;

    /**
     * The statements of a script, in order.
     *
     * @param script the script
     * @return the statements
     */
    protected abstract List<String> statements(Script script);

    /**
     * Backs up before migrating from {@code from}, when configured to and the database does.
     *
     * @param c the connection, outside any transaction
     * @param from the version found
     * @return the backup, or null
     * @throws SQLException when it fails
     */
    protected abstract @Nullable Path backup(Connection c, int from) throws SQLException;

    /**
     * The time now, epoch ms.
     *
     * @return the time
     */
    protected abstract long now();

    /**
     * The database's result code of a failure.
     *
     * @param e the failure
     * @return the code, or {@link SwarmDbException#NO_RESULT_CODE}
     */
    protected abstract int resultCode(SQLException e);
  }

  /** What one snapshot says: the version mirror, the history, and any foreign tables. */
  private record State(int version, int newestApplied, List<Applied> applied) {}

  /**
   * Checks the database against the shipped scripts in one read snapshot; writes nothing.
   *
   * @param t the database
   * @param c a connection in autocommit mode
   * @return the version the snapshot found
   * @throws SQLException when reading fails
   */
  public static int validate(Target t, Connection c) throws SQLException {
    // One snapshot: read in separate autocommit statements, another process's V1 commit could land
    // between the reads, and a healthy file looked changed outside SwarmDB or foreign.
    t.begin(c, false);
    State s;
    try {
      s = read(t, c);
      check(t, c, s);
    } catch (SQLException | RuntimeException e) {
      t.end(c, false);
      throw e;
    }
    t.end(c, true);
    return s.version();
  }

  /**
   * The version the database is at (the mirror where there is one), read in autocommit mode.
   *
   * @param t the database
   * @param c a connection
   * @return the version
   * @throws SQLException when reading fails
   */
  public static int version(Target t, Connection c) throws SQLException {
    return read(t, c).version();
  }

  private static State read(Target t, Connection c) throws SQLException {
    List<Applied> applied = t.applied(c);
    int newest = applied.isEmpty() ? 0 : applied.get(applied.size() - 1).version();
    return new State(t.storedVersion(c, newest), newest, applied);
  }

  private static void check(Target t, Connection c, State s) throws SQLException {
    MigrationScripts.checkRecorded(
        t.scripts,
        s.applied(),
        Math.max(s.version(), s.newestApplied()),
        t.label,
        t.upgradeAdvice,
        t.container);
    if (s.version() != s.newestApplied()) {
      throw new SwarmDbException(
          ErrorCode.MIGRATION_FAILED,
          "database "
              + t.label
              + " has PRAGMA user_version "
              + s.version()
              + " but schema_history records version "
              + s.newestApplied()
              + "; it was changed outside SwarmDB. Restore a backup. Nothing was changed");
    }
    SwarmDbException foreign = s.version() == 0 ? t.foreign(c) : null;
    if (foreign != null) {
      throw foreign;
    }
  }

  /**
   * Validates, backs up, and applies every pending script, each in its own locked transaction.
   *
   * @param t the database
   * @param c a connection in autocommit mode
   * @return what was done
   * @throws SQLException when reading fails
   */
  public static MigrationResult migrate(Target t, Connection c) throws SQLException {
    int from = validate(t, c);
    List<Script> scripts = t.scripts;
    if (from >= scripts.size()) {
      return new MigrationResult(from, from, List.of(), null);
    }
    Path backupPath = t.backup(c, from);
    List<MigrationInfo> done = new ArrayList<>();
    for (Script s : scripts.subList(from, scripts.size())) {
      long start = System.nanoTime();
      t.begin(c, true);
      try {
        State locked = read(t, c);
        check(t, c, locked);
        if (locked.version() >= s.version()) {
          t.end(c, false);
          LOG.info(
              "migration V{} of {} was applied by another process meanwhile", s.version(), t.label);
          continue;
        }
        try (Statement st = c.createStatement()) {
          st.execute(t.historyDdl);
          for (String statement : t.statements(s)) {
            st.execute(statement);
          }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        MigrationInfo info;
        try (PreparedStatement ps = c.prepareStatement(t.historyInsert)) {
          info = MigrationScripts.record(ps, s, t.now(), ms);
        }
        t.setVersion(c, s.version());
        t.end(c, true);
        done.add(info);
        LOG.info(
            "applied migration V{} ({}) to {} in {} ms", s.version(), s.description(), t.label, ms);
      } catch (SQLException e) {
        t.end(c, false);
        throw new SwarmDbException(
            ErrorCode.MIGRATION_FAILED,
            "migration V"
                + s.version()
                + " ("
                + s.description()
                + ") of "
                + t.label
                + " failed and was rolled back; the schema is still at version "
                + version(t, c)
                + ": "
                + e.getMessage(),
            e,
            t.resultCode(e));
      } catch (RuntimeException e) {
        t.end(c, false);
        throw e;
      }
    }
    return new MigrationResult(from, scripts.size(), done, backupPath);
  }
}
