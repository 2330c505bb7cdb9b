package io.moaiflow.swarmdb.internal;

import static io.moaiflow.swarmdb.migrate.MigrationState.APPLIED;
import static io.moaiflow.swarmdb.migrate.MigrationState.CHECKSUM_MISMATCH;
import static io.moaiflow.swarmdb.migrate.MigrationState.FUTURE;
import static io.moaiflow.swarmdb.migrate.MigrationState.PENDING;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.migrate.MigrationInfo;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import io.moaiflow.swarmdb.migrate.MigrationState;
import io.moaiflow.swarmdb.migrate.Migrator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration algorithm and the {@link Migrator}, written once for both backends (as Flyway's
 * {@code DbMigrate} runs over a database's own lock): validate in one read snapshot, back up, then
 * for each pending version take the migration lock, re-check under it (another process or host may
 * have migrated meanwhile), create the history table, apply the script, record it, set the version,
 * commit. A backend overrides only the hooks that differ. Thread safe: the handle a hook gets
 * belongs to one thread for the call.
 */
public abstract class MigrationEngine implements Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationEngine.class);
  private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

  /** Applied migrations; the version range makes it a rowid search on SQLite, not a table scan. */
  public static final String APPLIED_SQL =
      "SELECT version, description, checksum, applied_at, duration_ms"
          + " FROM schema_history WHERE version >= 1 AND success = TRUE ORDER BY version";

  private static final String RECORD_SQL =
      "INSERT INTO schema_history (version, description, checksum, applied_at, duration_ms,"
          + " success) VALUES (?, ?, ?, ?, ?, TRUE)";

  /** A shipped script; the checksum is CRC32 of its UTF-8 bytes with line endings normalised. */
  public record Script(int version, String description, String sql, long checksum) {}

  /** A row of {@code schema_history}; {@code appliedAt} in epoch ms. */
  public record Applied(
      int version, String description, long checksum, long appliedAt, long durationMs) {}

  /**
   * A backend's scripts (numbered 1..n) and texts: what to do about a database newer than the
   * library, where exported data goes when a script changed ("database" or "schema"), and the
   * {@code CREATE TABLE IF NOT EXISTS schema_history}.
   */
  public record Kind(
      List<Script> scripts, String upgradeAdvice, String container, String historyDdl) {
    public Kind {
      scripts = List.copyOf(scripts);
    }
  }

  protected final String label;
  private final Kind kind;
  private final List<Script> scripts;

  protected MigrationEngine(String label, Kind kind) {
    this.label = label;
    this.kind = kind;
    this.scripts = kind.scripts();
  }

  /** Loads the scripts {@code root + "index.txt"} lists, named {@code V<n>__<words>.sql}. */
  public static List<Script> load(String root) {
    List<Script> scripts = new ArrayList<>();
    for (String name : resource(root, "index.txt").lines().toList()) {
      String file = name.trim();
      if (file.isEmpty()) {
        continue;
      }
      Matcher m = NAME.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("bad migration name " + file);
      }
      String sql = resource(root, file).replace("\r\n", "\n");
      CRC32 crc = new CRC32();
      crc.update(sql.getBytes(StandardCharsets.UTF_8));
      scripts.add(
          new Script(
              Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), sql, crc.getValue()));
    }
    for (int i = 0; i < scripts.size(); i++) {
      if (scripts.get(i).version() != i + 1) {
        throw new IllegalStateException("migrations must be numbered 1.." + scripts.size());
      }
    }
    return List.copyOf(scripts);
  }

  private static String resource(String root, String name) {
    try (InputStream in = MigrationEngine.class.getResourceAsStream(root + name)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + root + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration resource " + root + name, e);
    }
  }

  // The hooks: how this database runs the migrator's work, and what it does differently.

  /** Runs a read (the version, the status). */
  protected abstract <T> T read(String op, SqlFunction<T> fn);

  /**
   * Runs work that begins and ends its own transactions on a connection in autocommit mode: the
   * validation (a read), or the migration ({@code write}: alone on the database).
   */
  protected abstract <T> T outside(String op, boolean write, SqlFunction<T> fn);

  /** Tells the open database the version {@link #migrate()} reached. */
  protected abstract void migrated(int version);

  /** Begins one read snapshot, or a write holding the migration lock (waits for it). */
  protected abstract void begin(Handle h, boolean lock) throws SQLException;

  /** Commits, or rolls back without throwing. */
  protected abstract void end(Handle h, boolean commit) throws SQLException;

  protected abstract boolean hasHistory(Handle h) throws SQLException;

  /** The refusal of a database at version 0 that holds tables of someone else's, or null. */
  protected abstract @Nullable SwarmDbException foreign(Handle h) throws SQLException;

  /** The version mirrored beside the history (SQLite's {@code user_version}); -1 for none. */
  protected int mirroredVersion(Handle h) throws SQLException {
    return -1;
  }

  protected void setVersion(Handle h, int version) throws SQLException {}

  protected List<String> statements(String sql) {
    return List.of(sql);
  }

  /** Backs up before migrating from version {@code from}, outside any transaction; or null. */
  protected @Nullable Path backup(Handle h, int from) throws SQLException {
    return null;
  }

  protected int resultCode(SQLException e) {
    return SwarmDbException.NO_RESULT_CODE;
  }

  // The Migrator.

  @Override
  public int currentVersion() {
    return read("migrator.currentVersion", this::version);
  }

  @Override
  public int latestVersion() {
    return scripts.size();
  }

  @Override
  public List<MigrationInfo> status() {
    return read("migrator.status", this::status);
  }

  @Override
  public List<MigrationInfo> pending() {
    List<MigrationInfo> pending = status();
    pending.removeIf(m -> m.state() != PENDING);
    return pending;
  }

  @Override
  public void validate() {
    outside("migrator.validate", false, this::validate);
  }

  @Override
  public MigrationResult migrate() {
    MigrationResult result = outside("migrator.migrate", true, this::migrate);
    migrated(result.toVersion());
    return result;
  }

  // The algorithm, on a handle in autocommit mode.

  /** The version the database is at (the mirror where there is one), read in autocommit mode. */
  public final int version(Handle h) throws SQLException {
    int mirrored = mirroredVersion(h);
    return mirrored >= 0 ? mirrored : newest(applied(h));
  }

  /** The recorded migrations, by version; empty without a history. */
  public final List<Applied> applied(Handle h) throws SQLException {
    return hasHistory(h) ? history(h) : List.of();
  }

  /** Reads an existing {@code schema_history}. */
  protected static List<Applied> history(Handle h) throws SQLException {
    List<Applied> rows = new ArrayList<>();
    try (PreparedStatement ps = h.connection().prepareStatement(APPLIED_SQL);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new Applied(
                rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
      }
    }
    return rows;
  }

  protected static int newest(List<Applied> applied) {
    return applied.isEmpty() ? 0 : applied.get(applied.size() - 1).version();
  }

  /** Every migration, shipped or recorded: pending, applied, changed and future ones. */
  public final List<MigrationInfo> status(Handle h) throws SQLException {
    Map<Integer, Applied> recorded = new LinkedHashMap<>();
    for (Applied a : applied(h)) {
      recorded.put(a.version(), a);
    }
    List<MigrationInfo> out = new ArrayList<>();
    for (Script s : scripts) {
      Applied a = recorded.remove(s.version());
      if (a == null) {
        out.add(
            new MigrationInfo(
                s.version(), s.description(), PENDING, s.checksum(), null, null, null));
      } else {
        MigrationState state = a.checksum() == s.checksum() ? APPLIED : CHECKSUM_MISMATCH;
        out.add(info(a, s.description(), state, s.checksum()));
      }
    }
    for (Applied a : recorded.values()) {
      out.add(info(a, a.description(), FUTURE, null));
    }
    return out;
  }

  private static MigrationInfo info(
      Applied a, String description, MigrationState state, @Nullable Long shipped) {
    return new MigrationInfo(
        a.version(),
        description,
        state,
        shipped,
        a.checksum(),
        Instant.ofEpochMilli(a.appliedAt()),
        a.durationMs());
  }

  /** Checks the database against the shipped scripts in one read snapshot; writes nothing. */
  public final int validate(Handle h) throws SQLException {
    // One snapshot: read in separate autocommit statements, another process's V1 commit could land
    // between the reads, and a healthy file looked changed outside SwarmDB or foreign.
    return inTransaction(h, false, this::check);
  }

  private <T> T inTransaction(Handle h, boolean lock, SqlFunction<T> fn) throws SQLException {
    begin(h, lock);
    try {
      T result = fn.apply(h);
      end(h, true);
      return result;
    } catch (SQLException | RuntimeException e) {
      end(h, false);
      throw e;
    }
  }

  /** Reads the version, refusing a database this library must not migrate or use. */
  private int check(Handle h) throws SQLException {
    List<Applied> applied = applied(h);
    int newestApplied = newest(applied);
    int mirrored = mirroredVersion(h);
    int version = mirrored >= 0 ? mirrored : newestApplied;
    int newest = Math.max(version, newestApplied);
    if (newest > scripts.size()) {
      throw new SwarmDbException(
          ErrorCode.SCHEMA_TOO_NEW,
          "database "
              + label
              + " is at schema version "
              + newest
              + ", written by a newer SwarmDB; this library knows versions up to "
              + scripts.size()
              + ". "
              + kind.upgradeAdvice()
              + ". Nothing was changed");
    }
    for (Applied a : applied) {
      Script script = scripts.get(a.version() - 1);
      if (script.checksum() != a.checksum()) {
        throw new SwarmDbException(
            ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
            name(script)
                + " was applied with checksum "
                + a.checksum()
                + " but this library ships checksum "
                + script.checksum()
                + "; the script changed after it was applied. Use the SwarmDB version that"
                + " applied it, or export the data and import it into a new "
                + kind.container()
                + ". Nothing was changed");
      }
    }
    if (version != newestApplied) {
      throw new SwarmDbException(
          ErrorCode.MIGRATION_FAILED,
          "database "
              + label
              + " has PRAGMA user_version "
              + version
              + " but schema_history records version "
              + newestApplied
              + "; it was changed outside SwarmDB. Restore a backup. Nothing was changed");
    }
    SwarmDbException foreign = version == 0 ? foreign(h) : null;
    if (foreign != null) {
      throw foreign;
    }
    return version;
  }

  private String name(Script s) {
    return "migration V" + s.version() + " (" + s.description() + ") of " + label;
  }

  /** Validates, backs up, and applies every pending script, each in its own locked transaction. */
  public final MigrationResult migrate(Handle h) throws SQLException {
    int from = validate(h);
    if (from >= scripts.size()) {
      return new MigrationResult(from, from, List.of(), null);
    }
    Path backupPath = backup(h, from);
    List<MigrationInfo> done = new ArrayList<>();
    for (Script s : scripts.subList(from, scripts.size())) {
      long start = System.nanoTime();
      Optional<MigrationInfo> info;
      try {
        info = inTransaction(h, true, x -> apply(x, s, start));
      } catch (SQLException e) {
        throw new SwarmDbException(
            ErrorCode.MIGRATION_FAILED,
            name(s)
                + " failed and was rolled back; the schema is still at version "
                + version(h)
                + ": "
                + e.getMessage(),
            e,
            resultCode(e));
      }
      if (info.isPresent()) {
        done.add(info.get());
        LOG.info(
            "applied migration V{} ({}) to {} in {} ms",
            s.version(),
            s.description(),
            label,
            info.get().durationMs());
      } else {
        LOG.info(
            "migration V{} of {} was applied by another process meanwhile", s.version(), label);
      }
    }
    return new MigrationResult(from, scripts.size(), done, backupPath);
  }

  /** Applies one script under the lock, unless the re-check finds it applied meanwhile. */
  private Optional<MigrationInfo> apply(Handle h, Script s, long start) throws SQLException {
    if (check(h) >= s.version()) {
      return Optional.empty();
    }
    try (Statement st = h.connection().createStatement()) {
      st.execute(kind.historyDdl());
      for (String statement : statements(s.sql())) {
        st.execute(statement);
      }
    }
    long ms = TimeSource.millisSince(start);
    Applied a = new Applied(s.version(), s.description(), s.checksum(), h.now(), ms);
    try (PreparedStatement ps = h.connection().prepareStatement(RECORD_SQL)) {
      ps.setInt(1, a.version());
      ps.setString(2, a.description());
      ps.setLong(3, a.checksum());
      ps.setLong(4, a.appliedAt());
      ps.setLong(5, a.durationMs());
      ps.executeUpdate();
    }
    setVersion(h, s.version());
    return Optional.of(info(a, s.description(), APPLIED, s.checksum()));
  }
}
