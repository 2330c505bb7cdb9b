package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.ops.OpsOptions;
import io.moaiflow.swarmdb.ops.OpsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb serve}: opens (creating and migrating) the database and runs the ops endpoint
 * ({@code /health}, {@code /live}, {@code /ready}, {@code /metrics}) with optional retention and
 * scheduled backups until the process is stopped (SIGTERM or Ctrl-C close the server and the
 * database cleanly). Not thread safe (one invocation).
 */
@Command(
    name = "serve",
    description = "Run the ops endpoint (/health, /live, /ready, /metrics) until stopped.")
final class ServeCommand extends BaseCommand {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  /** How long the shutdown hook waits for the server and the database to close. */
  static final int SHUTDOWN_WAIT_SECONDS = 25;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).",
      defaultValue = OpsOptions.DEFAULT_BIND_ADDRESS)
  private String bind = OpsOptions.DEFAULT_BIND_ADDRESS;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port of /health, /live, /ready (default $MOAI_HTTP_PORT, else 8000).")
  private @Nullable Integer port;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Port of /metrics (default $MOAI_METRICS_PORT, else 9090); equal to --port serves all"
              + " paths on one listener.")
  private @Nullable Integer metricsPort;

  @Option(
      names = "--metrics-token-file",
      paramLabel = "FILE",
      description =
          "Require 'Authorization: Bearer <token>' on /metrics; the token is read from FILE.")
  private @Nullable Path tokenFile;

  @Option(
      names = "--ui",
      description =
          "Also serve the read-only dashboard at /ui on --port (token and TLS as for /metrics;"
              + " with a token, open /ui?token=TOKEN once).")
  private boolean ui;

  @Option(
      names = "--allow-unauthenticated",
      description =
          "Serve on a non-loopback --bind address without --metrics-token-file or TLS (logged as a"
              + " warning); without it such a bind is refused.")
  private boolean allowUnauthenticated;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description = "Serve HTTPS (TLS 1.2+) with the key in this PKCS12 file.")
  private @Nullable Path keystore;

  @Option(
      names = "--tls-password-file",
      paramLabel = "FILE",
      description = "File holding the PKCS12 keystore's password.")
  private @Nullable Path keystorePasswordFile;

  @Option(
      names = "--events-older-than",
      paramLabel = "DURATION",
      description = "Retention: delete events older than this on every run (e.g. 30d).")
  private @Nullable Duration eventsOlderThan;

  @Option(
      names = "--expired-memory",
      description = "Retention: purge session memory whose TTL passed on every run.")
  private boolean expiredMemory;

  @Option(
      names = "--stale-agents",
      paramLabel = "DURATION",
      description = "Retention: mark agents silent longer than this as errors (e.g. 1h).")
  private @Nullable Duration staleAgents;

  @Option(
      names = "--retention-interval",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = "Time between retention runs (default ${DEFAULT-VALUE}).")
  private Duration retentionInterval = Duration.ofHours(1);

  @Option(
      names = "--backup-dir",
      paramLabel = "DIR",
      description = "Write a verified backup into DIR every --backup-interval.")
  private @Nullable Path backupDir;

  @Option(
      names = "--backup-interval",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description = "Time between scheduled backups (default ${DEFAULT-VALUE}).")
  private Duration backupInterval = Duration.ofHours(24);

  @Option(
      names = "--backup-keep-days",
      paramLabel = "DAYS",
      defaultValue = "7",
      description =
          "Delete scheduled backups older than this many days (default ${DEFAULT-VALUE}).")
  private int backupKeepDays = 7;

  /** Counted down by the shutdown hook; tests count it down to stop the server. */
  final CountDownLatch stop = new CountDownLatch(1);

  /** Counted down once the server listens, after the bound ports below are set (for tests). */
  final CountDownLatch started = new CountDownLatch(1);

  volatile int boundPort;
  volatile int boundMetricsPort;

  @Override
  int run() throws IOException, InterruptedException {
    CliEnvironment env = environment();
    if (backupKeepDays < 1) {
      throw CliException.usage("--backup-keep-days is " + backupKeepDays + "; use 1 or more");
    }
    OpsOptions.Builder options =
        OpsOptions.builder()
            .bindAddress(bind)
            .port(port != null ? port : env.httpPort())
            .metricsPort(metricsPort != null ? metricsPort : env.metricsPort())
            .jvmMetrics(env.metricsEnabled())
            .ui(ui)
            .deleteEventsOlderThan(eventsOlderThan)
            .purgeExpiredMemory(expiredMemory)
            .sweepStaleAgentsAfter(staleAgents)
            .retentionInterval(retentionInterval);
    if (tokenFile != null) {
      options.metricsToken(readSecret(tokenFile, "--metrics-token-file", true));
    }
    if (keystore != null || keystorePasswordFile != null) {
      if (keystore == null || keystorePasswordFile == null) {
        throw CliException.usage("TLS needs both --tls-keystore and --tls-password-file");
      }
      options.tls(keystore, readSecret(keystorePasswordFile, "--tls-password-file", false));
    }
    if (backupDir != null) {
      // refuse a backup directory outside --backup-root now, not at the first scheduled backup
      fileConfig().build().checkBackupPath(backupDir.resolve("backup.db"));
      options.backups(backupDir, backupInterval, Duration.ofDays(backupKeepDays));
    }
    OpsOptions built = options.build();
    if (built.metricsToken() == null && !built.tls() && !isLoopback(bind)) {
      if (!allowUnauthenticated) {
        throw CliException.usage(
            "--bind "
                + bind
                + " is not a loopback address, and without --metrics-token-file or TLS"
                + " (--tls-keystore with --tls-password-file) anyone who can reach it reads"
                + " /metrics. Pass --metrics-token-file FILE (a file only you can read, e.g."
                + " 'openssl rand -hex 32 > FILE; chmod 600 FILE') or TLS, bind 127.0.0.1, or"
                + " accept an open endpoint explicitly with --allow-unauthenticated");
      }
      LOG.warn(
          "serving on {} without a metrics token or TLS (--allow-unauthenticated): anyone who can"
              + " reach this address reads /metrics",
          bind);
    }
    CountDownLatch finished = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(ExitCodes.DATABASE);
    AtomicBoolean shuttingDown = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              shuttingDown.set(true);
              stop.countDown();
              awaitThenHalt(finished, exitCode);
            },
            "swarmdb-serve-shutdown");
    try {
      try (SwarmDB db = open(true);
          OpsServer server = start(db, built)) {
        Runtime.getRuntime().addShutdownHook(hook);
        err()
            .println(
                "serving "
                    + location()
                    + " on "
                    + server.address()
                    + " (metrics port "
                    + server.metricsPort()
                    + ")"
                    + (ui ? "; dashboard at " + dashboardUrl(server, built) : ""));
        err().flush();
        boundPort = server.port();
        boundMetricsPort = server.metricsPort();
        started.countDown();
        try {
          stop.await();
        } finally {
          removeHook(hook);
        }
      }
      String line =
          "stopped serving "
              + location()
              + (shuttingDown.get() ? " (shutdown signal)" : "")
              + "; the endpoint and the database are closed";
      LOG.info(line);
      err().println(line);
      err().flush();
      exitCode.set(ExitCodes.OK);
      return ExitCodes.OK;
    } finally {
      finished.countDown();
    }
  }

  /**
   * Starts the server; a port another process holds is a usage error (exit 2): the command line
   * asked for a port this host cannot give.
   */
  private static OpsServer start(SwarmDB db, OpsOptions options) {
    // the executable owns its JVM, so it sets the JDK server's JVM-wide limits itself
    OpsServer.applyJvmLimits(options);
    try {
      return OpsServer.start(db, options);
    } catch (SwarmDbException e) {
      if (e.code() == ErrorCode.IO_ERROR && e.getCause() instanceof BindException) {
        throw CliException.verbatim(ExitCodes.USAGE, e);
      }
      throw e;
    }
  }

  private static String dashboardUrl(OpsServer server, OpsOptions options) {
    return (options.tls() ? "https" : "http")
        + "://"
        + options.bindAddress()
        + ":"
        + server.port()
        + "/ui"
        + (options.metricsToken() != null ? " (open /ui?token=TOKEN once to sign in)" : "");
  }

  /**
   * Whether {@code bind} is a loopback address (127.0.0.0/8, ::1, or a name such as localhost that
   * resolves to one). A name that does not resolve counts as loopback here: the server refuses it
   * with its own message.
   */
  static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return true;
    }
  }

  /**
   * In the shutdown hook: waits for {@link #run()} to close the server and the database and print
   * its last line, then ends the JVM with that exit code (0), where a signal would otherwise end it
   * with 128 + the signal number.
   */
  private static void awaitThenHalt(CountDownLatch finished, AtomicInteger exitCode) {
    try {
      if (finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        Runtime.getRuntime().halt(exitCode.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already stopping: the hook has run or is running
    }
  }

  /**
   * The stripped content of a secret file; with {@code privateOnly}, refuses one that the file's
   * group or other users can read (POSIX only).
   */
  private static String readSecret(Path file, String option, boolean privateOnly)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw CliException.usage(option + " " + file + " is not a readable file");
    }
    if (privateOnly && PrivateRollingFileAppender.posix(file)) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw CliException.usage(
            option
                + " "
                + file
                + " is readable by its group or by others (mode "
                + PosixFilePermissions.toString(perms)
                + "); make it private with: chmod 600 "
                + file);
      }
    }
    String value = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (value.isEmpty()) {
      throw CliException.usage(option + " " + file + " is empty");
    }
    return value;
  }
}
