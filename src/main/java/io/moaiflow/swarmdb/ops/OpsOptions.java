package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link OpsServer} listens, protects itself and what it schedules. Build one with {@link
 * #builder()}; every value is validated when the record is created.
 *
 * <p>This record is immutable and thread safe. {@link #toString()} hides the token and the keystore
 * password.
 *
 * @param bindAddress the address both listeners bind to (default {@code 127.0.0.1})
 * @param port the port of {@code /health}, {@code /live} and {@code /ready} (default 8000; 0 picks
 *     a free port)
 * @param metricsPort the port of {@code /metrics} (default 9090); equal to {@code port}, one
 *     listener serves all four paths
 * @param metricsToken when set, {@code /metrics} requires {@code Authorization: Bearer <token>}
 * @param tlsKeystore when set, both listeners speak HTTPS (TLSv1.2 and TLSv1.3 only) with the key
 *     in this PKCS12 file
 * @param tlsKeystorePassword the keystore's password (and its key's); required with a keystore
 * @param requestTimeout longest time a client may take to send a request's headers, and the longest
 *     time from then until the response is written (whole seconds, 1 s to 1 h; default 10 s)
 * @param maxBodyBytes largest request body read (default 4096); a larger declared body gets 413
 * @param workerThreads threads that handle requests (default 4)
 * @param queueCapacity requests that may wait for a worker (default 1024); beyond it, connections
 *     are closed
 * @param maxConnections most open connections per JVM (default 1024)
 * @param healthCacheTtl how long a health check's result is reused (default 1 s; 0 checks on every
 *     request)
 * @param deleteEventsOlderThan retention: delete events older than this on every retention run
 * @param purgeExpiredMemory retention: purge session memory whose TTL passed on every run
 * @param sweepStaleAgentsAfter retention: mark agents silent for longer than this as stale errors
 * @param retentionInterval time between retention runs (default 1 h); the first runs at start
 * @param backupDir when set, a verified backup is written into this directory every interval
 * @param backupInterval time between backups (default 24 h), counted from the newest backup there
 * @param backupKeep backups in {@code backupDir} older than this are deleted (default 7 days)
 * @param jvmMetrics whether {@code /metrics} also carries JVM and process meters (default true)
 */
public record OpsOptions(
    String bindAddress,
    int port,
    int metricsPort,
    @Nullable String metricsToken,
    @Nullable Path tlsKeystore,
    @Nullable String tlsKeystorePassword,
    Duration requestTimeout,
    long maxBodyBytes,
    int workerThreads,
    int queueCapacity,
    int maxConnections,
    Duration healthCacheTtl,
    @Nullable Duration deleteEventsOlderThan,
    boolean purgeExpiredMemory,
    @Nullable Duration sweepStaleAgentsAfter,
    Duration retentionInterval,
    @Nullable Path backupDir,
    Duration backupInterval,
    Duration backupKeep,
    boolean jvmMetrics) {

  /** Default of {@link #bindAddress()}. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** Default of {@link #port()}; the environment variable {@code MOAI_HTTP_PORT} overrides it. */
  public static final int DEFAULT_PORT = 8000;

  /**
   * Default of {@link #metricsPort()}; the environment variable {@code MOAI_METRICS_PORT} overrides
   * it.
   */
  public static final int DEFAULT_METRICS_PORT = 9090;

  /** Shortest bearer token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** Validates every value. */
  public OpsOptions {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(healthCacheTtl, "healthCacheTtl");
    Objects.requireNonNull(retentionInterval, "retentionInterval");
    Objects.requireNonNull(backupInterval, "backupInterval");
    Objects.requireNonNull(backupKeep, "backupKeep");
    if (bindAddress.isBlank()) {
      throw invalid("bindAddress is blank; use an IP address or host name such as 127.0.0.1");
    }
    requirePort("port", port);
    requirePort("metricsPort", metricsPort);
    if (metricsToken != null) {
      if (metricsToken.length() < MIN_TOKEN_LENGTH) {
        throw invalid(
            "the metrics token has "
                + metricsToken.length()
                + " characters; use at least "
                + MIN_TOKEN_LENGTH
                + " (for example: openssl rand -hex 32)");
      }
      for (int i = 0; i < metricsToken.length(); i++) {
        char c = metricsToken.charAt(i);
        if (c <= ' ' || c >= 0x7f) {
          throw invalid(
              "the metrics token contains a space, control or non-ASCII character at index "
                  + i
                  + "; use printable ASCII only (for example: openssl rand -hex 32)");
        }
      }
    }
    if ((tlsKeystore == null) != (tlsKeystorePassword == null)) {
      throw invalid(
          "TLS needs both a PKCS12 keystore and its password; got "
              + (tlsKeystore == null
                  ? "a password without a keystore"
                  : "a keystore without a password"));
    }
    if (requestTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || requestTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw invalid(
          "requestTimeout is "
              + requestTimeout
              + "; use PT1S to PT1H (whole seconds, default PT10S)");
    }
    requireRange("maxBodyBytes", maxBodyBytes, 0, 1 << 20);
    requireRange("workerThreads", workerThreads, 1, 256);
    requireRange("queueCapacity", queueCapacity, 1, 100_000);
    requireRange("maxConnections", maxConnections, 1, 1_000_000);
    if (healthCacheTtl.isNegative() || healthCacheTtl.compareTo(Duration.ofMinutes(1)) > 0) {
      throw invalid("healthCacheTtl is " + healthCacheTtl + "; use PT0S to PT1M (default PT1S)");
    }
    requirePositive("deleteEventsOlderThan", deleteEventsOlderThan);
    requirePositive("sweepStaleAgentsAfter", sweepStaleAgentsAfter);
    requirePositive("retentionInterval", retentionInterval);
    requirePositive("backupInterval", backupInterval);
    requirePositive("backupKeep", backupKeep);
  }

  /**
   * A builder with every default.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The options with every default: 127.0.0.1, ports 8000 and 9090, no token, no TLS, no retention,
   * no backups.
   *
   * @return the options
   */
  public static OpsOptions defaults() {
    return builder().build();
  }

  /**
   * Whether {@code /metrics} shares the main listener.
   *
   * @return true when both ports are equal
   */
  public boolean sharedListener() {
    return port == metricsPort;
  }

  /**
   * Whether any retention task is configured.
   *
   * @return true when events, memory or stale agents are cleaned up
   */
  public boolean retentionEnabled() {
    return deleteEventsOlderThan != null || purgeExpiredMemory || sweepStaleAgentsAfter != null;
  }

  /**
   * Whether the server speaks HTTPS.
   *
   * @return true with a keystore
   */
  public boolean tls() {
    return tlsKeystore != null;
  }

  @Override
  public String toString() {
    return "OpsOptions[bind="
        + bindAddress
        + ", port="
        + port
        + ", metricsPort="
        + metricsPort
        + ", metricsToken="
        + (metricsToken == null ? "none" : "***")
        + ", tls="
        + (tlsKeystore == null ? "off" : tlsKeystore + " (password ***)")
        + ", requestTimeout="
        + requestTimeout
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", workerThreads="
        + workerThreads
        + ", queueCapacity="
        + queueCapacity
        + ", maxConnections="
        + maxConnections
        + ", healthCacheTtl="
        + healthCacheTtl
        + ", deleteEventsOlderThan="
        + deleteEventsOlderThan
        + ", purgeExpiredMemory="
        + purgeExpiredMemory
        + ", sweepStaleAgentsAfter="
        + sweepStaleAgentsAfter
        + ", retentionInterval="
        + retentionInterval
        + ", backupDir="
        + backupDir
        + ", backupInterval="
        + backupInterval
        + ", backupKeep="
        + backupKeep
        + ", jvmMetrics="
        + jvmMetrics
        + "]";
  }

  private static void requirePort(String name, int value) {
    if (value < 0 || value > 65_535) {
      throw invalid(name + " is " + value + "; use 0 to 65535 (0 picks a free port)");
    }
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(name + " is " + value + "; use " + min + " to " + max);
    }
  }

  private static void requirePositive(String name, @Nullable Duration value) {
    if (value != null && (value.isZero() || value.isNegative())) {
      throw invalid(name + " is " + value + "; use a positive duration such as PT1H");
    }
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /**
   * Builds {@link OpsOptions}; {@link #build()} validates. This class is not thread safe; use one
   * builder per thread.
   */
  public static final class Builder {
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int port = DEFAULT_PORT;
    private int metricsPort = DEFAULT_METRICS_PORT;
    private @Nullable String metricsToken;
    private @Nullable Path tlsKeystore;
    private @Nullable String tlsKeystorePassword;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private long maxBodyBytes = 4096;
    private int workerThreads = 4;
    private int queueCapacity = 1024;
    private int maxConnections = 1024;
    private Duration healthCacheTtl = Duration.ofSeconds(1);
    private @Nullable Duration deleteEventsOlderThan;
    private boolean purgeExpiredMemory;
    private @Nullable Duration sweepStaleAgentsAfter;
    private Duration retentionInterval = Duration.ofHours(1);
    private @Nullable Path backupDir;
    private Duration backupInterval = Duration.ofHours(24);
    private Duration backupKeep = Duration.ofDays(7);
    private boolean jvmMetrics = true;

    private Builder() {}

    /**
     * Takes the ports from {@code MOAI_HTTP_PORT} and {@code MOAI_METRICS_PORT} when they are set.
     *
     * @param env the environment, usually {@code System.getenv()}
     * @return this builder
     * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when a variable is not a number
     */
    public Builder environment(Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      String http = env.get("MOAI_HTTP_PORT");
      if (http != null && !http.isBlank()) {
        port = parsePort("MOAI_HTTP_PORT", http);
      }
      String metrics = env.get("MOAI_METRICS_PORT");
      if (metrics != null && !metrics.isBlank()) {
        metricsPort = parsePort("MOAI_METRICS_PORT", metrics);
      }
      return this;
    }

    private static int parsePort(String name, String value) {
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw invalid(name + " is '" + value + "', not a port number; use 0 to 65535");
      }
    }

    /**
     * The address both listeners bind to; {@code 0.0.0.0} exposes them on every interface.
     *
     * @param value an IP address or host name
     * @return this builder
     */
    public Builder bindAddress(String value) {
      this.bindAddress = Objects.requireNonNull(value, "bindAddress");
      return this;
    }

    /**
     * The port of {@code /health}, {@code /live} and {@code /ready}.
     *
     * @param value 0 to 65535; 0 picks a free port
     * @return this builder
     */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /**
     * The port of {@code /metrics}; the same as {@link #port(int)} to serve everything on one
     * listener.
     *
     * @param value 0 to 65535
     * @return this builder
     */
    public Builder metricsPort(int value) {
      this.metricsPort = value;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer <token>} on {@code /metrics}.
     *
     * @param value at least {@value OpsOptions#MIN_TOKEN_LENGTH} printable ASCII characters, or
     *     null for none
     * @return this builder
     */
    public Builder metricsToken(@Nullable String value) {
      this.metricsToken = value;
      return this;
    }

    /**
     * Serves HTTPS (TLSv1.2 and TLSv1.3 only) with the key and certificate in a PKCS12 keystore.
     *
     * @param keystore the {@code .p12} file
     * @param password its password (also the key's)
     * @return this builder
     */
    public Builder tls(Path keystore, String password) {
      this.tlsKeystore = Objects.requireNonNull(keystore, "keystore");
      this.tlsKeystorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Longest time for a request's headers, and for the response after them.
     *
     * @param value 1 s to 1 h, in whole seconds
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = Objects.requireNonNull(value, "requestTimeout");
      return this;
    }

    /**
     * Largest request body the server reads; larger ones get 413.
     *
     * @param value 0 to 1 MiB
     * @return this builder
     */
    public Builder maxBodyBytes(long value) {
      this.maxBodyBytes = value;
      return this;
    }

    /**
     * Threads that handle requests.
     *
     * @param value 1 to 256
     * @return this builder
     */
    public Builder workerThreads(int value) {
      this.workerThreads = value;
      return this;
    }

    /**
     * Requests that may wait for a worker thread.
     *
     * @param value 1 to 100,000
     * @return this builder
     */
    public Builder queueCapacity(int value) {
      this.queueCapacity = value;
      return this;
    }

    /**
     * Most open connections (a JVM-wide setting of the JDK HTTP server).
     *
     * @param value 1 to 1,000,000
     * @return this builder
     */
    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    /**
     * How long a health check's result is reused.
     *
     * @param value 0 to 1 minute
     * @return this builder
     */
    public Builder healthCacheTtl(Duration value) {
      this.healthCacheTtl = Objects.requireNonNull(value, "healthCacheTtl");
      return this;
    }

    /**
     * Retention: deletes events older than {@code value} on every retention run.
     *
     * @param value a positive age, or null for none
     * @return this builder
     */
    public Builder deleteEventsOlderThan(@Nullable Duration value) {
      this.deleteEventsOlderThan = value;
      return this;
    }

    /**
     * Retention: purges session memory whose TTL passed on every retention run.
     *
     * @param value whether to purge
     * @return this builder
     */
    public Builder purgeExpiredMemory(boolean value) {
      this.purgeExpiredMemory = value;
      return this;
    }

    /**
     * Retention: marks spawned or running agents silent for longer than {@code value} as stale
     * errors on every retention run.
     *
     * @param value a positive silence, or null for none
     * @return this builder
     */
    public Builder sweepStaleAgentsAfter(@Nullable Duration value) {
      this.sweepStaleAgentsAfter = value;
      return this;
    }

    /**
     * Time between retention runs.
     *
     * @param value positive
     * @return this builder
     */
    public Builder retentionInterval(Duration value) {
      this.retentionInterval = Objects.requireNonNull(value, "retentionInterval");
      return this;
    }

    /**
     * Writes a verified backup into {@code dir} every {@code interval} and deletes backups there
     * older than {@code keep}.
     *
     * @param dir the directory (created 0700 when missing), or null for no backups
     * @param interval time between backups
     * @param keep age after which backups are deleted
     * @return this builder
     */
    public Builder backups(@Nullable Path dir, Duration interval, Duration keep) {
      this.backupDir = dir;
      this.backupInterval = Objects.requireNonNull(interval, "interval");
      this.backupKeep = Objects.requireNonNull(keep, "keep");
      return this;
    }

    /**
     * Whether {@code /metrics} carries JVM and process meters.
     *
     * @param value true by default
     * @return this builder
     */
    public Builder jvmMetrics(boolean value) {
      this.jvmMetrics = value;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options
     * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} naming the bad value and the
     *     accepted range
     */
    public OpsOptions build() {
      return new OpsOptions(
          bindAddress,
          port,
          metricsPort,
          metricsToken,
          tlsKeystore,
          tlsKeystorePassword,
          requestTimeout,
          maxBodyBytes,
          workerThreads,
          queueCapacity,
          maxConnections,
          healthCacheTtl,
          deleteEventsOlderThan,
          purgeExpiredMemory,
          sweepStaleAgentsAfter,
          retentionInterval,
          backupDir,
          backupInterval,
          backupKeep,
          jvmMetrics);
    }
  }
}
