package io.moaiflow.swarmdb.ops;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.metrics.SwarmDbMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ops HTTP endpoint of a {@link SwarmDB}: {@code GET /health}, {@code /live}, {@code /ready}
 * and Prometheus {@code /metrics}, plus scheduled retention and backups, and with {@link
 * OpsOptions.Builder#ui(boolean)} a read-only dashboard at {@code /ui}.
 *
 * <pre>{@code
 * try (OpsServer ops = OpsServer.start(db, OpsOptions.builder().port(8000).metricsPort(9090).build())) {
 *   ... // the application runs
 * }
 * }</pre>
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with a bounded worker pool and queue. The
 * JDK server's request and response time limits are JVM-wide and read once (see {@link
 * OpsOptions.Builder#requestTimeout(java.time.Duration)} and the monitoring guide). Closing the
 * server stops the listeners and the scheduler and unregisters its meters; the database stays open
 * and owned by the caller.
 *
 * <p>This class is thread safe.
 */
public final class OpsServer implements AutoCloseable {
  private static final Set<String> HEALTH_PATHS = Set.of("/health", "/live", "/ready");
  private static final Set<String> METRICS_PATHS = Set.of("/metrics");

  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
  private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SwarmDB db;
  private final OpsOptions options;
  private final PrometheusMeterRegistry registry;
  private final SwarmDbMetrics metrics;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final ThreadPoolExecutor workers;
  private final List<HttpServer> servers = new ArrayList<>();
  private final HealthCache health;
  private final MaintenanceScheduler scheduler;
  private final @Nullable DashboardSampler sampler;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpsServer(SwarmDB db, OpsOptions options, List<Consumer<String>> observers) {
    this.db = db;
    this.options = options;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new SwarmDbMetrics(db);
    metrics.bindTo(registry);
    if (options.jvmMetrics()) {
      new JvmMemoryMetrics().bindTo(registry);
      JvmGcMetrics gc = new JvmGcMetrics();
      gc.bindTo(registry);
      binders.add(gc);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      new FileDescriptorMetrics().bindTo(registry);
    }
    Counter rejected =
        Counter.builder("moai.flow.ops.rejected")
            .description("Connections closed because every worker was busy and the queue full")
            .register(registry);
    AtomicInteger threads = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            options.workerThreads(),
            options.workerThreads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.queueCapacity()),
            r -> {
              Thread t = new Thread(r, "swarmdb-ops-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            (r, pool) -> {
              rejected.increment();
              // The JDK server closes the connection when its executor rejects an exchange.
              throw new RejectedExecutionException(
                  "ops server busy: "
                      + pool.getActiveCount()
                      + " workers active and "
                      + pool.getQueue().size()
                      + " requests queued; raise workerThreads or queueCapacity");
            });
    this.health = new HealthCache(db, options.healthCacheTtl(), System::nanoTime);
    this.scheduler =
        new MaintenanceScheduler(db, options.maintenance(), registry, Clock.systemUTC(), observers);
    this.sampler =
        options.ui()
            ? new DashboardSampler(db, DashboardSampler.DEFAULT_INTERVAL, DashboardSampler.CAPACITY)
            : null;
  }

  /**
   * Starts the listeners (one when {@link OpsOptions#sharedListener()}, else two) and the
   * maintenance schedule.
   *
   * @param db the database; it stays owned by the caller
   * @param options the options
   * @return the running server; close it to stop
   * @throws SwarmDbException {@link ErrorCode#IO_ERROR} when a port cannot be bound, {@link
   *     ErrorCode#INVALID_ARGUMENT} when the keystore cannot be read or backups are asked of an
   *     in-memory database
   */
  public static OpsServer start(SwarmDB db, OpsOptions options) {
    return start(db, options, List.of());
  }

  /** Starts with observers told "task:outcome" after every scheduled maintenance run. */
  static OpsServer start(SwarmDB db, OpsOptions options, List<Consumer<String>> observers) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(options, "options");
    if (options.maintenance().backupDir() != null && db.path().isEmpty()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "scheduled backups need a file database, but "
              + db
              + " is in memory; drop the backup directory or open a file");
    }
    // the limits in effect, which an earlier server of this JVM may have fixed
    long responseSeconds =
        Long.parseLong(
            HttpLimits.apply(options)
                .getOrDefault(
                    HttpLimits.MAX_RSP_TIME,
                    Long.toString(HttpLimits.ceilSeconds(options.requestTimeout())))
                .strip());
    @Nullable SSLContext tls = options.tls() ? sslContext(options) : null;
    OpsServer server = new OpsServer(db, options, observers);
    try {
      server.listen(tls, Duration.ofSeconds(responseSeconds));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void listen(@Nullable SSLContext tls, Duration responseLimit) {
    if (options.sharedListener()) {
      servers.add(bind(options.port(), Set.of("/health", "/live", "/ready", "/metrics"), tls));
    } else {
      servers.add(bind(options.port(), HEALTH_PATHS, tls));
      servers.add(bind(options.metricsPort(), METRICS_PATHS, tls));
    }
    DashboardSampler ui = sampler;
    if (ui != null) {
      servers
          .get(0)
          .createContext("/ui", new DashboardHandler(db, ui, registry, options, responseLimit));
    }
    for (HttpServer s : servers) {
      s.start();
    }
    LOG.info(
        "ops server for {} listening on {}://{}{} (health{}) and {} (metrics); {}",
        db,
        tls == null ? "http" : "https",
        options.bindAddress(),
        ":" + port(),
        ui == null ? "" : ", dashboard at /ui",
        metricsPort(),
        options);
  }

  private HttpServer bind(int port, Set<String> paths, @Nullable SSLContext tls) {
    InetSocketAddress address = new InetSocketAddress(options.bindAddress(), port);
    if (address.isUnresolved()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "bind address " + options.bindAddress() + " does not resolve; use an IP address");
    }
    HttpServer server;
    try {
      if (tls == null) {
        server = HttpServer.create(address, 128);
      } else {
        HttpsServer https = HttpsServer.create(address, 128);
        https.setHttpsConfigurator(configurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "could not listen on "
              + options.bindAddress()
              + ":"
              + port
              + ": "
              + e.getMessage()
              + "; choose another port or stop the process using it",
          e);
    }
    server.setExecutor(workers);
    server.createContext(
        "/", new OpsHandler(db, health, registry, metrics::refresh, paths, options));
    return server;
  }

  static HttpsConfigurator configurator(SSLContext tls) {
    return new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = tls.getDefaultSSLParameters();
        p.setProtocols(TLS_PROTOCOLS.clone());
        params.setSSLParameters(p);
      }
    };
  }

  static SSLContext sslContext(OpsOptions options) {
    Path file = Objects.requireNonNull(options.tlsKeystore(), "tlsKeystore");
    char[] password = Objects.requireNonNull(options.tlsKeystorePassword()).toCharArray();
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "could not load the TLS keystore "
              + file
              + ": "
              + e.getMessage()
              + "; give a readable PKCS12 file and its password",
          e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** {@return the main listener's address (its port is the real one when 0 was asked for)} */
  public InetSocketAddress address() {
    return servers.get(0).getAddress();
  }

  /** {@return the bound port of {@code /health}, {@code /live}, {@code /ready}} */
  public int port() {
    return address().getPort();
  }

  /** {@return the bound port of {@code /metrics}; equal to {@link #port()} when shared} */
  public int metricsPort() {
    return servers.get(servers.size() - 1).getAddress().getPort();
  }

  /** {@return the options the server runs with} */
  public OpsOptions options() {
    return options;
  }

  /**
   * Adds the application's own meters to {@code /metrics}.
   *
   * @param binder the meters, bound to the registry behind {@code /metrics}
   */
  public void addMeters(MeterBinder binder) {
    Objects.requireNonNull(binder, "binder").bindTo(registry);
  }

  /** {@return what the configured retention did, run now on the calling thread} */
  public RetentionResult runRetention() {
    return scheduler.runRetention();
  }

  /**
   * Writes a backup into the configured directory now, on the calling thread, and deletes expired
   * backups there.
   *
   * @return the backup, or empty when no backup directory is configured
   */
  public Optional<BackupResult> runBackup() {
    return scheduler.runBackup();
  }

  HealthCache healthCache() {
    return health;
  }

  /**
   * Stops the listeners (requests in progress are cut), the scheduler (a run in progress may finish
   * for up to a minute) and the worker threads, and removes the meters. Idempotent; the database
   * stays open.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (HttpServer s : servers) {
      s.stop(0);
    }
    scheduler.close();
    if (sampler != null) {
      sampler.close();
    }
    workers.shutdownNow();
    metrics.close();
    for (AutoCloseable c : binders) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing {} failed", c, e);
      }
    }
    registry.close();
    LOG.info("ops server for {} stopped", db);
  }

  @Override
  public String toString() {
    return "OpsServer[" + db + ", " + options + "]";
  }
}
