package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.FileSizes;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.health.HistoryInfo;
import io.moaiflow.swarmdb.health.Inspector;
import io.moaiflow.swarmdb.health.WriterStats;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.HealthReports;
import io.moaiflow.swarmdb.internal.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Size, health and introspection on PostgreSQL. Sizes are those of SwarmDB's own relations (tables,
 * their indexes and TOAST) in the current schema; the whole database's size is reported by {@link
 * #info()} as the setting {@code database_size_bytes}. PostgreSQL's WAL belongs to the server, not
 * to SwarmDB, so {@link #walSizeBytes()} is 0. Thread safe.
 */
final class PgInspector implements Inspector, HealthReports.Probes {
  /** Server settings {@link #info()} reports, beside the version and sizes. */
  private static final List<String> SETTINGS =
      List.of(
          "server_version",
          "server_encoding",
          "synchronous_commit",
          "default_transaction_isolation",
          "lock_timeout",
          "statement_timeout",
          "max_connections",
          "shared_buffers",
          "block_size",
          "TimeZone");

  private final PgDatabase db;

  PgInspector(PgDatabase db) {
    this.db = db;
  }

  /** Bytes of SwarmDB's relations (with indexes and TOAST) in the current schema. */
  static long relationBytes(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(sum(pg_total_relation_size(to_regclass(t))), 0)"
                + " FROM unnest(?::text[]) AS t WHERE to_regclass(t) IS NOT NULL")) {
      ps.setArray(1, c.createArrayOf("text", Schema.counted().toArray(new String[0])));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * The explicit indexes of SwarmDB's tables in the current schema: every index that does not back
   * a primary-key or unique constraint, sorted by name.
   */
  static List<String> indexes(Handle h) throws SQLException {
    return h.queryStrings(
        "SELECT i.relname FROM pg_index x"
            + " JOIN pg_class i ON i.oid = x.indexrelid"
            + " JOIN pg_class t ON t.oid = x.indrelid"
            + " JOIN pg_namespace n ON n.oid = t.relnamespace"
            + " WHERE n.nspname = current_schema()"
            + " AND t.relname IN ('"
            + String.join("', '", Schema.DATA_TABLES)
            + "', '"
            + String.join("', '", Schema.V2_TABLES)
            + "')"
            + " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid ="
            + " x.indexrelid) ORDER BY i.relname");
  }

  @Override
  public long sizeBytes() {
    return db.readUnchecked("inspect.size", h -> PgInspector.relationBytes(h.connection()));
  }

  @Override
  public long walSizeBytes() {
    return 0;
  }

  @Override
  public DatabaseInfo info() {
    return db.readUnchecked(
        "inspect.info",
        h -> {
          Connection c = h.connection();
          Map<String, Long> counts = new LinkedHashMap<>();
          for (String t : Schema.counted()) {
            if (PgMigrator.tableExists(c, t)) {
              counts.put(t, h.queryLong("SELECT count(*) FROM " + t));
            }
          }
          Map<String, String> settings = new LinkedHashMap<>();
          settings.put("backend", "postgresql");
          settings.put("schema", db.schema);
          try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
            for (String s : SETTINGS) {
              ps.setString(1, s);
              try (ResultSet rs = ps.executeQuery()) {
                String v = rs.next() ? rs.getString(1) : null;
                settings.put(s, v == null ? "" : v);
              }
            }
          }
          long databaseBytes = h.queryLong("SELECT pg_database_size(current_database())");
          settings.put("database", h.queryString("SELECT current_database()"));
          settings.put("database_size_bytes", Long.toString(databaseBytes));
          settings.put("pool", db.ownPool != null ? "hikari" : "caller DataSource");
          long relations = relationBytes(c);
          long blockSize = h.queryLong("SELECT current_setting('block_size')::int");
          return new DatabaseInfo(
              db.label(),
              db.serverVersion,
              PgMigrator.currentVersion(c),
              PgMigrator.shippedVersion(),
              counts,
              indexes(h),
              settings,
              blockSize,
              blockSize == 0 ? 0 : relations / blockSize,
              0,
              new FileSizes(relations, 0, 0),
              db.history().info(h, counts.containsKey(Schema.V3_TABLES.get(0))));
        });
  }

  @Override
  public HistoryInfo history() {
    return db.readUnchecked(
        "inspect.history",
        h -> db.history().info(h, PgMigrator.tableExists(h.connection(), Schema.V3_TABLES.get(0))));
  }

  @Override
  public HealthReport health() {
    return HealthReports.check(db, PgMigrator.shippedVersion(), db.recentFailures, this);
  }

  @Override
  public int readVersion() {
    return db.readUnchecked(
        "health.read",
        h -> {
          h.queryLong("SELECT 1");
          return PgMigrator.currentVersion(h.connection());
        });
  }

  @Override
  public boolean writable(List<String> problems) {
    // Assigning a transaction id fails on a standby or in a read-only transaction; the
    // transaction is rolled back, so nothing is written.
    return db.outsideTransaction(
        "health.write",
        h -> {
          Connection c = h.connection();
          c.setAutoCommit(false);
          try {
            h.queryLong("SELECT pg_current_xact_id()::text::bigint");
          } finally {
            c.rollback();
          }
          return true;
        });
  }

  @Override
  public HealthReports.Sizes sizes(boolean connected, List<String> problems) {
    long size = 0;
    if (connected) {
      try {
        size = sizeBytes();
      } catch (RuntimeException e) {
        problems.add("size query failed: " + e.getMessage());
      }
    }
    return new HealthReports.Sizes(size, 0, -1, 0);
  }

  @Override
  public WriterStats writerStats() {
    return db.stats();
  }
}
