package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.FileSecurity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How to open a {@link SwarmDB}: the file, durability, timeouts, pool and group-commit sizes. Built
 * with {@link #builder(Path)} or {@link #inMemory()}, validated in {@link Builder#build()}.
 *
 * <p>This record is immutable and thread safe.
 *
 * @param path the database file, or null for an in-memory database
 * @param synchronous {@code PRAGMA synchronous}
 * @param busyTimeout how long a connection waits for another process's lock
 * @param cacheSizePages {@code PRAGMA cache_size} in pages, per connection
 * @param journalSizeLimitBytes {@code PRAGMA journal_size_limit}: the WAL is truncated to this
 *     after a checkpoint
 * @param walCheckpointThresholdBytes when the WAL file grows past this, the writer runs a {@code
 *     wal_checkpoint(TRUNCATE)} after its next commit
 * @param mmapSizeBytes {@code PRAGMA mmap_size}; 0 disables memory-mapped I/O
 * @param readPoolSize number of read-only connections
 * @param maxBatchSize most writes the writer commits in one transaction (group commit)
 * @param maxBatchWait how long the writer waits for more writes to join a batch; zero commits what
 *     is queued at once
 * @param writeQueueCapacity writes that may wait for the writer before callers block
 * @param writeTimeout how long a caller waits for room in a full write queue before {@link
 *     ErrorCode#TIMEOUT}
 * @param migrate whether {@link SwarmDB#open} applies pending migrations
 * @param backupBeforeMigrate whether a file database is backed up before a migration is applied
 * @param quickCheckOnOpen whether {@link SwarmDB#open} runs {@code PRAGMA quick_check}
 * @param clock the clock for timestamps and TTLs
 * @param jdbcUrl a PostgreSQL JDBC URL ({@code jdbc:postgresql://...}) when the database is on
 *     PostgreSQL (see {@link #postgres(String)}), else null
 * @param dataSource a caller's PostgreSQL {@link DataSource} (see {@link #dataSource(DataSource)}),
 *     else null
 * @param backupRoot when set, the only directory that backups may be written into ({@link
 *     Maintenance#backupTo}) or restored from (see {@link #checkBackupPath(Path)}); null allows any
 *     path
 * @param minFreeSpaceBytes {@code inspect().health()} is unhealthy while the usable space on the
 *     database file's filesystem is below this (default {@value #DEFAULT_MIN_FREE_SPACE_BYTES}
 *     bytes, 64 MiB; 0 turns the check off; not used in memory or on PostgreSQL)
 */
public record SwarmDbConfig(
    @Nullable Path path,
    Synchronous synchronous,
    Duration busyTimeout,
    int cacheSizePages,
    long journalSizeLimitBytes,
    long walCheckpointThresholdBytes,
    long mmapSizeBytes,
    int readPoolSize,
    int maxBatchSize,
    Duration maxBatchWait,
    int writeQueueCapacity,
    Duration writeTimeout,
    boolean migrate,
    boolean backupBeforeMigrate,
    boolean quickCheckOnOpen,
    Clock clock,
    @Nullable String jdbcUrl,
    @Nullable DataSource dataSource,
    @Nullable Path backupRoot,
    long minFreeSpaceBytes) {

  /** The default of {@link #minFreeSpaceBytes()}: 64 MiB. */
  public static final long DEFAULT_MIN_FREE_SPACE_BYTES = 64L * 1024 * 1024;

  /** The path used when neither a path nor {@code $MOAI_DB_PATH} is given. */
  public static final String DEFAULT_PATH = ".moai/memory/swarm.db";

  /** The environment variable that names the database file. */
  public static final String DB_PATH_ENV = "MOAI_DB_PATH";

  /**
   * Validates the components; see {@link Builder#build()}.
   *
   * @param path the database file, or null for an in-memory database
   * @param synchronous {@code PRAGMA synchronous}
   * @param busyTimeout how long a connection waits for another process's lock
   * @param cacheSizePages {@code PRAGMA cache_size} in pages, per connection
   * @param journalSizeLimitBytes {@code PRAGMA journal_size_limit}: the WAL is truncated to this
   *     after a checkpoint
   * @param walCheckpointThresholdBytes when the WAL file grows past this, the writer runs a {@code
   *     wal_checkpoint(TRUNCATE)} after its next commit
   * @param mmapSizeBytes {@code PRAGMA mmap_size}; 0 disables memory-mapped I/O
   * @param readPoolSize number of read-only connections
   * @param maxBatchSize most writes the writer commits in one transaction (group commit)
   * @param maxBatchWait how long the writer waits for more writes to join a batch; zero commits
   *     what is queued at once
   * @param writeQueueCapacity writes that may wait for the writer before callers block
   * @param writeTimeout how long a caller waits for room in a full write queue before {@link
   *     ErrorCode#TIMEOUT}
   * @param migrate whether {@link SwarmDB#open} applies pending migrations
   * @param backupBeforeMigrate whether a file database is backed up before a migration is applied
   * @param quickCheckOnOpen whether {@link SwarmDB#open} runs {@code PRAGMA quick_check}
   * @param clock the clock for timestamps and TTLs
   * @param jdbcUrl a PostgreSQL JDBC URL, or null
   * @param dataSource a caller's PostgreSQL DataSource, or null
   * @param backupRoot the directory backups must stay inside, or null for anywhere
   * @param minFreeSpaceBytes the usable bytes below which health is unhealthy; 0 for no check
   */
  public SwarmDbConfig {
    Objects.requireNonNull(synchronous, "synchronous");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(maxBatchWait, "maxBatchWait");
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    Objects.requireNonNull(clock, "clock");
    if (path != null && path.toString().startsWith("file:")) {
      throw invalid(
          "path '" + path + "' is a URI; pass a filesystem path such as .moai/memory/swarm.db");
    }
    if (backupRoot != null
        && (backupRoot.toString().startsWith("file:") || backupRoot.toString().isBlank())) {
      throw invalid("backupRoot '" + backupRoot + "' is not a directory path; pass a directory");
    }
    if (path != null && path.toString().isBlank()) {
      throw invalid("path is blank; pass a file path or use SwarmDbConfig.inMemory()");
    }
    requireRange("busyTimeout", millis("busyTimeout", busyTimeout), 0, Integer.MAX_VALUE, "ms");
    requireRange("cacheSizePages", cacheSizePages, 1, 1_000_000_000, "pages");
    requireRange("journalSizeLimitBytes", journalSizeLimitBytes, 0, Long.MAX_VALUE, "bytes");
    requireRange(
        "walCheckpointThresholdBytes", walCheckpointThresholdBytes, 4096, Long.MAX_VALUE, "bytes");
    requireRange("mmapSizeBytes", mmapSizeBytes, 0, Long.MAX_VALUE, "bytes");
    requireRange("readPoolSize", readPoolSize, 1, 64, "connections");
    requireRange("maxBatchSize", maxBatchSize, 1, 100_000, "writes");
    requireRange("maxBatchWait", millis("maxBatchWait", maxBatchWait), 0, 1_000, "ms");
    requireRange("writeQueueCapacity", writeQueueCapacity, 1, 10_000_000, "writes");
    requireRange("writeTimeout", millis("writeTimeout", writeTimeout), 1, Integer.MAX_VALUE, "ms");
    requireRange("minFreeSpaceBytes", minFreeSpaceBytes, 0, Long.MAX_VALUE, "bytes");
    int backends =
        (path != null ? 1 : 0) + (jdbcUrl != null ? 1 : 0) + (dataSource != null ? 1 : 0);
    if (backends > 1) {
      throw invalid(
          "more than one of path, jdbcUrl and dataSource is set; choose a SQLite file or a"
              + " PostgreSQL URL or a DataSource");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith(POSTGRES_URL_PREFIX)) {
      throw invalid(
          "jdbcUrl '"
              + redact(jdbcUrl)
              + "' is not a PostgreSQL JDBC URL; pass jdbc:postgresql://HOST:5432/DATABASE, or"
              + " use SwarmDbConfig.builder(Path) for a SQLite file");
    }
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
    Builder b = new Builder(null);
    b.jdbcUrl = jdbcUrl;
    return b;
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
    Builder b = new Builder(null);
    b.dataSource = dataSource;
    return b;
  }

  /**
   * Whether this configuration describes a PostgreSQL database (by URL or DataSource).
   *
   * @return true for PostgreSQL
   */
  public boolean isPostgres() {
    return jdbcUrl != null || dataSource != null;
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

  @Override
  public String toString() {
    return "SwarmDbConfig[path="
        + path
        + ", jdbcUrl="
        + (jdbcUrl == null ? null : redact(jdbcUrl))
        + ", dataSource="
        + (dataSource == null ? null : dataSource.getClass().getName())
        + ", synchronous="
        + synchronous
        + ", busyTimeout="
        + busyTimeout
        + ", readPoolSize="
        + readPoolSize
        + ", maxBatchSize="
        + maxBatchSize
        + ", migrate="
        + migrate
        + ", backupRoot="
        + backupRoot
        + ", minFreeSpaceBytes="
        + minFreeSpaceBytes
        + "]";
  }

  /**
   * Starts a configuration for a database file.
   *
   * @param path the database file; missing directories are created 0700, the file 0600
   * @return a builder with the defaults
   */
  public static Builder builder(Path path) {
    return new Builder(Objects.requireNonNull(path, "path"));
  }

  /**
   * Starts a configuration for a private in-memory database (for tests): nothing is written to disk
   * and the data is gone on close. File operations (backup, size) report zero or refuse.
   *
   * @return a builder with the defaults
   */
  public static Builder inMemory() {
    return new Builder(null);
  }

  /**
   * The database path from {@code $MOAI_DB_PATH}, else {@value #DEFAULT_PATH}, relative to the
   * working directory.
   *
   * @return the default path
   */
  public static Path defaultPath() {
    return defaultPath(System.getenv(DB_PATH_ENV));
  }

  static Path defaultPath(@Nullable String env) {
    return Path.of(env == null || env.isBlank() ? DEFAULT_PATH : env);
  }

  /**
   * Whether this configuration describes an in-memory database.
   *
   * @return true when there is no file
   */
  public boolean isInMemory() {
    return path == null && !isPostgres();
  }

  /**
   * The database file, if any.
   *
   * @return the file, or empty for an in-memory database
   */
  public Optional<Path> file() {
    return Optional.ofNullable(path);
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
    private final @Nullable Path path;
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
    private @Nullable String jdbcUrl;
    private @Nullable DataSource dataSource;
    private @Nullable Path backupRoot;
    private long minFreeSpaceBytes = DEFAULT_MIN_FREE_SPACE_BYTES;

    private Builder(@Nullable Path path) {
      this.path = path;
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
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws SwarmDbException with {@link ErrorCode#INVALID_ARGUMENT} naming the bad value
     */
    public SwarmDbConfig build() {
      return new SwarmDbConfig(
          path,
          synchronous,
          busyTimeout,
          cacheSizePages,
          journalSizeLimitBytes,
          walCheckpointThresholdBytes,
          mmapSizeBytes,
          readPoolSize,
          maxBatchSize,
          maxBatchWait,
          writeQueueCapacity,
          writeTimeout,
          migrate,
          backupBeforeMigrate,
          quickCheckOnOpen,
          clock,
          jdbcUrl,
          dataSource,
          backupRoot,
          minFreeSpaceBytes);
    }
  }
}
