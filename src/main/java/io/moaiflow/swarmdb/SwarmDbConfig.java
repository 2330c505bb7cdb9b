package io.moaiflow.swarmdb;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How to open a {@link SwarmDB}: where the database is ({@link Target}), its {@link Pragmas}, its
 * {@link WriteQueue}, pool size, migration and health settings. Built only with {@link
 * #builder(Path)}, {@link #inMemory()}, {@link #postgres(String)} or {@link
 * #dataSource(DataSource)} and validated in {@link Builder#build()}; every setting is documented
 * once, on its builder method.
 *
 * <p>This class is immutable and thread safe.
 */
public final class SwarmDbConfig {

  /** The default of {@link #minFreeSpaceBytes()}: 64 MiB. */
  public static final long DEFAULT_MIN_FREE_SPACE_BYTES = 64L * 1024 * 1024;

  /** The default bound of the in-memory vector index: 128 MiB. */
  public static final long DEFAULT_VECTOR_INDEX_BYTES = 128L * 1024 * 1024;

  /** The path used when neither a path nor {@code $MOAI_DB_PATH} is given. */
  public static final String DEFAULT_PATH = ".moai/memory/swarm.db";

  /** The environment variable that names the database file. */
  public static final String DB_PATH_ENV = "MOAI_DB_PATH";

  /**
   * Where the database is: exactly one of a SQLite file, a private in-memory SQLite database, a
   * PostgreSQL URL or a caller's PostgreSQL DataSource. Immutable and thread safe; {@code toString}
   * never shows a password.
   */
  public sealed interface Target permits SqliteFile, InMemory, PostgresUrl, PostgresDataSource {}

  /**
   * A SQLite database file. Immutable and thread safe.
   *
   * @param path the file; missing directories are created 0700, the file 0600
   */
  public record SqliteFile(Path path) implements Target {
    /**
     * Checks the path.
     *
     * @param path the file
     */
    public SqliteFile {
      Objects.requireNonNull(path, "path");
      if (path.toString().startsWith("file:")) {
        throw invalid(
            "path '" + path + "' is a URI; pass a filesystem path such as .moai/memory/swarm.db");
      }
      if (path.toString().isBlank()) {
        throw invalid("path is blank; pass a file path or use SwarmDbConfig.inMemory()");
      }
    }
  }

  /**
   * A private in-memory SQLite database: nothing is written to disk, the data is gone on close.
   * Immutable and thread safe.
   */
  public record InMemory() implements Target {}

  /**
   * A PostgreSQL database reached by URL through a pool SwarmDB creates. Immutable and thread safe;
   * {@code toString} masks the password and user info.
   *
   * @param jdbcUrl {@code jdbc:postgresql://HOST:5432/DATABASE...}
   */
  public record PostgresUrl(String jdbcUrl) implements Target {
    /**
     * Checks the URL.
     *
     * @param jdbcUrl the URL
     */
    public PostgresUrl {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith(POSTGRES_URL_PREFIX)) {
        throw invalid(
            "jdbcUrl '"
                + redact(jdbcUrl)
                + "' is not a PostgreSQL JDBC URL; pass jdbc:postgresql://HOST:5432/DATABASE, or"
                + " use SwarmDbConfig.builder(Path) for a SQLite file");
      }
    }

    @Override
    public String toString() {
      return "PostgresUrl[" + redact(jdbcUrl) + "]";
    }
  }

  /**
   * A PostgreSQL database reached through the caller's pool, which SwarmDB never closes. Immutable
   * and thread safe (the pool must be too); {@code toString} shows only the pool's class name.
   *
   * @param dataSource the pool
   */
  public record PostgresDataSource(DataSource dataSource) implements Target {
    @Override
    public String toString() {
      return "PostgresDataSource[" + dataSource.getClass().getName() + "]";
    }
  }

  /**
   * The SQLite connection settings, set through {@link Builder}; see its methods of the same names.
   * Immutable and thread safe.
   *
   * @param synchronous {@code PRAGMA synchronous}
   * @param busyTimeout the lock wait
   * @param cacheSizePages {@code PRAGMA cache_size}
   * @param journalSizeLimitBytes {@code PRAGMA journal_size_limit}
   * @param mmapSizeBytes {@code PRAGMA mmap_size}
   */
  public record Pragmas(
      Synchronous synchronous,
      Duration busyTimeout,
      int cacheSizePages,
      long journalSizeLimitBytes,
      long mmapSizeBytes) {
    /**
     * Validates the settings.
     *
     * @param synchronous {@code PRAGMA synchronous}
     * @param busyTimeout the lock wait
     * @param cacheSizePages {@code PRAGMA cache_size}
     * @param journalSizeLimitBytes {@code PRAGMA journal_size_limit}
     * @param mmapSizeBytes {@code PRAGMA mmap_size}
     */
    public Pragmas {
      Objects.requireNonNull(synchronous, "synchronous");
      requireRange("busyTimeout", millis("busyTimeout", busyTimeout), 0, Integer.MAX_VALUE, "ms");
      requireRange("cacheSizePages", cacheSizePages, 1, 1_000_000_000, "pages");
      requireRange("journalSizeLimitBytes", journalSizeLimitBytes, 0, Long.MAX_VALUE, "bytes");
      requireRange("mmapSizeBytes", mmapSizeBytes, 0, Long.MAX_VALUE, "bytes");
    }
  }

  /**
   * The single writer's group commit and queue, set through {@link Builder}; see its methods {@code
   * maxBatchSize}, {@code maxBatchWait}, {@code writeQueueCapacity}, {@code writeTimeout} and
   * {@code walCheckpointThresholdBytes}. Immutable and thread safe.
   *
   * @param maxBatchSize most writes in one transaction
   * @param maxBatchWait how long the writer waits for a batch to fill
   * @param capacity writes that may queue before callers block
   * @param timeout how long a caller waits for room in the queue
   * @param walCheckpointThresholdBytes the WAL size past which the writer truncates it
   */
  public record WriteQueue(
      int maxBatchSize,
      Duration maxBatchWait,
      int capacity,
      Duration timeout,
      long walCheckpointThresholdBytes) {
    /**
     * Validates the settings.
     *
     * @param maxBatchSize most writes in one transaction
     * @param maxBatchWait how long the writer waits for a batch to fill
     * @param capacity writes that may queue before callers block
     * @param timeout how long a caller waits for room in the queue
     * @param walCheckpointThresholdBytes the WAL size past which the writer truncates it
     */
    public WriteQueue {
      requireRange(
          "walCheckpointThresholdBytes",
          walCheckpointThresholdBytes,
          4096,
          Long.MAX_VALUE,
          "bytes");
      requireRange("maxBatchSize", maxBatchSize, 1, 100_000, "writes");
      requireRange("maxBatchWait", millis("maxBatchWait", maxBatchWait), 0, 1_000, "ms");
      requireRange("writeQueueCapacity", capacity, 1, 10_000_000, "writes");
      requireRange("writeTimeout", millis("writeTimeout", timeout), 1, Integer.MAX_VALUE, "ms");
    }
  }

  private final Target target;
  private final Pragmas pragmas;
  private final WriteQueue writeQueue;
  private final int readPoolSize;
  private final boolean migrate;
  private final boolean backupBeforeMigrate;
  private final boolean quickCheckOnOpen;
  private final Clock clock;
  private final @Nullable Path backupRoot;
  private final long minFreeSpaceBytes;
  private final @Nullable Long historyBudgetBytes;
  private final long vectorIndexBytes;
  private final @Nullable Embedder embedder;
  private final @Nullable Boolean indexEvents;
  private final @Nullable Consumer<JsonMapper.Builder> jsonMapper;

  private SwarmDbConfig(Builder b) {
    this.target = b.target.get();
    this.pragmas =
        new Pragmas(
            b.synchronous,
            b.busyTimeout,
            b.cacheSizePages,
            b.journalSizeLimitBytes,
            b.mmapSizeBytes);
    this.writeQueue =
        new WriteQueue(
            b.maxBatchSize,
            b.maxBatchWait,
            b.writeQueueCapacity,
            b.writeTimeout,
            b.walCheckpointThresholdBytes);
    requireRange("readPoolSize", b.readPoolSize, 1, 64, "connections");
    requireRange("minFreeSpaceBytes", b.minFreeSpaceBytes, 0, Long.MAX_VALUE, "bytes");
    if (b.historyBudgetBytes != null) {
      requireRange("historyBudgetBytes", b.historyBudgetBytes, 1, Long.MAX_VALUE, "bytes");
    }
    requireRange("vectorIndexBytes", b.vectorIndexBytes, 0, Long.MAX_VALUE, "bytes");
    if (b.backupRoot != null
        && (b.backupRoot.toString().startsWith("file:") || b.backupRoot.toString().isBlank())) {
      throw invalid("backupRoot '" + b.backupRoot + "' is not a directory path; pass a directory");
    }
    this.readPoolSize = b.readPoolSize;
    this.migrate = b.migrate;
    this.backupBeforeMigrate = b.backupBeforeMigrate;
    this.quickCheckOnOpen = b.quickCheckOnOpen;
    this.clock = b.clock;
    this.backupRoot = b.backupRoot;
    this.minFreeSpaceBytes = b.minFreeSpaceBytes;
    this.historyBudgetBytes = b.historyBudgetBytes;
    this.vectorIndexBytes = b.vectorIndexBytes;
    this.embedder = b.embedder;
    this.indexEvents = b.indexEvents;
    this.jsonMapper = b.jsonMapper;
    if (jsonMapper != null) {
      Json.forDatabase(jsonMapper); // a customisation that throws fails here, not at open
    }
  }

  /**
   * Every setting by its builder name, in one place: {@link #toString}, {@link #equals} and {@link
   * #hashCode} read this. The target's own {@code toString} hides passwords.
   */
  private Map<String, Object> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("synchronous", pragmas.synchronous());
    m.put("busyTimeout", pragmas.busyTimeout());
    m.put("cacheSizePages", pragmas.cacheSizePages());
    m.put("journalSizeLimitBytes", pragmas.journalSizeLimitBytes());
    m.put("mmapSizeBytes", pragmas.mmapSizeBytes());
    m.put("readPoolSize", readPoolSize);
    m.put("maxBatchSize", writeQueue.maxBatchSize());
    m.put("maxBatchWait", writeQueue.maxBatchWait());
    m.put("writeQueueCapacity", writeQueue.capacity());
    m.put("writeTimeout", writeQueue.timeout());
    m.put("walCheckpointThresholdBytes", writeQueue.walCheckpointThresholdBytes());
    m.put("migrate", migrate);
    m.put("backupBeforeMigrate", backupBeforeMigrate);
    m.put("quickCheckOnOpen", quickCheckOnOpen);
    m.put("clock", clock);
    m.put("backupRoot", backupRoot == null ? "none" : backupRoot);
    m.put("minFreeSpaceBytes", minFreeSpaceBytes);
    m.put("historyBudgetBytes", historyBudgetBytes == null ? "none" : historyBudgetBytes);
    m.put("vectorIndexBytes", vectorIndexBytes);
    m.put("embedder", embedder == null ? "none" : embedder.modelId() + "/" + embedder.dimension());
    m.put("indexEvents", indexEvents == null ? "as recorded" : indexEvents);
    m.put("jsonMapper", jsonMapper == null ? "library defaults" : jsonMapper);
    return m;
  }

  /**
   * Every setting, in one line, with a PostgreSQL URL's password and user info masked and a
   * DataSource shown as its class name.
   */
  @Override
  public String toString() {
    StringJoiner out = new StringJoiner(", ", "SwarmDbConfig[", "]");
    settings().forEach((name, value) -> out.add(name + "=" + value));
    return out.toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SwarmDbConfig other && settings().equals(other.settings());
  }

  @Override
  public int hashCode() {
    return settings().hashCode();
  }

  /** {@return the target, never null} */
  public Target target() {
    return target;
  }

  /** {@return the pragmas} */
  public Pragmas pragmas() {
    return pragmas;
  }

  /** {@return the write queue settings} */
  public WriteQueue writeQueue() {
    return writeQueue;
  }

  /** {@return the file, or null in memory or on PostgreSQL} */
  public @Nullable Path path() {
    return target instanceof SqliteFile f ? f.path() : null;
  }

  /** {@return the URL, or null unless built with {@link #postgres(String)}} */
  public @Nullable String jdbcUrl() {
    return target instanceof PostgresUrl u ? u.jdbcUrl() : null;
  }

  /** {@return the DataSource, or null unless built with {@link #dataSource(DataSource)}} */
  public @Nullable DataSource dataSource() {
    return target instanceof PostgresDataSource d ? d.dataSource() : null;
  }

  /** {@return the value set by {@link Builder#readPoolSize}} */
  public int readPoolSize() {
    return readPoolSize;
  }

  /** {@return the value set by {@link Builder#migrate}} */
  public boolean migrate() {
    return migrate;
  }

  /** {@return the value set by {@link Builder#backupBeforeMigrate}} */
  public boolean backupBeforeMigrate() {
    return backupBeforeMigrate;
  }

  /** {@return the value set by {@link Builder#quickCheckOnOpen}} */
  public boolean quickCheckOnOpen() {
    return quickCheckOnOpen;
  }

  /** {@return the value set by {@link Builder#clock}} */
  public Clock clock() {
    return clock;
  }

  /** {@return the directory, or null when any path is allowed} */
  public @Nullable Path backupRoot() {
    return backupRoot;
  }

  /**
   * {@return the application's customisation of the database's Jackson mapper, or null for the
   * library's defaults} See {@link Builder#jsonMapper}.
   */
  public @Nullable Consumer<JsonMapper.Builder> jsonMapper() {
    return jsonMapper;
  }

  /** {@return the embedder for semantic recall, or null for full-text recall only} */
  public @Nullable Embedder embedder() {
    return embedder;
  }

  /** {@return the event-indexing setting to record at open, or null to keep the recorded one} */
  public @Nullable Boolean indexEvents() {
    return indexEvents;
  }

  /** {@return the value set by {@link Builder#minFreeSpaceBytes}} */
  public long minFreeSpaceBytes() {
    return minFreeSpaceBytes;
  }

  /** {@return the budget set by {@link Builder#vectorIndexBytes}; 0: no vector index} */
  public long vectorIndexBytes() {
    return vectorIndexBytes;
  }

  /** {@return the budget set by {@link Builder#historyBudgetBytes}, or empty for none} */
  public OptionalLong historyBudgetBytes() {
    return historyBudgetBytes == null ? OptionalLong.empty() : OptionalLong.of(historyBudgetBytes);
  }

  /**
   * Checks that a backup file, to be written or restored from, lies inside {@link #backupRoot()}.
   * Both paths are made absolute, {@code ..} is resolved and existing directories are followed
   * through their symlinks, so neither {@code root/../x} nor a symlinked directory inside the root
   * leads out of it. Without a backup root every path passes.
   *
   * @param file the backup file
   * @return the file, absolute and resolved as checked
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the file is outside the root,
   *     naming both
   */
  public Path checkBackupPath(Path file) {
    Objects.requireNonNull(file, "file");
    if (backupRoot == null) {
      return file.toAbsolutePath().normalize();
    }
    return FileSecurity.requireInside(
        backupRoot,
        file,
        "backup file",
        "the backup root (SwarmDbConfig.Builder.backupRoot; in the CLI --backup-root or $"
            + BACKUP_ROOT_ENV
            + ")");
  }

  /** The environment variable the CLI reads the backup root from. */
  public static final String BACKUP_ROOT_ENV = "MOAI_BACKUP_ROOT";

  private static long millis(String name, Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      throw invalid(name + " " + d + " overflows milliseconds; use a value in range");
    }
  }

  /** How every PostgreSQL JDBC URL starts. */
  public static final String POSTGRES_URL_PREFIX = "jdbc:postgresql:";

  /**
   * Starts a configuration for a database on a PostgreSQL server, for swarms that span hosts.
   * SwarmDB creates a HikariCP pool of {@code readPoolSize + 2} connections (reads and writes) and
   * applies its schema to the URL's current schema (pick one with {@code ?currentSchema=NAME}).
   * Needs the {@code org.postgresql:postgresql} driver on the class path.
   *
   * @param jdbcUrl for example {@code jdbc:postgresql://db:5432/swarm?user=swarm&password=...}
   * @return a builder with the defaults
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the URL is not a PostgreSQL
   *     JDBC URL
   */
  public static Builder postgres(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    return new Builder(() -> new PostgresUrl(jdbcUrl));
  }

  /**
   * Starts a configuration for a PostgreSQL database reached through the caller's pool. SwarmDB
   * borrows connections from it and never closes it; the pool's own settings (size, timeouts,
   * schema) apply.
   *
   * @param dataSource a {@link DataSource} whose connections go to PostgreSQL
   * @return a builder with the defaults
   */
  public static Builder dataSource(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new Builder(() -> new PostgresDataSource(dataSource));
  }

  /** {@return whether this configuration describes a PostgreSQL database (URL or DataSource)} */
  public boolean isPostgres() {
    return target instanceof PostgresUrl || target instanceof PostgresDataSource;
  }

  /**
   * A JDBC URL with the value of any {@code password} parameter replaced by {@code ***}, for logs
   * and messages.
   *
   * @param url a JDBC URL
   * @return the URL without its password
   */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@");
  }

  /**
   * Starts a configuration for a database file.
   *
   * @param path the database file; missing directories are created 0700, the file 0600
   * @return a builder with the defaults
   */
  public static Builder builder(Path path) {
    Objects.requireNonNull(path, "path");
    return new Builder(() -> new SqliteFile(path));
  }

  /**
   * Starts a configuration for a private in-memory database (for tests): nothing is written to disk
   * and the data is gone on close. File operations (backup, size) report zero or refuse.
   *
   * @return a builder with the defaults
   */
  public static Builder inMemory() {
    return new Builder(InMemory::new);
  }

  /**
   * {@return the database path from {@code $MOAI_DB_PATH}, else {@value #DEFAULT_PATH}, relative to
   * the working directory}
   */
  public static Path defaultPath() {
    return defaultPath(System.getenv(DB_PATH_ENV));
  }

  static Path defaultPath(@Nullable String env) {
    return Path.of(env == null || env.isBlank() ? DEFAULT_PATH : env);
  }

  /** {@return whether this configuration describes a private in-memory database} */
  public boolean isInMemory() {
    return target instanceof InMemory;
  }

  private static void requireRange(String name, long value, long min, long max, String unit) {
    if (value < min || value > max) {
      throw invalid(
          String.format(
              Locale.ROOT,
              "%s is %d %s; it must be between %d and %d %s",
              name,
              value,
              unit,
              min,
              max,
              unit));
    }
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "invalid configuration: " + message);
  }

  /** Builds a {@link SwarmDbConfig}. Not thread safe: use from one thread, then discard. */
  public static final class Builder {
    private final Supplier<Target> target;
    private Synchronous synchronous = Synchronous.NORMAL;
    private Duration busyTimeout = Duration.ofSeconds(5);
    private int cacheSizePages = 10_000;
    private long journalSizeLimitBytes = 64L * 1024 * 1024;
    private long walCheckpointThresholdBytes = 128L * 1024 * 1024;
    private long mmapSizeBytes = 0;
    private int readPoolSize = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private int maxBatchSize = 1_000;
    private Duration maxBatchWait = Duration.ZERO;
    private int writeQueueCapacity = 10_000;
    private Duration writeTimeout = Duration.ofSeconds(30);
    private boolean migrate = true;
    private boolean backupBeforeMigrate = true;
    private boolean quickCheckOnOpen = false;
    private Clock clock = Clock.systemUTC();
    private @Nullable Path backupRoot;
    private long minFreeSpaceBytes = DEFAULT_MIN_FREE_SPACE_BYTES;
    private @Nullable Long historyBudgetBytes;
    private long vectorIndexBytes = DEFAULT_VECTOR_INDEX_BYTES;
    private @Nullable Embedder embedder;
    private @Nullable Boolean indexEvents;
    private @Nullable Consumer<JsonMapper.Builder> jsonMapper;

    private Builder(Supplier<Target> target) {
      this.target = target;
    }

    /**
     * Sets {@code PRAGMA synchronous} (default {@link Synchronous#NORMAL}).
     *
     * @param value the level
     * @return this builder
     */
    public Builder synchronous(Synchronous value) {
      this.synchronous = Objects.requireNonNull(value, "synchronous");
      return this;
    }

    /**
     * Sets how long a connection waits for another process's lock (default 5 s).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder busyTimeout(Duration value) {
      this.busyTimeout = Objects.requireNonNull(value, "busyTimeout");
      return this;
    }

    /**
     * Sets {@code PRAGMA cache_size} in pages for every connection (default 10,000).
     *
     * @param value pages
     * @return this builder
     */
    public Builder cacheSizePages(int value) {
      this.cacheSizePages = value;
      return this;
    }

    /**
     * Sets {@code PRAGMA journal_size_limit} (default 64 MiB).
     *
     * @param value bytes
     * @return this builder
     */
    public Builder journalSizeLimitBytes(long value) {
      this.journalSizeLimitBytes = value;
      return this;
    }

    /**
     * Sets the WAL size past which the writer truncates the WAL (default 128 MiB).
     *
     * @param value bytes
     * @return this builder
     */
    public Builder walCheckpointThresholdBytes(long value) {
      this.walCheckpointThresholdBytes = value;
      return this;
    }

    /**
     * Sets {@code PRAGMA mmap_size} (default 0, off).
     *
     * @param value bytes
     * @return this builder
     */
    public Builder mmapSizeBytes(long value) {
      this.mmapSizeBytes = value;
      return this;
    }

    /**
     * Sets the number of read-only connections (default: processors, between 2 and 4).
     *
     * @param value connections
     * @return this builder
     */
    public Builder readPoolSize(int value) {
      this.readPoolSize = value;
      return this;
    }

    /**
     * Sets the most writes committed in one transaction (default 1,000).
     *
     * @param value writes
     * @return this builder
     */
    public Builder maxBatchSize(int value) {
      this.maxBatchSize = value;
      return this;
    }

    /**
     * Sets how long the writer waits for more writes to join a batch (default zero).
     *
     * @param value the wait, at most one second
     * @return this builder
     */
    public Builder maxBatchWait(Duration value) {
      this.maxBatchWait = Objects.requireNonNull(value, "maxBatchWait");
      return this;
    }

    /**
     * Sets how many writes may queue for the writer before callers block (default 10,000).
     *
     * @param value writes
     * @return this builder
     */
    public Builder writeQueueCapacity(int value) {
      this.writeQueueCapacity = value;
      return this;
    }

    /**
     * Sets how long a caller waits for room in a full write queue (default 30 s).
     *
     * @param value the timeout
     * @return this builder
     */
    public Builder writeTimeout(Duration value) {
      this.writeTimeout = Objects.requireNonNull(value, "writeTimeout");
      return this;
    }

    /**
     * Sets whether open applies pending migrations (default true). When false, the database is
     * still validated on open, but until {@code migrator().migrate()} runs every DAO call on a
     * database that needs migrations fails with {@link ErrorCode#SCHEMA_OUTDATED}.
     *
     * @param value whether to migrate
     * @return this builder
     */
    public Builder migrate(boolean value) {
      this.migrate = value;
      return this;
    }

    /**
     * Sets whether a file database is backed up before migrations are applied (default true).
     *
     * @param value whether to back up
     * @return this builder
     */
    public Builder backupBeforeMigrate(boolean value) {
      this.backupBeforeMigrate = value;
      return this;
    }

    /**
     * Sets whether open runs {@code PRAGMA quick_check} (default false).
     *
     * @param value whether to check
     * @return this builder
     */
    public Builder quickCheckOnOpen(boolean value) {
      this.quickCheckOnOpen = value;
      return this;
    }

    /**
     * Sets the clock for timestamps and TTLs (default UTC system clock).
     *
     * @param value the clock
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Restricts backups to one directory (default: none, any path). {@link Maintenance#backupTo}
     * then refuses a target outside it with {@link ErrorCode#INVALID_ARGUMENT} before anything is
     * written, and the CLI's {@code restore} refuses a backup outside it. Backups taken before a
     * migration go beside the database file and are not affected.
     *
     * @param dir the directory; it need not exist yet
     * @return this builder
     */
    public Builder backupRoot(Path dir) {
      this.backupRoot = Objects.requireNonNull(dir, "backupRoot");
      return this;
    }

    /**
     * Sets the usable space on the database file's filesystem below which {@code
     * inspect().health()} (and so the CLI's {@code health} and the ops endpoint's {@code /health})
     * reports unhealthy, naming both figures (default {@value #DEFAULT_MIN_FREE_SPACE_BYTES} bytes,
     * 64 MiB). SQLite needs room for the WAL and for checkpoints; with less, appends soon fail with
     * {@link ErrorCode#DISK_FULL}. 0 turns the check off. Not used in memory or on PostgreSQL.
     *
     * @param value bytes, 0 or more
     * @return this builder
     */
    public Builder minFreeSpaceBytes(long value) {
      this.minFreeSpaceBytes = value;
      return this;
    }

    /**
     * Bounds the flight recorder's history (default: none, unbounded). The history's bytes are
     * counted by the formula of {@link io.moaiflow.swarmdb.health.HistoryInfo} (a fixed overhead
     * per row plus its keys, value and metadata as stored), reported by {@code
     * inspect().history()}, {@code info} and the {@code moai_flow_history_*} gauges. Nothing prunes
     * on the write path: {@link Maintenance#pruneHistoryToBudget()} does, and the ops server's
     * retention runs and {@code swarmdb cleanup --history-budget} call it; between runs the history
     * may grow past the budget (docs/history.md, "The history budget").
     *
     * @param value bytes, 1 or more
     * @return this builder
     */
    public Builder historyBudgetBytes(long value) {
      this.historyBudgetBytes = value;
      return this;
    }

    /**
     * Bounds the in-memory vector index (default {@value #DEFAULT_VECTOR_INDEX_BYTES}, 128 MiB; 0
     * for none). A vector search over more than 5,000 candidate entries scans an in-memory copy of
     * the entries' int8 vectors, built from the tables at the first such search and then kept in
     * step with every process's writes through the memory history, instead of reading every row
     * (docs/recall.md, "The vector index"). It counts {@code dimension + 24} bytes per slot plus
     * {@code 2 × key length + 120} per entry, about 530 bytes per 384-dimension entry. A database
     * whose vectors need more switches the index off until it is opened again, with a WARN;
     * searches then read the rows, as with 0.
     *
     * @param value bytes, 0 or more
     * @return this builder
     */
    public Builder vectorIndexBytes(long value) {
      this.vectorIndexBytes = value;
      return this;
    }

    /**
     * Sets the embedder for semantic recall (default: none). With one, every memory write first
     * embeds the entry's text (its key and the strings in its value) outside the transaction and
     * stores the vector with the entry; {@code recall} embeds the query the same way. Without one,
     * entries have no vector and recall is full-text only. A database keeps vectors of one model:
     * writing with another {@link Embedder#modelId()} or dimension is refused with {@link
     * ErrorCode#INVALID_ARGUMENT}.
     *
     * @param value the embedder, thread safe
     * @return this builder
     */
    public Builder embedder(Embedder value) {
      this.embedder = Objects.requireNonNull(value, "embedder");
      return this;
    }

    /**
     * Switches the full-text index of events on or off for the database (default: keep what the
     * database records; a new database records on). The choice is recorded in the database, so
     * every process agrees: switching off empties the event index and makes appends cheaper;
     * switching on indexes every stored event again, in one transaction. Memory is always indexed.
     *
     * @param value whether events are indexed
     * @return this builder
     */
    public Builder indexEvents(boolean value) {
      this.indexEvents = value;
      return this;
    }

    /**
     * Customises the Jackson mapper the database uses for the application's values: metadata of
     * events, agents and sessions, memory values, and every typed read (default: the library's
     * mapper). Each database builds its own mapper: the library's defaults first, then {@code
     * customisation} (register modules, serializers, naming strategies, features), then again what
     * the library depends on, which a customisation cannot change: the limits of {@link
     * JsonLimits}, strict reads of one JSON value, finite numbers and compact text. The shared
     * mapper is never changed, and neither is any other database's.
     *
     * <p>The library's defaults register {@code jackson-datatype-jsr310} and {@code
     * jackson-datatype-jdk8}: {@code Instant}, {@code OffsetDateTime}, {@code LocalDate} and the
     * other {@code java.time} types are written as ISO-8601 text ({@code "2026-05-01T08:00:00Z"},
     * never numeric timestamps), {@code Duration} as ISO-8601 text ({@code "PT1H30M"}); an offset
     * read back is kept, not adjusted to UTC; {@code Optional} and {@code OptionalInt} and friends
     * are written as their value or null. Unknown properties are ignored when reading. Metadata
     * reads back as plain JSON values (a date as its text), memory values as the type asked for.
     *
     * @param customisation changes to the library's builder, run once for each database opened with
     *     this configuration (and once by {@link #build()} to check it); it must not call {@code
     *     build()}
     * @return this builder
     * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} from {@link #build()} when the
     *     customisation throws
     */
    public Builder jsonMapper(Consumer<JsonMapper.Builder> customisation) {
      this.jsonMapper = Objects.requireNonNull(customisation, "customisation");
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws SwarmDbException with {@link ErrorCode#INVALID_ARGUMENT} naming the bad value
     */
    public SwarmDbConfig build() {
      return new SwarmDbConfig(this);
    }
  }
}
