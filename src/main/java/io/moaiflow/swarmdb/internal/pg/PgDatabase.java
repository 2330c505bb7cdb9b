package io.moaiflow.swarmdb.internal.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.WriterStats;
import io.moaiflow.swarmdb.internal.BackendBase;
import io.moaiflow.swarmdb.internal.Dialect;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Listeners;
import io.moaiflow.swarmdb.internal.SqlAgentRegistry;
import io.moaiflow.swarmdb.internal.SqlFunction;
import io.moaiflow.swarmdb.internal.SqlSessionStore;
import io.moaiflow.swarmdb.internal.TimeSource;
import io.moaiflow.swarmdb.internal.WriteFailures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open PostgreSQL database: a HikariCP pool (or the caller's {@link DataSource}), the schema
 * state, and the DAOs. Unlike SQLite there is no single writer: every write runs in its own
 * transaction on a pooled connection, so threads and hosts write concurrently, and PostgreSQL's row
 * locks order them. Event appends alone are serialised (see {@link PgEventStore}) so that the log
 * position is also the commit order. Thread safe.
 */
public final class PgDatabase extends BackendBase {
  private static final Logger LOG = LoggerFactory.getLogger(PgDatabase.class);

  /** The oldest PostgreSQL major version supported ({@code pg_current_xact_id}, JSONB, etc.). */
  static final int MINIMUM_MAJOR_VERSION = 13;

  private static final int MAX_RETRIES = 5;

  private final DataSource dataSource;
  final @Nullable HikariDataSource ownPool;
  final String serverVersion;
  final String schema;
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  final WriteFailures recentFailures = new WriteFailures();
  private final PgEventStore events;
  private final Daos daos;

  private PgDatabase(
      SwarmDbConfig config,
      DataSource dataSource,
      @Nullable HikariDataSource ownPool,
      String label,
      String serverVersion,
      String schema) {
    super(
        config,
        label,
        new TimeSource(config.clock()),
        new Listeners(),
        PgMigrator.shippedVersion(),
        0);
    this.dataSource = dataSource;
    this.ownPool = ownPool;
    this.serverVersion = serverVersion;
    this.schema = schema;
    this.events = new PgEventStore(this);
    this.daos =
        new Daos(
            events,
            new SqlAgentRegistry(this),
            new SqlSessionStore(this),
            new PgMigrator(this),
            new PgInspector(this),
            new PgMaintenance(this));
  }

  /**
   * Connects, checks the server, and validates and (by default) migrates the schema under an
   * advisory lock.
   *
   * @param config a configuration with a PostgreSQL URL or DataSource
   */
  public static PgDatabase open(SwarmDbConfig config) {
    Objects.requireNonNull(config, "config");
    String url = config.jdbcUrl();
    DataSource supplied = config.dataSource();
    HikariDataSource pool = null;
    String base;
    DataSource ds;
    if (supplied != null) {
      ds = supplied;
      base = "DataSource " + supplied.getClass().getName();
    } else if (url != null) {
      base = SwarmDbConfig.redact(url);
      pool = createPool(config, url, base);
      ds = pool;
    } else {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "the configuration names no PostgreSQL database; use SwarmDbConfig.postgres(URL) or"
              + " SwarmDbConfig.dataSource(DataSource)");
    }
    try {
      String version;
      String schema;
      try (Connection c = ds.getConnection()) {
        DatabaseMetaData md = c.getMetaData();
        if (!"PostgreSQL".equalsIgnoreCase(md.getDatabaseProductName())) {
          throw new SwarmDbException(
              ErrorCode.INVALID_ARGUMENT,
              base
                  + " connects to "
                  + md.getDatabaseProductName()
                  + ", not PostgreSQL; pass a PostgreSQL DataSource, or use"
                  + " SwarmDbConfig.builder(Path) for a SQLite file");
        }
        if (md.getDatabaseMajorVersion() < MINIMUM_MAJOR_VERSION) {
          throw new SwarmDbException(
              ErrorCode.UNSUPPORTED,
              base
                  + " runs PostgreSQL "
                  + md.getDatabaseProductVersion()
                  + "; SwarmDB needs "
                  + MINIMUM_MAJOR_VERSION
                  + " or newer. Upgrade the server");
        }
        version = md.getDatabaseProductVersion();
        schema = currentSchema(c, base);
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
      PgDatabase db =
          new PgDatabase(config, ds, pool, base + " (schema " + schema + ")", version, schema);
      try {
        var migrator = db.daos.migrator();
        if (config.migrate()) {
          migrator.migrate();
        } else {
          migrator.validate();
          db.schemaVersion(migrator.currentVersion());
        }
      } catch (RuntimeException e) {
        db.close(); // stops the appender thread and closes the pool SwarmDB created
        throw e;
      }
      LOG.debug("opened {} (PostgreSQL {}, schema v{})", db.label, version, db.schemaVersion());
      return db;
    } catch (SQLException e) {
      closePool(pool);
      throw PgErrors.map("opening the database", base, e);
    } catch (RuntimeException e) {
      closePool(pool);
      throw e;
    }
  }

  private static String currentSchema(Connection c, String base) throws SQLException {
    String s = Handle.run(c, 0, h -> h.queryString("SELECT current_schema()"));
    if (s.isEmpty()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          base
              + " has no current schema (its search_path names no existing schema); create one"
              + " and name it with ?currentSchema=NAME in the URL");
    }
    return s;
  }

  private static HikariDataSource createPool(SwarmDbConfig config, String url, String base) {
    try {
      Class.forName("org.postgresql.Driver");
    } catch (ClassNotFoundException e) {
      throw new SwarmDbException(
          ErrorCode.UNSUPPORTED,
          "cannot open "
              + base
              + ": the PostgreSQL JDBC driver (org.postgresql:postgresql, 42.7 or newer) is not on"
              + " the class path; add it to your application's dependencies",
          e);
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setPoolName("swarmdb-pg");
    hc.setMaximumPoolSize(config.readPoolSize() + 2);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(Math.max(250, config.writeQueue().timeout().toMillis()));
    hc.setAutoCommit(true);
    // SQLite's busy timeout becomes PostgreSQL's lock wait: a write blocked longer fails BUSY.
    hc.setConnectionInitSql("SET lock_timeout = " + config.pragmas().busyTimeout().toMillis());
    hc.addDataSourceProperty("ApplicationName", "swarmdb");
    try {
      return new HikariDataSource(hc);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException s) {
        throw PgErrors.map("connecting", base, s);
      }
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "connecting to "
              + base
              + " failed: "
              + e.getMessage()
              + "; check that the server is up and the URL, user and password are right",
          e);
    }
  }

  private static void closePool(@Nullable HikariDataSource pool) {
    if (pool != null) {
      pool.close();
    }
  }

  @Override
  public <T> T readUnchecked(String op, SqlFunction<T> fn) {
    state.checkOpen(op);
    return listeners.observe(op, () -> readNow(op, fn));
  }

  private <T> T readNow(String op, SqlFunction<T> fn) {
    try (Connection c = dataSource.getConnection()) {
      try {
        return Handle.run(c, time.now(), fn);
      } finally {
        if (!c.getAutoCommit()) {
          rollbackQuietly(c); // end the caller pool's implicit read transaction
        }
      }
    } catch (SQLException e) {
      throw state.isClosed() ? state.closedError(op) : PgErrors.map(op, label, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The write runs in its own transaction on a pooled connection; the whole transaction is
   * retried after a serialization failure or deadlock.
   */
  @Override
  public <T> T write(String op, SqlFunction<T> fn) {
    state.checkUsable(op);
    return listeners.observe(op, () -> writeNow(op, fn));
  }

  /**
   * Like {@link #write}, but reports no operation to the listeners: for the appender's group
   * commits, whose callers each report their own {@code append} or {@code appendAsync} call.
   */
  <T> T writeUnobserved(String op, SqlFunction<T> fn) {
    state.checkUsable(op);
    return writeNow(op, fn);
  }

  @Override
  public Dialect dialect() {
    return PgDialect.INSTANCE;
  }

  /** Runs the transaction, again after a serialization failure or deadlock. */
  private <T> T writeNow(String op, SqlFunction<T> fn) {
    for (int attempt = 0; ; attempt++) {
      try {
        return transaction(fn);
      } catch (SQLException e) {
        if (PgErrors.isRetryable(e) && attempt < MAX_RETRIES) {
          retries.incrementAndGet();
          listeners.onBusyRetry();
          continue;
        }
        failures.incrementAndGet();
        if (state.isClosed()) {
          throw state.closedError(op);
        }
        SwarmDbException mapped = PgErrors.map(op, label, e);
        recentFailures.failed(mapped.code(), mapped.getMessage());
        throw mapped;
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        if (e instanceof SwarmDbException s) {
          recentFailures.failed(s.code(), s.getMessage());
        }
        throw e;
      }
    }
  }

  private <T> T transaction(SqlFunction<T> fn) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      long start = System.nanoTime();
      boolean committed = false;
      try {
        // schema v3 numbers every change on the event sequence (the history triggers): taking the
        // append lock before any row lock makes the order of numbers the order of commits, for
        // appends and every other write alike (docs/history.md), and never deadlocks with them
        T result =
            Handle.run(
                c,
                time.now(),
                h -> {
                  h.execute(PgEventStore.LOCK_SQL);
                  return fn.apply(h);
                });
        c.commit();
        committed = true;
        transactions.incrementAndGet();
        recentFailures.succeeded();
        if (listeners.active()) {
          listeners.onCommit(1, System.nanoTime() - start);
        }
        return result;
      } finally {
        if (!committed) {
          rollbackQuietly(c);
        }
        c.setAutoCommit(auto);
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed after an error: {}", e.getMessage());
    }
  }

  /** On a pooled connection in autocommit mode (VACUUM cannot run inside a transaction). */
  @Override
  public <T> T outsideTransaction(String op, SqlFunction<T> fn) {
    state.checkOpen(op);
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(true);
      try {
        return Handle.run(c, time.now(), fn);
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw PgErrors.map(op, label, e);
    }
  }

  WriterStats stats() {
    int waiting = 0;
    HikariDataSource pool = ownPool;
    if (pool != null) {
      HikariPoolMXBean bean = pool.getHikariPoolMXBean();
      waiting = bean == null ? 0 : bean.getThreadsAwaitingConnection();
    }
    waiting += events.queueDepth();
    int capacity = config.writeQueue().capacity();
    long tx = transactions.get();
    return new WriterStats(waiting, capacity, tx, tx, retries.get(), failures.get());
  }

  @Override
  public Daos daos() {
    return daos;
  }

  @Override
  public @Nullable Path path() {
    return null;
  }

  /**
   * Closes the pool SwarmDB created (waiting for borrowed connections to return); a caller's
   * DataSource is left open. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (state.isClosed()) {
      return;
    }
    // queued appends still commit before the pool closes
    events.close();
    state.markClosed();
    closePool(ownPool);
    LOG.debug("closed {}", label);
  }
}
