package io.moaiflow.swarmdb.ops;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
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
import java.util.Map;
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
 * <p>Its meters go to a Prometheus registry of its own, which {@code /metrics} renders, or, with
 * {@link #start(SwarmDB, OpsOptions, MeterRegistry)}, to the application's registry.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with a bounded worker pool and queue. The
 * JDK server's request time, response time and connection limits ({@link
 * OpsOptions.Builder#requestTimeout(java.time.Duration)}, {@link
 * OpsOptions.Builder#maxConnections(int)}) are system properties that the JDK reads once for the
 * whole JVM, so starting a server never sets them: the process that owns its JVM sets them with
 * {@link #applyJvmLimits} before its first server ({@code swarmdb serve} does), or with {@code -D}
 * options. Without them the JDK's defaults apply: no request or response time limit and no
 * connection limit, so clients that never finish their headers hold their connections, and up to
 * {@link OpsOptions#workerThreads()} of them a worker thread each, for as long as they like.
 * Closing the server stops the listeners and the scheduler and unregisters its meters; the database
 * stays open and owned by the caller.
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

  /** Where this server's own meters go: its Prometheus registry, or one forwarding to the app's. */
  private final MeterRegistry registry;

  /** What {@code /metrics} renders; null when the application's registry has no Prometheus one. */
  private final @Nullable PrometheusMeterRegistry prometheus;

  /** The application's registry, or null when the server has its own. */
  private final @Nullable MeterRegistry application;

  private final SwarmDbMetrics metrics;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final ThreadPoolExecutor workers;
  private final List<HttpServer> servers = new ArrayList<>();
  private final HealthCache health;
  private final MaintenanceScheduler scheduler;
  private final @Nullable DashboardSampler sampler;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpsServer(
      SwarmDB db,
      OpsOptions options,
      List<Consumer<String>> observers,
      @Nullable MeterRegistry application) {
    this.db = db;
    this.options = options;
    this.application = application;
    this.metrics = new SwarmDbMetrics(db);
    if (application == null) {
      PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      this.registry = own;
      this.prometheus = own;
    } else {
      // a registry of this server's own meters that forwards them to the application's, so that
      // close() removes exactly these
      CompositeMeterRegistry forwarding = new CompositeMeterRegistry();
      forwarding.add(application);
      this.registry = forwarding;
      this.prometheus = prometheusIn(application);
    }
    metrics.bindTo(application == null ? registry : application);
    // the application binds the JVM meters of its own registry (Spring Boot does)
    if (options.jvmMetrics() && application == null) {
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
    return start(db, options, List.of(), null);
  }

  /**
   * Starts the listeners and the maintenance schedule with the meters (SwarmDB's and the server's
   * own) on the application's registry instead of a registry of the server's own. {@code /metrics}
   * renders the registry when it is a Prometheus registry or a composite holding one; otherwise it
   * answers 404, naming the registry, and the application exports the meters its own way. {@link
   * OpsOptions#jvmMetrics()} is not applied: JVM meters on the application's registry are the
   * application's to bind. Closing the server removes its meters from the registry and leaves the
   * registry open.
   *
   * @param db the database; it stays owned by the caller
   * @param options the options
   * @param registry the application's registry; it stays owned by the caller
   * @return the running server; close it to stop
   * @throws SwarmDbException as {@link #start(SwarmDB, OpsOptions)}
   */
  public static OpsServer start(SwarmDB db, OpsOptions options, MeterRegistry registry) {
    return start(db, options, List.of(), Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Sets the JDK HTTP server's JVM-wide limits from {@code options} ({@link
   * OpsOptions#requestTimeout()} as {@code sun.net.httpserver.maxReqTime} and {@code maxRspTime} in
   * whole seconds, rounded up; {@code sun.net.httpserver.clockTick=1000}; {@link
   * OpsOptions#maxConnections()} as {@code jdk.httpserver.maxConnections}), each only where the JVM
   * has no value yet. For a process that owns its JVM, before it creates its first HTTP server of
   * any kind: the JDK reads them once, and they apply to every HTTP server of the JVM. {@link
   * #start} never calls it.
   *
   * @param options the options whose limits to set
   * @return the values in effect, by property name: the ones set now, and the ones the JVM already
   *     had (a different one is logged as a warning)
   */
  public static Map<String, String> applyJvmLimits(OpsOptions options) {
    return HttpLimits.applyToJvm(Objects.requireNonNull(options, "options"));
  }

  /** Starts with observers told "task:outcome" after every scheduled maintenance run. */
  static OpsServer start(SwarmDB db, OpsOptions options, List<Consumer<String>> observers) {
    return start(db, options, observers, null);
  }

  private static OpsServer start(
      SwarmDB db,
      OpsOptions options,
      List<Consumer<String>> observers,
      @Nullable MeterRegistry application) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(options, "options");
    if (options.maintenance().backupDir() != null && db.path().isEmpty()) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "scheduled backups need a file database, but "
              + db
              + " is in memory; drop the backup directory or open a file");
    }
    @Nullable SSLContext tls = options.tls() ? sslContext(options) : null;
    OpsServer server = new OpsServer(db, options, observers, application);
    try {
      server.listen(tls, HttpLimits.responseLimit());
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
        "/",
        new OpsHandler(
            db,
            health,
            registry,
            prometheus,
            (application == null ? registry : application).getClass().getName(),
            metrics::refresh,
            paths,
            options));
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
   * Adds the application's own meters to {@code /metrics} (with an application registry: to that
   * registry); closing the server removes them.
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

  /** Seconds {@link #close()} waits for the request handlers cut off to end. */
  static final int CLOSE_WAIT_SECONDS = 10;

  /**
   * Stops the listeners (requests in progress are cut), the scheduler (a run in progress may finish
   * for up to a minute) and the worker threads (waiting up to {@value #CLOSE_WAIT_SECONDS} s for
   * their handlers to end, so that none registers a meter afterwards), and removes the meters.
   * Idempotent; the database stays open.
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
    try {
      // a handler records its request's timer as it ends: let it, before the meters are removed
      if (!workers.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn(
            "ops server for {}: a request handler still runs {} s after close; its meter may"
                + " stay in the registry",
            db,
            CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.close();
    for (AutoCloseable c : binders) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing {} failed", c, e);
      }
    }
    MeterRegistry app = application;
    if (app == null) {
      registry.close();
    } else {
      // the application's registry stays open; only this server's meters leave it
      for (Meter m : registry.getMeters()) {
        remove(app, m.getId());
      }
      ((CompositeMeterRegistry) registry).remove(app);
    }
    LOG.info("ops server for {} stopped", db);
  }

  /**
   * Removes a meter from a registry and, a composite's removal stopping at itself, its children.
   */
  private static void remove(MeterRegistry registry, Meter.Id id) {
    registry.removeByPreFilterId(id);
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        remove(child, id);
      }
    }
  }

  /** The Prometheus registry in {@code registry}: itself, or one a composite holds. */
  static @Nullable PrometheusMeterRegistry prometheusIn(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        PrometheusMeterRegistry p = prometheusIn(child);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "OpsServer[" + db + ", " + options + "]";
  }
}
