package io.moaiflow.swarmdb.spring;

import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.Synchronous;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code swarmdb.*} properties from which {@link SwarmDbAutoConfiguration} builds the
 * application's {@link io.moaiflow.swarmdb.SwarmDB}. Each one maps onto the {@link
 * SwarmDbConfig.Builder} method of the same name, which documents it, its default and its limits; a
 * property left unset keeps the builder's default. Values are checked by {@link
 * SwarmDbConfig.Builder#build()}: an out-of-range value fails the application's startup with
 * SwarmDB's {@code INVALID_ARGUMENT} message.
 *
 * <p>Spring binds this JavaBean once at startup; it is not thread safe and is not meant to be
 * changed afterwards.
 */
@ConfigurationProperties(prefix = "swarmdb")
public class SwarmDbProperties {

  /** Which database SwarmDB uses. */
  public enum Backend {
    /** A SQLite file at {@code swarmdb.path}. */
    SQLITE,
    /**
     * A PostgreSQL database at {@code swarmdb.postgresql.url}, or the application's {@code
     * DataSource} with {@code swarmdb.use-application-datasource=true}.
     */
    POSTGRESQL
  }

  /** Which database SwarmDB uses: sqlite (the default) or postgresql. */
  private Backend backend = Backend.SQLITE;

  /**
   * The SQLite database file (backend sqlite). Default: $MOAI_DB_PATH, else .moai/memory/swarm.db
   * relative to the working directory.
   */
  private @Nullable String path;

  /** PRAGMA synchronous of the SQLite connections: normal (the default) or full. */
  private @Nullable Synchronous synchronous;

  /** How long a SQLite connection waits for another process's lock. Default 5s. */
  private @Nullable Duration busyTimeout;

  /** The number of read-only connections, 1 to 64. Default: processors, between 2 and 4. */
  private @Nullable Integer readPoolSize;

  /** The most writes committed in one transaction, 1 to 100000. Default 1000. */
  private @Nullable Integer maxBatchSize;

  /** How long the writer waits for more writes to join a batch, at most 1s. Default 0. */
  private @Nullable Duration maxBatchWait;

  /** How many writes may queue for the writer before callers block. Default 10000. */
  private @Nullable Integer writeQueueCapacity;

  /** How long a caller waits for room in a full write queue. Default 30s. */
  private @Nullable Duration writeTimeout;

  /**
   * Whether opening the database applies pending migrations. Default true; with false, a database
   * that needs migrations refuses every call with SCHEMA_OUTDATED until it is migrated.
   */
  private @Nullable Boolean migrate;

  /**
   * The usable space on the SQLite file's filesystem below which health reports DOWN, in bytes; 0
   * turns the check off. Default 67108864 (64 MiB).
   */
  private @Nullable Long minFreeSpaceBytes;

  /**
   * The flight recorder's history size budget in bytes (1 or more), reported by the metrics and the
   * endpoint and pruned to by Maintenance.pruneHistoryToBudget (docs/history.md). Default none.
   */
  private @Nullable Long historyBudgetBytes;

  /**
   * The most bytes the in-memory vector index may hold (0 for none), for semantic searches over
   * more than 5,000 entries (docs/recall.md, "The vector index"). Default 128 MiB.
   */
  private @Nullable Long vectorIndexBytes;

  /**
   * Open the SQLite file read-only: nothing is created, migrated or written, and every write fails
   * with READ_ONLY. Needs migrate=false and an existing file. Default false.
   */
  private boolean readOnly;

  /**
   * Use the application's DataSource bean for the PostgreSQL backend (backend postgresql) instead
   * of swarmdb.postgresql.url. SwarmDB borrows its connections and never closes it. Default false.
   */
  private boolean useApplicationDatasource;

  /** The PostgreSQL backend's connection, when it is not the application's DataSource. */
  private final Postgresql postgresql = new Postgresql();

  /** Creates the properties with every value unset. */
  public SwarmDbProperties() {}

  /** The {@code swarmdb.postgresql.*} properties. Not thread safe, like its parent. */
  public static class Postgresql {
    /** The JDBC URL, jdbc:postgresql://HOST:5432/DATABASE (backend postgresql). */
    private @Nullable String url;

    /** The user, added to the URL as its user parameter. */
    private @Nullable String username;

    /** The password, added to the URL as its password parameter; never logged. */
    private @Nullable String password;

    /** Creates the properties with every value unset. */
    public Postgresql() {}

    /** {@return the JDBC URL, or null when unset} */
    public @Nullable String getUrl() {
      return url;
    }

    /**
     * Sets the JDBC URL.
     *
     * @param url {@code jdbc:postgresql://HOST:5432/DATABASE}
     */
    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    /** {@return the user, or null when unset} */
    public @Nullable String getUsername() {
      return username;
    }

    /**
     * Sets the user.
     *
     * @param username the user
     */
    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    /** {@return the password, or null when unset} */
    public @Nullable String getPassword() {
      return password;
    }

    /**
     * Sets the password.
     *
     * @param password the password
     */
    public void setPassword(@Nullable String password) {
      this.password = password;
    }
  }

  /** {@return the backend} */
  public Backend getBackend() {
    return backend;
  }

  /**
   * Sets the backend.
   *
   * @param backend sqlite or postgresql
   */
  public void setBackend(Backend backend) {
    this.backend = backend;
  }

  /** {@return the SQLite file, or null for the default} */
  public @Nullable String getPath() {
    return path;
  }

  /**
   * Sets the SQLite file.
   *
   * @param path the file
   */
  public void setPath(@Nullable String path) {
    this.path = path;
  }

  /** {@return the synchronous level, or null for the default} */
  public @Nullable Synchronous getSynchronous() {
    return synchronous;
  }

  /**
   * Sets the synchronous level.
   *
   * @param synchronous the level
   */
  public void setSynchronous(@Nullable Synchronous synchronous) {
    this.synchronous = synchronous;
  }

  /** {@return the busy timeout, or null for the default} */
  public @Nullable Duration getBusyTimeout() {
    return busyTimeout;
  }

  /**
   * Sets the busy timeout.
   *
   * @param busyTimeout the timeout
   */
  public void setBusyTimeout(@Nullable Duration busyTimeout) {
    this.busyTimeout = busyTimeout;
  }

  /** {@return the read pool size, or null for the default} */
  public @Nullable Integer getReadPoolSize() {
    return readPoolSize;
  }

  /**
   * Sets the read pool size.
   *
   * @param readPoolSize connections
   */
  public void setReadPoolSize(@Nullable Integer readPoolSize) {
    this.readPoolSize = readPoolSize;
  }

  /** {@return the most writes in one transaction, or null for the default} */
  public @Nullable Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  /**
   * Sets the most writes in one transaction.
   *
   * @param maxBatchSize writes
   */
  public void setMaxBatchSize(@Nullable Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  /** {@return the batch wait, or null for the default} */
  public @Nullable Duration getMaxBatchWait() {
    return maxBatchWait;
  }

  /**
   * Sets the batch wait.
   *
   * @param maxBatchWait the wait
   */
  public void setMaxBatchWait(@Nullable Duration maxBatchWait) {
    this.maxBatchWait = maxBatchWait;
  }

  /** {@return the write queue capacity, or null for the default} */
  public @Nullable Integer getWriteQueueCapacity() {
    return writeQueueCapacity;
  }

  /**
   * Sets the write queue capacity.
   *
   * @param writeQueueCapacity writes
   */
  public void setWriteQueueCapacity(@Nullable Integer writeQueueCapacity) {
    this.writeQueueCapacity = writeQueueCapacity;
  }

  /** {@return the write timeout, or null for the default} */
  public @Nullable Duration getWriteTimeout() {
    return writeTimeout;
  }

  /**
   * Sets the write timeout.
   *
   * @param writeTimeout the timeout
   */
  public void setWriteTimeout(@Nullable Duration writeTimeout) {
    this.writeTimeout = writeTimeout;
  }

  /** {@return whether to migrate on open, or null for the default} */
  public @Nullable Boolean getMigrate() {
    return migrate;
  }

  /**
   * Sets whether to migrate on open.
   *
   * @param migrate whether to migrate
   */
  public void setMigrate(@Nullable Boolean migrate) {
    this.migrate = migrate;
  }

  /** {@return the minimum usable bytes, or null for the default} */
  public @Nullable Long getMinFreeSpaceBytes() {
    return minFreeSpaceBytes;
  }

  /**
   * Sets the minimum usable bytes.
   *
   * @param minFreeSpaceBytes bytes, 0 or more
   */
  public void setMinFreeSpaceBytes(@Nullable Long minFreeSpaceBytes) {
    this.minFreeSpaceBytes = minFreeSpaceBytes;
  }

  /** {@return the history budget in bytes, or null for none} */
  public @Nullable Long getHistoryBudgetBytes() {
    return historyBudgetBytes;
  }

  /**
   * Sets the history budget.
   *
   * @param historyBudgetBytes bytes, 1 or more
   */
  public void setHistoryBudgetBytes(@Nullable Long historyBudgetBytes) {
    this.historyBudgetBytes = historyBudgetBytes;
  }

  /** {@return the vector index's budget in bytes, or null for the builder's default} */
  public @Nullable Long getVectorIndexBytes() {
    return vectorIndexBytes;
  }

  /**
   * Sets the vector index's budget.
   *
   * @param vectorIndexBytes bytes, 0 or more
   */
  public void setVectorIndexBytes(@Nullable Long vectorIndexBytes) {
    this.vectorIndexBytes = vectorIndexBytes;
  }

  /** {@return whether the SQLite file is opened read-only} */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Sets whether the SQLite file is opened read-only.
   *
   * @param readOnly whether to open read-only
   */
  public void setReadOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  /** {@return whether the application's DataSource is used for PostgreSQL} */
  public boolean isUseApplicationDatasource() {
    return useApplicationDatasource;
  }

  /**
   * Sets whether the application's DataSource is used for PostgreSQL.
   *
   * @param useApplicationDatasource whether to use it
   */
  public void setUseApplicationDatasource(boolean useApplicationDatasource) {
    this.useApplicationDatasource = useApplicationDatasource;
  }

  /** {@return the {@code swarmdb.postgresql.*} properties} */
  public Postgresql getPostgresql() {
    return postgresql;
  }
}
