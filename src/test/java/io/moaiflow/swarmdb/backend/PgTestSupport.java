package io.moaiflow.swarmdb.backend;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Access to the PostgreSQL server the tests run against: {@code SWARMDB_TEST_PG_URL} (environment
 * variable or system property), for example as printed by {@code
 * src/test/scripts/start-postgres.sh}. Without it every PostgreSQL test is skipped, with a message
 * that names the variable. Each test gets its own schema, dropped afterwards, so runs are
 * independent.
 */
public final class PgTestSupport {
  /** The variable naming the test server. */
  public static final String VARIABLE = "SWARMDB_TEST_PG_URL";

  private PgTestSupport() {}

  /**
   * The server's URL, or null when not configured.
   *
   * @return the URL
   */
  public static String url() {
    String v = System.getProperty(VARIABLE);
    if (v == null || v.isBlank()) {
      v = System.getenv(VARIABLE);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * Skips the calling test unless a server is configured.
   *
   * @return the URL
   */
  public static String requireUrl() {
    String url = url();
    assumeTrue(
        url != null,
        "PostgreSQL tests skipped: set "
            + VARIABLE
            + " to a jdbc:postgresql:// URL (src/test/scripts/start-postgres.sh starts a"
            + " throwaway server and prints one)");
    return url;
  }

  /**
   * Creates a fresh schema and returns a URL whose current schema it is.
   *
   * @return the schema name and URL
   * @throws SQLException when the server refuses
   */
  public static Schema newSchema() throws SQLException {
    String url = requireUrl();
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + name);
    }
    String sep = url.contains("?") ? "&" : "?";
    return new Schema(name, url + sep + "currentSchema=" + name, url);
  }

  /**
   * A throwaway schema.
   *
   * @param name the schema
   * @param url a URL whose current schema it is
   * @param baseUrl the server URL
   */
  public record Schema(String name, String url, String baseUrl) implements AutoCloseable {
    /**
     * A plain JDBC connection in this schema.
     *
     * @return the connection
     * @throws SQLException when connecting fails
     */
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url);
    }

    /** Drops the schema and everything in it. */
    @Override
    public void close() throws SQLException {
      try (Connection c = DriverManager.getConnection(baseUrl);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + name.toLowerCase(Locale.ROOT) + " CASCADE");
      }
    }
  }

  /** Runs a statement that returns one integer: its first column, or 0 without a row. */
  public static long queryLong(java.sql.Connection c, String sql) throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * Leaves a schema as a library of an older version left it: the shipped PostgreSQL scripts 1 to
   * {@code version} run as they are, each recorded in {@code schema_history} with the checksum the
   * current migrator resolves for it (read from an empty schema), so the current library migrates
   * on from there.
   */
  public static void atVersion(Connection c, int version) throws Exception {
    java.util.List<io.moaiflow.swarmdb.migrate.MigrationInfo> shipped;
    try (Schema empty = newSchema();
        io.moaiflow.swarmdb.SwarmDB db =
            io.moaiflow.swarmdb.SwarmDB.open(
                io.moaiflow.swarmdb.SwarmDbConfig.postgres(empty.url()).migrate(false).build())) {
      shipped = db.migrator().status();
    }
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE schema_history (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT"
              + " NULL, checksum BIGINT NOT NULL, applied_at BIGINT NOT NULL, duration_ms BIGINT"
              + " NOT NULL, success BOOLEAN NOT NULL)");
      for (io.moaiflow.swarmdb.migrate.MigrationInfo m : shipped.subList(0, version)) {
        String name =
            "/db/migration/postgresql/V" + m.version() + "__" + m.description().replace(' ', '_');
        try (java.io.InputStream in = PgTestSupport.class.getResourceAsStream(name + ".sql")) {
          st.execute(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        st.execute(
            "INSERT INTO schema_history VALUES ("
                + m.version()
                + ", '"
                + m.description()
                + "', "
                + m.resolvedChecksum()
                + ", 0, 1, true)");
      }
    }
  }
}
