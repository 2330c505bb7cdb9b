package io.moaiflow.swarmdb.backend;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The fresh database one invocation of a {@link BackendTest} runs on: a new SQLite file in a new
 * temporary directory, or a new PostgreSQL schema (see {@link SwarmDbExtension}). Tests open {@link
 * SwarmDB}s on it; the extension checks them for leaked pooled connections and closes them after
 * the test, then deletes the directory or drops the schema.
 *
 * <p>Not thread safe: it belongs to one test invocation (the {@code SwarmDB}s it opens are as
 * thread safe as always).
 */
public final class TestBackend {
  /** The backends a {@link BackendTest} runs on. */
  public enum Kind {
    /** An embedded SQLite file. */
    SQLITE("sqlite"),
    /** A PostgreSQL server named by {@code SWARMDB_TEST_PG_URL}. */
    POSTGRES("postgresql");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /**
     * The name shown in the invocation's display name.
     *
     * @return {@code sqlite} or {@code postgresql}
     */
    public String label() {
      return label;
    }
  }

  private final Kind kind;
  private final List<SwarmDB> opened = new ArrayList<>();
  private Path dir;
  private PgTestSupport.Schema schema;

  TestBackend(Kind kind) {
    this.kind = kind;
  }

  /** Creates the database's home; on PostgreSQL without a server, fails the assumption. */
  void start() throws IOException, SQLException {
    if (kind == Kind.SQLITE) {
      dir = Files.createTempDirectory("swarmdb-test-");
    } else {
      schema = PgTestSupport.newSchema();
    }
  }

  /**
   * The backend of this invocation.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether this invocation runs on PostgreSQL.
   *
   * @return true on PostgreSQL
   */
  public boolean isPostgres() {
    return kind == Kind.POSTGRES;
  }

  /**
   * A configuration builder for this invocation's database, with every other setting at its
   * default.
   *
   * @return a new builder
   */
  public SwarmDbConfig.Builder config() {
    return kind == Kind.SQLITE
        ? SwarmDbConfig.builder(file())
        : SwarmDbConfig.postgres(requireStarted(schema).url());
  }

  /**
   * Opens this invocation's database with the defaults; closed after the test.
   *
   * @return the open database
   */
  public SwarmDB open() {
    return open(b -> b);
  }

  /**
   * Opens this invocation's database with {@code clock}; closed after the test.
   *
   * @param clock the clock SwarmDB reads
   * @return the open database
   */
  public SwarmDB open(Clock clock) {
    return open(b -> b.clock(clock));
  }

  /**
   * Opens this invocation's database with the configuration {@code settings} makes of {@link
   * #config()}; closed after the test.
   *
   * @param settings changes to the default configuration
   * @return the open database
   */
  public SwarmDB open(UnaryOperator<SwarmDbConfig.Builder> settings) {
    SwarmDB db = SwarmDB.open(settings.apply(config()).build());
    opened.add(db);
    return db;
  }

  /**
   * The SQLite file of this invocation.
   *
   * @return the file (which SwarmDB creates when first opened)
   * @throws IllegalStateException on PostgreSQL
   */
  public Path file() {
    if (kind != Kind.SQLITE) {
      throw new IllegalStateException("file() is SQLite-only; this invocation runs on " + kind);
    }
    return requireStarted(dir).resolve("swarm.db");
  }

  /**
   * A plain JDBC connection to this invocation's database (the SQLite file, or the PostgreSQL
   * schema as current schema), for a test that changes the database behind SwarmDB's back. The
   * caller closes it.
   *
   * @return the connection
   * @throws SQLException when connecting fails
   */
  public Connection connect() throws SQLException {
    return kind == Kind.SQLITE
        ? DriverManager.getConnection("jdbc:sqlite:" + file())
        : requireStarted(schema).connect();
  }

  /**
   * Checks every database opened through this backend for leaked pooled connections, closes them
   * and removes the database; the first failure is thrown, later ones are added as suppressed.
   */
  void finish() throws Exception {
    Exception failure = null;
    AssertionError leak = null;
    for (SwarmDB db : opened) {
      try {
        if (!db.isClosed()) {
          PoolLeaks.assertNoneBorrowed(db);
        }
      } catch (AssertionError e) {
        if (leak == null) {
          leak = e;
        } else {
          leak.addSuppressed(e);
        }
      }
      try {
        db.close();
      } catch (RuntimeException e) {
        failure = add(failure, e);
      }
    }
    opened.clear();
    try {
      if (schema != null) {
        schema.close();
      }
      if (dir != null) {
        deleteTree(dir);
      }
    } catch (IOException | SQLException e) {
      failure = add(failure, e);
    }
    if (leak != null) {
      if (failure != null) {
        leak.addSuppressed(failure);
      }
      throw leak;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static Exception add(Exception first, Exception next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static <T> T requireStarted(T home) {
    if (home == null) {
      throw new IllegalStateException(
          "the test's database does not exist yet: use TestBackend from @BeforeEach or the test");
    }
    return home;
  }

  @Override
  public String toString() {
    return "TestBackend[" + kind.label() + "]";
  }
}
