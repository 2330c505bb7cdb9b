package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.ops.OpsOptions;
import io.moaiflow.swarmdb.ops.OpsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
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
    mixinStandardHelpOptions = true,
    description = "Run the ops endpoint (/health, /live, /ready, /metrics) until stopped.")
final class ServeCommand extends BaseCommand {

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
      converter = Durations.class,
      description = "Retention: delete events older than this on every run (e.g. 30d).")
  private @Nullable Duration eventsOlderThan;

  @Option(
      names = "--expired-memory",
      description = "Retention: purge session memory whose TTL passed on every run.")
  private boolean expiredMemory;

  @Option(
      names = "--stale-agents",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Retention: mark agents silent longer than this as errors (e.g. 1h).")
  private @Nullable Duration staleAgents;

  @Option(
      names = "--retention-interval",
      paramLabel = "DURATION",
      converter = Durations.class,
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
      converter = Durations.class,
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

  /**
   * Counted down once the server listens; {@link #boundPort()} and {@link #boundMetricsPort()} are
   * set.
   */
  final CountDownLatch started = new CountDownLatch(1);

  private volatile int boundPort;
  private volatile int boundMetricsPort;

  /** The port of /health once {@link #started} is counted down (for tests and logs). */
  int boundPort() {
    return boundPort;
  }

  /** The port of /metrics once {@link #started} is counted down. */
  int boundMetricsPort() {
    return boundMetricsPort;
  }

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
            .deleteEventsOlderThan(eventsOlderThan)
            .purgeExpiredMemory(expiredMemory)
            .sweepStaleAgentsAfter(staleAgents)
            .retentionInterval(retentionInterval);
    if (tokenFile != null) {
      options.metricsToken(readSecret(tokenFile, "--metrics-token-file"));
    }
    if (keystore != null || keystorePasswordFile != null) {
      if (keystore == null || keystorePasswordFile == null) {
        throw CliException.usage("TLS needs both --tls-keystore and --tls-password-file");
      }
      options.tls(keystore, readSecret(keystorePasswordFile, "--tls-password-file"));
    }
    if (backupDir != null) {
      // refuse a backup directory outside --backup-root now, not at the first scheduled backup
      fileConfig().build().checkBackupPath(backupDir.resolve("backup.db"));
      options.backups(backupDir, backupInterval, Duration.ofDays(backupKeepDays));
    }
    OpsOptions built = options.build();
    try (SwarmDB db = open(true);
        OpsServer server = OpsServer.start(db, built)) {
      Thread hook = new Thread(stop::countDown, "swarmdb-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      err()
          .println(
              "serving "
                  + location()
                  + " on "
                  + server.address()
                  + " (metrics port "
                  + server.metricsPort()
                  + ")");
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
    return ExitCodes.OK;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already stopping: the hook has run or is running
    }
  }

  private static String readSecret(Path file, String option) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw CliException.usage(option + " " + file + " is not a readable file");
    }
    String value = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (value.isEmpty()) {
      throw CliException.usage(option + " " + file + " is empty");
    }
    return value;
  }
}
