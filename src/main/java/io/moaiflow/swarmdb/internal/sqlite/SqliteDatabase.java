package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.Synchronous;
import io.moaiflow.swarmdb.internal.BackendBase;
import io.moaiflow.swarmdb.internal.Dialect;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.Listeners;
import io.moaiflow.swarmdb.internal.Schema;
import io.moaiflow.swarmdb.internal.SqlAgentRegistry;
import io.moaiflow.swarmdb.internal.SqlFunction;
import io.moaiflow.swarmdb.internal.SqlSessionStore;
import io.moaiflow.swarmdb.internal.StatementCache;
import io.moaiflow.swarmdb.internal.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The open SQLite database: the single writer, the read pool, the pragmas as read back, and the
 * schema state. The shared DAOs do all their work through {@link #read} and {@link #write} (the
 * {@link Backend} seam); SQLite's own appends also use {@link #writeAsync}. Thread safe.
 */
public final class SqliteDatabase extends BackendBase {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

  private final @Nullable Path path;
  final Writer writer;
  private final @Nullable ReadPool readers;

  /** The pragmas as read back from the writer connection at open. */
  final Map<String, String> pragmas;

  final String sqliteVersion;

  /** Whether this database was opened by {@link #openReadOnly}. */
  final boolean readOnly;

  private final Daos daos;

  private SqliteDatabase(
      SwarmDbConfig config,
      @Nullable Path path,
      String label,
      TimeSource time,
      Listeners listeners,
      Writer writer,
      @Nullable ReadPool readers,
      Map<String, String> pragmas,
      String sqliteVersion,
      int schemaVersion,
      boolean readOnly) {
    super(config, label, time, listeners, SqliteMigrator.shippedVersion(), schemaVersion);
    this.readOnly = readOnly;
    this.path = path;
    this.writer = writer;
    this.readers = readers;
    this.pragmas = pragmas;
    this.sqliteVersion = sqliteVersion;
    this.daos =
        new Daos(
            new SqliteEventStore(this),
            new SqlAgentRegistry(this),
            new SqlSessionStore(this),
            new SqliteMigrator(this),
            new SqliteInspector(this),
            new SqliteMaintenance(this));
  }

  /** Opens (and by default creates and migrates) a database. */
  public static SqliteDatabase open(SwarmDbConfig config) {
    NativeLibrary.ensureLoaded();
    Path path = config.path() == null ? null : config.path().toAbsolutePath().normalize();
    String label = path == null ? ":memory:" : path.toString();
    if (path != null) {
      FileSecurity.prepareDatabaseFile(path, true);
      requireWritable(path);
    }
    String url = path == null ? "jdbc:sqlite::memory:" : Schema.jdbcUrl(path);
    SQLiteConfig readerConfig = null;
    if (path != null) {
      readerConfig = connectionConfig(config);
      // Readers never create the file: if it is deleted under a running process, a new pooled
      // connection must fail (and health report it) rather than open a fresh empty database.
      readerConfig.resetOpenMode(SQLiteOpenMode.CREATE);
    }
    return connect(
        "opening the database",
        config,
        path,
        false,
        connectionConfig(config),
        url,
        readerConfig,
        (h, version) -> {
          if (NativeLibrary.compareVersions(version, NativeLibrary.MINIMUM_SQLITE) < 0) {
            throw new SwarmDbException(
                ErrorCode.NATIVE_LIBRARY,
                "SQLite "
                    + version
                    + " is loaded, but SwarmDB needs "
                    + NativeLibrary.MINIMUM_SQLITE
                    + " or newer (older versions can corrupt a WAL database under concurrent"
                    + " writers); use sqlite-jdbc 3.51.3.0 or newer");
          }
          NativeLibrary.requireFts5(h, version);
          // Validate before anything can write: switching a foreign or too-new file to WAL would
          // already change its header before it is refused.
          SqliteMigrator migrator =
              SqliteMigrator.opening(label, config.backupBeforeMigrate() ? path : null);
          migrator.validate(h);
          if (path != null) {
            switchToWal(h, config.pragmas().busyTimeout().toNanos(), label);
          }
          Map<String, String> pragmas = readBack(h, config, path != null, label);
          if (config.migrate()) {
            migrator.migrate(h);
          }
          return pragmas;
        });
  }

  /** What one opening checks and changes on its first connection; returns the pragmas. */
  private interface Opening {
    Map<String, String> prepare(Handle h, String sqliteVersion) throws SQLException;
  }

  /**
   * Connects, runs the opening, quick-checks, and starts the readers (with a reader configuration)
   * and the writer; on any failure closes the connection and maps a SQLite error (also one wrapped
   * in an unchecked exception) to its {@code SwarmDbException}.
   */
  private static SqliteDatabase connect(
      String what,
      SwarmDbConfig config,
      @Nullable Path path,
      boolean readOnly,
      SQLiteConfig sc,
      String url,
      @Nullable SQLiteConfig readerConfig,
      Opening body) {
    String label = path == null ? ":memory:" : path.toString();
    Connection connection = null;
    try {
      connection = sc.createConnection(url);
      TimeSource time = new TimeSource(config.clock());
      Handle h = new Handle(connection, new StatementCache(connection), time.now());
      String version = h.queryString("SELECT sqlite_version()");
      Map<String, String> pragmas = body.prepare(h, version);
      int schema = SqliteMigrator.userVersion(h);
      quickCheckOnOpen(h, config, label);
      ReadPool readers =
          readerConfig == null
              ? null
              : new ReadPool(
                  url,
                  readerConfig,
                  config.readPoolSize(),
                  config.writeQueue().timeout().toMillis());
      Listeners listeners = new Listeners();
      Path wal = path == null || readOnly ? null : Schema.wal(path);
      Writer writer = new Writer(connection, label, wal, time, listeners, config.writeQueue());
      writer.queue.start();
      if (readOnly) {
        LOG.debug("opened {} read-only for checks ({})", label, url);
      } else {
        LOG.debug("opened {} (SQLite {}, schema v{})", label, version, schema);
      }
      return new SqliteDatabase(
          config, path, label, time, listeners, writer, readers, pragmas, version, schema,
          readOnly);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw SqliteErrors.map(what, label, e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      if (!(e instanceof SwarmDbException) && e.getCause() instanceof SQLException cause) {
        throw SqliteErrors.map(what, label, cause);
      }
      throw e;
    }
  }

  /**
   * Sets WAL mode, retrying while another connection holds a lock. Changing the journal mode needs
   * an exclusive lock, and SQLite answers {@code SQLITE_BUSY} at once here, without calling the
   * busy handler: several processes opening one new file at the same moment meet this (one of them
   * is reading the schema while another switches the mode). Retries with a growing pause until the
   * mode reads back {@code wal} or the busy timeout has passed, then fails with a BUSY that says
   * how long it waited.
   */
  static void switchToWal(Handle h, long busyTimeoutNanos, String label) throws SQLException {
    long start = System.nanoTime();
    long pauseMicros = 100;
    int attempts = 0;
    while (true) {
      attempts++;
      SQLException busy;
      try {
        String mode = h.queryString("PRAGMA journal_mode = WAL");
        if ("wal".equalsIgnoreCase(mode)) {
          return;
        }
        busy = null; // the old mode came back: the change did not get its lock
      } catch (SQLException e) {
        if (!SqliteErrors.isBusy(e)) {
          throw e;
        }
        busy = e;
      }
      long waited = System.nanoTime() - start;
      if (waited >= busyTimeoutNanos) {
        throw new SwarmDbException(
            ErrorCode.BUSY,
            "switching "
                + label
                + " to WAL mode failed: another connection or process held a lock on it for the"
                + " whole busy timeout ("
                + TimeUnit.NANOSECONDS.toMillis(waited)
                + " ms, "
                + attempts
                + " attempts). Find the process holding the file (fuser/lsof), or raise"
                + " busyTimeout",
            busy,
            busy == null ? SqliteErrors.BUSY : SqliteErrors.resultCode(busy));
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros));
      pauseMicros = Math.min(pauseMicros * 2, 10_000);
    }
  }

  /**
   * Opens an existing database file for checks without changing it (see {@link CheckOpen}): one
   * read-only connection, no {@code PRAGMA journal_mode}, no migration, no checkpoint or WAL
   * truncation on close. Every write, migration and maintenance call fails with {@link
   * ErrorCode#READ_ONLY} before anything runs.
   *
   * @param config a file configuration with {@code migrate(false)}
   */
  public static SqliteDatabase openReadOnly(SwarmDbConfig config) {
    Path configured = config.path();
    if (configured == null || config.isPostgres()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "a read-only check opens a SQLite database file; pass SwarmDbConfig.builder(path)");
    }
    if (config.migrate()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "a read-only open never migrates; build the configuration with migrate(false)");
    }
    NativeLibrary.ensureLoaded();
    Path path = configured.toAbsolutePath().normalize();
    String label = path.toString();
    FileSecurity.prepareDatabaseFile(path, false);
    String url = CheckOpen.url(path, label);
    return connect(
        "opening the database read-only",
        config,
        path,
        true,
        CheckOpen.readOnly(connectionConfig(config)),
        url,
        null,
        (h, version) -> {
          NativeLibrary.requireFts5(h, version);
          SqliteMigrator.opening(label, null).validate(h);
          Map<String, String> pragmas = new LinkedHashMap<>();
          // An immutable connection reports "delete"; the file's own mode is in its header.
          pragmas.put("journal_mode", walHeader(path) ? "wal" : "delete");
          for (String p : expectedPragmas(config, false).keySet()) {
            if (!pragmas.containsKey(p)) {
              pragmas.put(p, h.queryString("PRAGMA " + p));
            }
          }
          return Collections.unmodifiableMap(pragmas);
        });
  }

  /** Whether bytes 18 and 19 of the SQLite header are 2 (WAL), read without SQLite. */
  private static boolean walHeader(Path path) {
    byte[] b = new byte[20];
    try (java.io.InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(b, 0, b.length) == b.length && b[18] == 2 && b[19] == 2;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  SwarmDbException readOnlyError(String op) {
    return new SwarmDbException(
        ErrorCode.READ_ONLY,
        op
            + " refused: "
            + label
            + " was opened read-only for checks (SwarmDB.openReadOnly), which never writes; open"
            + " it with SwarmDB.open to change it");
  }

  /**
   * The pragmas read back after opening, journal_mode first, each with the value it must read back
   * (null: reported only).
   */
  private static Map<String, @Nullable String> expectedPragmas(SwarmDbConfig config, boolean file) {
    Map<String, @Nullable String> expected = new LinkedHashMap<>();
    expected.put("journal_mode", file ? "wal" : "memory");
    expected.put("synchronous", config.pragmas().synchronous() == Synchronous.FULL ? "2" : "1");
    expected.put("cache_size", Integer.toString(config.pragmas().cacheSizePages()));
    expected.put("busy_timeout", Long.toString(config.pragmas().busyTimeout().toMillis()));
    expected.put("foreign_keys", "1");
    expected.put("temp_store", "2");
    expected.put("journal_size_limit", Long.toString(config.pragmas().journalSizeLimitBytes()));
    for (String p : new String[] {"mmap_size", "page_size", "wal_autocheckpoint"}) {
      expected.put(p, null);
    }
    return expected;
  }

  private static void quickCheckOnOpen(Handle h, SwarmDbConfig config, String label)
      throws SQLException {
    if (!config.quickCheckOnOpen()) {
      return;
    }
    var problems = SqliteMaintenance.check(h, "quick_check");
    if (!problems.isEmpty()) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "quick_check of "
              + label
              + " found "
              + problems.size()
              + " problem(s), first: "
              + problems.get(0)
              + "; restore from a backup with 'swarmdb restore --from FILE'");
    }
  }

  private static void closeQuietly(@Nullable Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already failing; the first error is the one reported
      }
    }
  }

  private static void requireWritable(Path path) {
    Path dir = path.getParent();
    if (!Files.isWritable(path) || (dir != null && !Files.isWritable(dir))) {
      String which = !Files.isWritable(path) ? "the file " + path : "its directory " + dir;
      throw new SwarmDbException(
          ErrorCode.READ_ONLY,
          "cannot open "
              + path
              + " for writing: "
              + which
              + " is not writable (SQLite needs to create -wal and -shm beside the file). Fix the"
              + " permissions or mount, or copy the file somewhere writable");
    }
  }

  /** The pragmas every library connection gets, as sqlite-jdbc configuration. */
  static SQLiteConfig connectionConfig(SwarmDbConfig config) {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setSynchronous(
        config.pragmas().synchronous() == Synchronous.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    sc.setCacheSize(config.pragmas().cacheSizePages());
    sc.setBusyTimeout((int) config.pragmas().busyTimeout().toMillis());
    sc.enforceForeignKeys(true);
    sc.setTempStore(SQLiteConfig.TempStore.MEMORY);
    sc.setPragma(
        SQLiteConfig.Pragma.JOURNAL_SIZE_LIMIT,
        Long.toString(config.pragmas().journalSizeLimitBytes()));
    sc.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(config.pragmas().mmapSizeBytes()));
    sc.setGetGeneratedKeys(false);
    return sc;
  }

  private static Map<String, String> readBack(
      Handle h, SwarmDbConfig config, boolean file, String label) throws SQLException {
    Map<String, String> actual = new LinkedHashMap<>();
    for (Map.Entry<String, @Nullable String> e : expectedPragmas(config, file).entrySet()) {
      String got = h.queryString("PRAGMA " + e.getKey());
      String want = e.getValue();
      if (want != null && !want.equalsIgnoreCase(got)) {
        String hint =
            "journal_mode".equals(e.getKey())
                ? " (WAL needs shared memory: keep the database on a local filesystem, not NFS or"
                    + " a read-only mount)"
                : "";
        throw new SwarmDbException(
            ErrorCode.DATABASE_ERROR,
            String.format(
                Locale.ROOT,
                "PRAGMA %s of %s reads back '%s' after setting '%s'%s",
                e.getKey(),
                label,
                got,
                want,
                hint));
      }
      actual.put(e.getKey(), got);
    }
    actual.put(
        "journal_mode",
        java.util.Objects.requireNonNullElse(actual.get("journal_mode"), "")
            .toLowerCase(Locale.ROOT));
    return Collections.unmodifiableMap(actual);
  }

  @Override
  public <T> T readUnchecked(String op, SqlFunction<T> fn) {
    state.checkOpen(op);
    return listeners.observe(op, () -> readNow(op, fn));
  }

  private <T> T readNow(String op, SqlFunction<T> fn) {
    ReadPool pool = readers;
    if (pool == null) {
      return writer.queue.call(op, fn, true);
    }
    try {
      return pool.read(fn, time.now());
    } catch (SQLTransientConnectionException e) {
      throw new SwarmDbException(
          ErrorCode.TIMEOUT,
          op
              + " timed out waiting for a read connection ("
              + pool.state()
              + "); close streams promptly or raise readPoolSize",
          e);
    } catch (SQLException e) {
      if (state.isClosed()) {
        throw state.closedError(op);
      }
      throw SqliteErrors.map(op, label, e);
    }
  }

  /** Runs a write in the writer's next transaction and waits for its commit. */
  @Override
  public <T> T write(String op, SqlFunction<T> fn) {
    state.checkUsable(op);
    if (readOnly) {
      throw readOnlyError(op);
    }
    return listeners.observe(op, () -> writer.queue.call(op, fn, false));
  }

  /** Queues a write; the future completes after its commit. */
  public <T> CompletableFuture<T> writeAsync(String op, SqlFunction<T> fn) {
    state.checkUsable(op);
    if (readOnly) {
      throw readOnlyError(op);
    }
    return writer.queue.submitObserved(op, fn);
  }

  /** On the writer connection alone, after every write queued before it. */
  @Override
  public <T> T outsideTransaction(String op, SqlFunction<T> fn) {
    state.checkOpen(op);
    if (readOnly) {
      throw readOnlyError(op);
    }
    return writer.queue.call(op, fn, true);
  }

  @Override
  public @Nullable Path path() {
    return path;
  }

  @Override
  public Dialect dialect() {
    return SqliteDialect.INSTANCE;
  }

  /**
   * Every SQL text the DAOs have prepared through the statement caches, writer and readers, so a
   * test can explain each one. Call while no read is running.
   */
  public java.util.Set<String> preparedSql() {
    java.util.Set<String> all = new java.util.HashSet<>(writer.preparedSql());
    if (readers != null) {
      all.addAll(readers.preparedSql());
    }
    return all;
  }

  @Override
  public Daos daos() {
    return daos;
  }

  /**
   * Drains queued writes, truncates the WAL (not when {@linkplain #readOnly read-only}), and closes
   * every connection. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (state.isClosed()) {
      return;
    }
    try {
      if (path != null && !readOnly) {
        try {
          writer.queue.call(
              "close checkpoint", h -> h.queryLong("PRAGMA wal_checkpoint(TRUNCATE)"), true);
        } catch (SwarmDbException e) {
          LOG.warn("final checkpoint of {} failed: {}", label, e.getMessage());
        }
      }
    } finally {
      state.markClosed();
      writer.queue.close();
      if (readers != null) {
        readers.close();
      }
      writer.closeConnection();
      LOG.debug("closed {}", label);
    }
  }
}
