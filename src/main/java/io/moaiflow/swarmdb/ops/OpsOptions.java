package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link OpsServer} listens and protects itself, and what it schedules ({@link
 * MaintenanceSchedule}). Build one with {@link #builder()}; {@link Builder#build()} validates every
 * value. Each accessor returns what the builder method of the same name set, documented there.
 *
 * <p>Immutable and thread safe. {@link #toString()} names every setting and masks the token and the
 * keystore password.
 */
public final class OpsOptions {
  /** Default of {@link Builder#bindAddress(String)}. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** Default of {@link Builder#port(int)}; {@code MOAI_HTTP_PORT} overrides it. */
  public static final int DEFAULT_PORT = 8000;

  /** Default of {@link Builder#metricsPort(int)}; {@code MOAI_METRICS_PORT} overrides it. */
  public static final int DEFAULT_METRICS_PORT = 9090;

  /** Shortest bearer token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<String> SECRETS = Set.of("metricsToken", "tlsKeystorePassword");

  private final String bindAddress;
  private final int port;
  private final int metricsPort;
  private final @Nullable String metricsToken;
  private final @Nullable Path tlsKeystore;
  private final @Nullable String tlsKeystorePassword;
  private final Duration requestTimeout;
  private final long maxBodyBytes;
  private final int workerThreads;
  private final int queueCapacity;
  private final int maxConnections;
  private final Duration healthCacheTtl;
  private final boolean jvmMetrics;
  private final boolean ui;
  private final MaintenanceSchedule maintenance;

  private OpsOptions(Builder b) {
    bindAddress = b.bindAddress;
    port = b.port;
    metricsPort = b.metricsPort;
    metricsToken = b.metricsToken;
    tlsKeystore = b.tlsKeystore;
    tlsKeystorePassword = b.tlsKeystorePassword;
    requestTimeout = b.requestTimeout;
    maxBodyBytes = b.maxBodyBytes;
    workerThreads = b.workerThreads;
    queueCapacity = b.queueCapacity;
    maxConnections = b.maxConnections;
    healthCacheTtl = b.healthCacheTtl;
    jvmMetrics = b.jvmMetrics;
    ui = b.ui;
    maintenance = new MaintenanceSchedule(b);
  }

  /** {@return a builder with every default} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the defaults: 127.0.0.1, ports 8000 and 9090, no token, TLS, retention or backups} */
  public static OpsOptions defaults() {
    return builder().build();
  }

  /** {@return the address set by {@link Builder#bindAddress(String)}} */
  public String bindAddress() {
    return bindAddress;
  }

  /** {@return the port set by {@link Builder#port(int)}} */
  public int port() {
    return port;
  }

  /** {@return the port set by {@link Builder#metricsPort(int)}} */
  public int metricsPort() {
    return metricsPort;
  }

  /** {@return the token set by {@link Builder#metricsToken(String)}, or null for none} */
  public @Nullable String metricsToken() {
    return metricsToken;
  }

  /** {@return the keystore set by {@link Builder#tls(Path, String)}, or null without TLS} */
  public @Nullable Path tlsKeystore() {
    return tlsKeystore;
  }

  /** {@return the password set by {@link Builder#tls(Path, String)}, or null without TLS} */
  public @Nullable String tlsKeystorePassword() {
    return tlsKeystorePassword;
  }

  /** {@return the limit set by {@link Builder#requestTimeout(Duration)}} */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** {@return the cap set by {@link Builder#maxBodyBytes(long)}} */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** {@return the count set by {@link Builder#workerThreads(int)}} */
  public int workerThreads() {
    return workerThreads;
  }

  /** {@return the capacity set by {@link Builder#queueCapacity(int)}} */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** {@return the limit set by {@link Builder#maxConnections(int)}} */
  public int maxConnections() {
    return maxConnections;
  }

  /** {@return the time set by {@link Builder#healthCacheTtl(Duration)}} */
  public Duration healthCacheTtl() {
    return healthCacheTtl;
  }

  /** {@return whether {@link Builder#jvmMetrics(boolean)} asked for JVM and process meters} */
  public boolean jvmMetrics() {
    return jvmMetrics;
  }

  /** {@return whether {@link Builder#ui(boolean)} asked for the dashboard at {@code /ui}} */
  public boolean ui() {
    return ui;
  }

  /** {@return the retention and backups to schedule, set by the builder's maintenance methods} */
  public MaintenanceSchedule maintenance() {
    return maintenance;
  }

  /** {@return whether {@code /metrics} shares the main listener: both ports are equal} */
  public boolean sharedListener() {
    return port == metricsPort;
  }

  /** {@return whether the server speaks HTTPS: a keystore is set} */
  public boolean tls() {
    return tlsKeystore != null;
  }

  @Override
  public String toString() {
    return describe(this, SECRETS);
  }

  /**
   * {@code Type[name=value, ...]} over every instance field of {@code settings}, in declaration
   * order, with the set values of {@code secrets} shown as {@code ***}: a field added later cannot
   * be left out (HikariCP's {@code logConfiguration}).
   */
  static String describe(Object settings, Set<String> secrets) {
    StringJoiner out = new StringJoiner(", ", settings.getClass().getSimpleName() + "[", "]");
    for (Field f : settings.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
        continue;
      }
      Object value;
      try {
        f.setAccessible(true);
        value = f.get(settings);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read setting " + f.getName(), e);
      }
      out.add(f.getName() + "=" + (value != null && secrets.contains(f.getName()) ? "***" : value));
    }
    return out.toString();
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
   * Builds {@link OpsOptions}; {@link #build()} validates. Each setter documents its setting, its
   * default and its range. This class is not thread safe; use one builder per thread.
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
    private boolean jvmMetrics = true;
    private boolean ui;
    // the schedule's settings, read by MaintenanceSchedule's constructor
    @Nullable Duration deleteEventsOlderThan;
    boolean purgeExpiredMemory;
    @Nullable Duration sweepStaleAgentsAfter;
    Duration retentionInterval = Duration.ofHours(1);
    @Nullable Path backupDir;
    Duration backupInterval = Duration.ofHours(24);
    Duration backupKeep = Duration.ofDays(7);

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
      port = envPort(env, "MOAI_HTTP_PORT", port);
      metricsPort = envPort(env, "MOAI_METRICS_PORT", metricsPort);
      return this;
    }

    private static int envPort(Map<String, String> env, String name, int unset) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return unset;
      }
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw invalid(name + " is '" + value + "', not a port number; use 0 to 65535");
      }
    }

    /**
     * The address both listeners bind to (default {@code 127.0.0.1}); {@code 0.0.0.0} exposes them
     * on every interface.
     *
     * @param value an IP address or host name
     * @return this builder
     */
    public Builder bindAddress(String value) {
      this.bindAddress = Objects.requireNonNull(value, "bindAddress");
      return this;
    }

    /**
     * The port of {@code /health}, {@code /live} and {@code /ready} (default 8000).
     *
     * @param value 0 to 65535; 0 picks a free port
     * @return this builder
     */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /**
     * The port of {@code /metrics} (default 9090); the same as {@link #port(int)} to serve all four
     * paths on one listener.
     *
     * @param value 0 to 65535
     * @return this builder
     */
    public Builder metricsPort(int value) {
      this.metricsPort = value;
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer <token>} on {@code /metrics} (default none).
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
     * Serves HTTPS on both listeners (TLSv1.2 and TLSv1.3 only) with the key and certificate in a
     * PKCS12 keystore (default off). Both or neither are required.
     *
     * @param keystore the {@code .p12} file, or null for no TLS
     * @param password its password (also the key's), or null for no TLS
     * @return this builder
     */
    public Builder tls(@Nullable Path keystore, @Nullable String password) {
      this.tlsKeystore = keystore;
      this.tlsKeystorePassword = password;
      return this;
    }

    /**
     * Longest time a client may take to send a request's headers, and the longest time from then
     * until the response is written (default 10 s). A JVM-wide limit of the JDK HTTP server, read
     * once: {@link OpsServer#applyJvmLimits} sets it for the JVM ({@code swarmdb serve} does);
     * {@link OpsServer#start} does not.
     *
     * @param value 1 s to 1 h, in whole seconds
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = Objects.requireNonNull(value, "requestTimeout");
      return this;
    }

    /**
     * Largest request body the server reads (default 4096); a larger one gets 413.
     *
     * @param value 0 to 1 MiB
     * @return this builder
     */
    public Builder maxBodyBytes(long value) {
      this.maxBodyBytes = value;
      return this;
    }

    /**
     * Threads that handle requests (default 4).
     *
     * @param value 1 to 256
     * @return this builder
     */
    public Builder workerThreads(int value) {
      this.workerThreads = value;
      return this;
    }

    /**
     * Requests that may wait for a worker thread (default 1024); beyond it, connections are closed.
     *
     * @param value 1 to 100,000
     * @return this builder
     */
    public Builder queueCapacity(int value) {
      this.queueCapacity = value;
      return this;
    }

    /**
     * Most open connections (default 1024; a JVM-wide setting of the JDK HTTP server, set by {@link
     * OpsServer#applyJvmLimits}, not by {@link OpsServer#start}).
     *
     * @param value 1 to 1,000,000
     * @return this builder
     */
    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    /**
     * How long a health check's result is reused (default 1 s; 0 checks on every request).
     *
     * @param value 0 to 1 minute
     * @return this builder
     */
    public Builder healthCacheTtl(Duration value) {
      this.healthCacheTtl = Objects.requireNonNull(value, "healthCacheTtl");
      return this;
    }

    /**
     * Whether {@code /metrics} also carries JVM and process meters (default true).
     *
     * @param value whether to carry them
     * @return this builder
     */
    public Builder jvmMetrics(boolean value) {
      this.jvmMetrics = value;
      return this;
    }

    /**
     * Serves the read-only dashboard at {@code /ui} on the main listener (default false; without it
     * {@code /ui} is 404): agents by status, a session's timeline, the live event stream, a
     * session's memory and size over time. It follows the rules of {@code /metrics}: with a {@link
     * #metricsToken(String) token} every {@code /ui} path needs it (as a bearer header, or as the
     * cookie that {@code /ui?token=TOKEN} issues once), and TLS when set.
     *
     * @param value whether to serve it
     * @return this builder
     */
    public Builder ui(boolean value) {
      this.ui = value;
      return this;
    }

    /**
     * Retention: deletes events older than {@code value} on every retention run (default none).
     *
     * @param value a positive age, or null for none
     * @return this builder
     */
    public Builder deleteEventsOlderThan(@Nullable Duration value) {
      this.deleteEventsOlderThan = value;
      return this;
    }

    /**
     * Retention: purges session memory whose TTL passed on every retention run (default false).
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
     * errors on every retention run (default none).
     *
     * @param value a positive silence, or null for none
     * @return this builder
     */
    public Builder sweepStaleAgentsAfter(@Nullable Duration value) {
      this.sweepStaleAgentsAfter = value;
      return this;
    }

    /**
     * Time between retention runs (default 1 h); the first runs when the server starts.
     *
     * @param value positive
     * @return this builder
     */
    public Builder retentionInterval(Duration value) {
      this.retentionInterval = Objects.requireNonNull(value, "retentionInterval");
      return this;
    }

    /**
     * Writes a verified backup into {@code dir} every {@code interval} (default 24 h, counted from
     * the newest backup already there) and deletes backups there older than {@code keep} (default 7
     * days). Default: no backups.
     *
     * @param dir the directory (created 0700 when missing), or null for no backups
     * @param interval time between backups, positive
     * @param keep age after which backups are deleted, positive
     * @return this builder
     */
    public Builder backups(@Nullable Path dir, Duration interval, Duration keep) {
      this.backupDir = dir;
      this.backupInterval = Objects.requireNonNull(interval, "interval");
      this.backupKeep = Objects.requireNonNull(keep, "keep");
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
      if (bindAddress.isBlank()) {
        throw invalid("bindAddress is blank; use an IP address or host name such as 127.0.0.1");
      }
      requirePort("port", port);
      requirePort("metricsPort", metricsPort);
      String token = metricsToken;
      if (token != null) {
        if (token.length() < MIN_TOKEN_LENGTH) {
          throw invalid(
              "the metrics token has "
                  + token.length()
                  + " characters; use at least "
                  + MIN_TOKEN_LENGTH
                  + " (for example: openssl rand -hex 32)");
        }
        for (int i = 0; i < token.length(); i++) {
          char c = token.charAt(i);
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
      return new OpsOptions(this);
    }
  }
}
