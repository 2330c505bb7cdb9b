package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The database a backend-parameterised benchmark runs on: SQLite files under the data directory, or
 * schemas on the PostgreSQL server named by {@link #PG_URL}. Both sides of a comparison get their
 * schema from {@link SwarmDB#open}, so SwarmDB and the raw-JDBC baseline write the same tables and
 * indexes; the raw side then uses a plain connection with the durability SwarmDB uses (SQLite: the
 * library's pragmas; PostgreSQL: the server's settings, untouched by either side). Stores are
 * named; a fresh store replaces any earlier one of the same name. Not thread safe (used from setup
 * code).
 */
abstract class BenchBackend {
  /** Environment variable (or system property) with the benchmark server's JDBC URL. */
  static final String PG_URL = "SWARMDB_BENCH_PG_URL";

  static BenchBackend of(String name) {
    return switch (name) {
      case "sqlite" -> new Sqlite();
      case "pg" -> new Postgres(requirePgUrl());
      default -> throw new IllegalArgumentException("unknown backend " + name + "; sqlite or pg");
    };
  }

  /** The PostgreSQL URL from the environment or a system property, or null. */
  static String pgUrl() {
    String v = System.getProperty(PG_URL);
    if (v == null || v.isBlank()) {
      v = System.getenv(PG_URL);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  static String requirePgUrl() {
    String url = pgUrl();
    if (url == null) {
      throw new IllegalStateException(
          "the PostgreSQL benchmarks need a server: set "
              + PG_URL
              + " (environment variable or -D system property) to a jdbc:postgresql:// URL of a"
              + " database where the user may create schemas; src/test/scripts/start-postgres.sh"
              + " starts a throwaway local cluster and prints one");
    }
    return url;
  }

  /** The driver the raw side uses, for report labels. */
  abstract String driver();

  /** The raw insert of one event row (same columns as {@link BenchRows#bind}). */
  abstract String insertSql();

  /** The selected columns, in {@link BenchRows#readEvents} order, metadata as text. */
  abstract String columns();

  /** SwarmDB on a fresh, empty store. */
  abstract SwarmDB openFresh(String store);

  /** SwarmDB on an existing store. */
  abstract SwarmDB open(String store);

  /** A fresh store whose schema SwarmDB created, and a plain connection to it. */
  final Connection rawFresh(String store) {
    openFresh(store).close();
    return connect(store);
  }

  /** Another plain read-write connection to an existing store. */
  abstract Connection connect(String store);

  /**
   * Adds {@code rows} generated events (the rows of {@link Fixtures#fill}: ids {@code fx-…}, 30 days
   * before {@link Fixtures#FIXTURE_END_MS}) to a store's event table, inside the database.
   */
  abstract void prefill(String store, long rows);

  /** SwarmDB on the query fixture, built first when missing. */
  abstract SwarmDB openQueryFixture();

  /** A plain connection to the query fixture for the raw queries. */
  abstract Connection rawQueryFixture();

  /** Builds the query fixture unless it is already there. */
  abstract void buildQueryFixture();

  /** SQLite files under {@link Fixtures#dataDir()}, one directory per store. */
  static final class Sqlite extends BenchBackend {
    @Override
    String driver() {
      return "sqlite-jdbc";
    }

    @Override
    String insertSql() {
      return BenchRows.INSERT;
    }

    @Override
    String columns() {
      return BenchRows.COLUMNS;
    }

    private static Path file(String store) {
      return Fixtures.dataDir().resolve(store).resolve("swarm.db");
    }

    @Override
    SwarmDB openFresh(String store) {
      Fixtures.freshDir(store);
      return Fixtures.open(file(store));
    }

    @Override
    SwarmDB open(String store) {
      return Fixtures.open(file(store));
    }

    @Override
    Connection connect(String store) {
      Path f = file(store);
      return BenchRows.rawConnection(f, SwarmDbConfig.builder(f).build(), false);
    }

    @Override
    void prefill(String store, long rows) {
      try (Connection c = connect(store)) {
        Fixtures.fill(
            c, rows, Fixtures.FIXTURE_END_MS - Fixtures.FIXTURE_SPAN_MS, Fixtures.FIXTURE_SPAN_MS, 0);
      } catch (SQLException e) {
        throw new IllegalStateException("prefilling " + file(store) + " failed", e);
      }
    }

    @Override
    SwarmDB openQueryFixture() {
      return Fixtures.open(Fixtures.queryFixture());
    }

    @Override
    Connection rawQueryFixture() {
      Path f = Fixtures.queryFixture();
      return BenchRows.rawConnection(f, SwarmDbConfig.builder(f).build(), true);
    }

    @Override
    void buildQueryFixture() {
      Fixtures.queryFixture();
    }
  }

  /** One schema per store ({@code bench_<store>}) on the server named by {@link #PG_URL}. */
  static final class Postgres extends BenchBackend {
    private static final String QUERY_STORE = "query_1m";
    private final String url;

    Postgres(String url) {
      this.url = url;
    }

    @Override
    String driver() {
      return "pgjdbc";
    }

    @Override
    String insertSql() {
      return BenchRows.INSERT.replace("?)", "?::jsonb)");
    }

    @Override
    String columns() {
      return BenchRows.COLUMNS.replace("metadata", "metadata::text");
    }

    private static String schema(String store) {
      return "bench_" + store.replace('-', '_');
    }

    private String url(String store) {
      return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema(store);
    }

    private void execute(String... sql) {
      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement()) {
        for (String s : sql) {
          st.execute(s);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("PostgreSQL setup failed: " + e.getMessage(), e);
      }
    }

    @Override
    SwarmDB open(String store) {
      return SwarmDB.open(SwarmDbConfig.postgres(url(store)).build());
    }

    @Override
    SwarmDB openFresh(String store) {
      execute(
          "DROP SCHEMA IF EXISTS " + schema(store) + " CASCADE", "CREATE SCHEMA " + schema(store));
      return open(store);
    }

    @Override
    Connection connect(String store) {
      try {
        // a careful hand-written batch on pgjdbc lets the driver send multi-row INSERTs, as
        // SwarmDB sends one INSERT ... SELECT FROM unnest(...) per batch
        return DriverManager.getConnection(url(store) + "&reWriteBatchedInserts=true");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot connect to schema " + schema(store), e);
      }
    }

    @Override
    SwarmDB openQueryFixture() {
      buildQueryFixture();
      return open(QUERY_STORE);
    }

    @Override
    Connection rawQueryFixture() {
      buildQueryFixture();
      Connection c = connect(QUERY_STORE);
      try {
        c.setReadOnly(true);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return c;
    }

    @Override
    void buildQueryFixture() {
      try (Connection c = connect(QUERY_STORE);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
        if (rs.next() && rs.getLong(1) == Fixtures.queryRows()) {
          return;
        }
      } catch (SQLException e) {
        // no fixture yet (the schema or table is missing): built below
      }
      openFresh(QUERY_STORE).close();
      prefill(QUERY_STORE, Fixtures.queryRows());
    }

    @Override
    void prefill(String store, long rows) {
      try (Connection c = connect(store)) {
        fill(c, rows);
      } catch (SQLException e) {
        throw new IllegalStateException("prefilling schema " + schema(store) + " failed", e);
      }
    }

    /** The rows of {@link Fixtures#fill}, generated inside PostgreSQL. */
    private static void fill(Connection c, long rows) throws SQLException {
      StringBuilder types = new StringBuilder("(ARRAY[");
      for (int t = 0; t < Fixtures.TYPES.length; t++) {
        types.append(t == 0 ? "'" : ", '").append(Fixtures.TYPES[t]).append('\'');
      }
      types.append("])[(i % ").append(Fixtures.TYPES.length).append(" + 1)::int]");
      String sql =
          "INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id, ts,"
              + " metadata) SELECT 'fx-' || lpad(i::text, 12, '0'), "
              + types
              + ", 'agent-' || (i % 1000), 'expert-backend', 'session-' || (i / 1000),"
              + " ?::bigint + (i * ?::bigint) / ?::bigint,"
              + " jsonb_build_object('prompt', 'Design the API', 'step', i)"
              + " FROM generate_series(?::bigint, ?::bigint - 1) AS i";
      long start = Fixtures.FIXTURE_END_MS - Fixtures.FIXTURE_SPAN_MS;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (long from = 0; from < rows; from += 100_000) {
          ps.setLong(1, start);
          ps.setLong(2, Fixtures.FIXTURE_SPAN_MS);
          ps.setLong(3, rows);
          ps.setLong(4, from);
          ps.setLong(5, Math.min(rows, from + 100_000));
          ps.executeUpdate();
        }
      }
      try (Statement st = c.createStatement()) {
        st.execute("VACUUM (ANALYZE) agent_events");
      }
    }

    /** Server version and the settings that bear on the figures, for the report. */
    Map<String, String> settings() {
      Map<String, String> out = new LinkedHashMap<>();
      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version',"
                      + " 'fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes',"
                      + " 'shared_buffers', 'commit_delay', 'max_connections', 'listen_addresses')"
                      + " ORDER BY name")) {
        while (rs.next()) {
          String unit = rs.getString(3);
          out.put(rs.getString(1), rs.getString(2) + (unit == null ? "" : " × " + unit));
        }
      } catch (SQLException e) {
        out.put("settings", "unavailable: " + e.getMessage());
      }
      return out;
    }
  }
}
