package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.migrate.MigrationInfo;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The migration scripts a backend ships and how they compare with what a database recorded; shared
 * by the SQLite and PostgreSQL migrators. Stateless and thread safe.
 */
public final class MigrationScripts {
  private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

  private MigrationScripts() {}

  /**
   * A shipped migration script.
   *
   * @param version the schema version it produces
   * @param description what it does
   * @param sql the script
   * @param checksum CRC32 of the script's UTF-8 bytes (line endings normalised)
   */
  public record Script(int version, String description, String sql, long checksum) {}

  /**
   * A row of {@code schema_history}.
   *
   * @param version the version applied
   * @param description what it did
   * @param checksum CRC32 recorded when it was applied
   * @param appliedAt epoch ms
   * @param durationMs how long it took
   */
  public record Applied(
      int version, String description, long checksum, long appliedAt, long durationMs) {}

  /**
   * Loads the scripts listed in {@code root + "index.txt"}, named {@code V<n>__<words>.sql} and
   * numbered 1..n.
   *
   * @param root the resource folder, such as {@code /db/migration/sqlite/}
   * @return the scripts, by version
   */
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
    try (InputStream in = MigrationScripts.class.getResourceAsStream(root + name)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + root + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration resource " + root + name, e);
    }
  }

  /**
   * Every migration, shipped or recorded, with its state.
   *
   * @param scripts the shipped scripts
   * @param recorded the database's {@code schema_history}, by version
   * @return pending, applied, changed (checksum mismatch) and future migrations, by version
   */
  public static List<MigrationInfo> status(List<Script> scripts, List<Applied> recorded) {
    Map<Integer, Applied> applied = new LinkedHashMap<>();
    for (Applied a : recorded) {
      applied.put(a.version(), a);
    }
    List<MigrationInfo> out = new ArrayList<>();
    for (Script s : scripts) {
      Applied a = applied.remove(s.version());
      if (a == null) {
        out.add(
            new MigrationInfo(
                s.version(),
                s.description(),
                MigrationState.PENDING,
                s.checksum(),
                null,
                null,
                null));
      } else {
        out.add(
            new MigrationInfo(
                s.version(),
                s.description(),
                a.checksum() == s.checksum()
                    ? MigrationState.APPLIED
                    : MigrationState.CHECKSUM_MISMATCH,
                s.checksum(),
                a.checksum(),
                Instant.ofEpochMilli(a.appliedAt()),
                a.durationMs()));
      }
    }
    for (Applied a : applied.values()) {
      out.add(
          new MigrationInfo(
              a.version(),
              a.description(),
              MigrationState.FUTURE,
              null,
              a.checksum(),
              Instant.ofEpochMilli(a.appliedAt()),
              a.durationMs()));
    }
    return out;
  }

  /**
   * Reads {@code schema_history} rows selected as version, description, checksum, applied_at,
   * duration_ms.
   *
   * @param ps the query
   * @return the rows, in the query's order
   * @throws SQLException when reading fails
   */
  public static List<Applied> applied(PreparedStatement ps) throws SQLException {
    List<Applied> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new Applied(
                rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
      }
    }
    return rows;
  }

  /**
   * Refuses a database that recorded a newer migration than the shipped ones, or a shipped one with
   * a different checksum; writes nothing.
   *
   * @param scripts the shipped scripts, numbered 1..n
   * @param applied the recorded migrations
   * @param newest the newest version the database is at
   * @param label the database, for messages
   * @param upgrade what to do about a too-new database
   * @param container where exported data goes instead ("database" or "schema")
   */
  public static void checkRecorded(
      List<Script> scripts,
      List<Applied> applied,
      int newest,
      String label,
      String upgrade,
      String container) {
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
              + upgrade
              + ". Nothing was changed");
    }
    for (Applied a : applied) {
      Script s = scripts.get(a.version() - 1);
      if (s.checksum() != a.checksum()) {
        throw new SwarmDbException(
            ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
            "migration V"
                + a.version()
                + " ("
                + s.description()
                + ") of "
                + label
                + " was applied with checksum "
                + a.checksum()
                + " but this library ships checksum "
                + s.checksum()
                + "; the script changed after it was applied. Use the SwarmDB version that"
                + " applied it, or export the data and import it into a new "
                + container
                + ". Nothing was changed");
      }
    }
  }

  /**
   * Records a migration just applied in {@code schema_history}.
   *
   * @param insert the insert, with parameters version, description, checksum, applied_at,
   *     duration_ms
   * @param s the script
   * @param now when it was applied (epoch ms)
   * @param ms how long it took
   * @return the migration as {@link MigrationState#APPLIED}
   * @throws SQLException when the insert fails
   */
  public static MigrationInfo record(PreparedStatement insert, Script s, long now, long ms)
      throws SQLException {
    insert.setInt(1, s.version());
    insert.setString(2, s.description());
    insert.setLong(3, s.checksum());
    insert.setLong(4, now);
    insert.setLong(5, ms);
    insert.executeUpdate();
    return new MigrationInfo(
        s.version(),
        s.description(),
        MigrationState.APPLIED,
        s.checksum(),
        s.checksum(),
        Instant.ofEpochMilli(now),
        ms);
  }

  /**
   * The pending migrations of a status list.
   *
   * @param status every migration with its state
   * @return those not applied yet
   */
  public static List<MigrationInfo> pending(List<MigrationInfo> status) {
    List<MigrationInfo> pending = new ArrayList<>();
    for (MigrationInfo m : status) {
      if (m.state() == MigrationState.PENDING) {
        pending.add(m);
      }
    }
    return pending;
  }
}
