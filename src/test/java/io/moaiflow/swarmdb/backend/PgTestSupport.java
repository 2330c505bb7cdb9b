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
}
