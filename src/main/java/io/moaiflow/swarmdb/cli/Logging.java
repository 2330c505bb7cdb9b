package io.moaiflow.swarmdb.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback for the executable from {@code logback-swarmdb.xml}: readable lines on stderr
 * in development, JSON lines on stderr in staging and production, optionally a rolling JSON file
 * (created 0600, in directories created 0700). Called only by commands that open the database, so
 * fast paths such as {@code size} never start Logback. Not thread safe: call from the main thread
 * before the library is used.
 */
final class Logging {
  static final String RESOURCE = "logback-swarmdb.xml";

  private Logging() {}

  static void configure(CliEnvironment env, boolean verbose, @Nullable Path logFile) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext ctx)) {
      return; // another SLF4J binding is on the class path; leave it alone
    }
    if (logFile != null) {
      prepareLogDirectory(logFile);
    }
    String console = env.env().jsonLogs() ? "JSON" : "TEXT";
    ctx.reset();
    ctx.getStatusManager().clear();
    ctx.putProperty("swarmdb.log.level", verbose ? "DEBUG" : env.logLevel());
    ctx.putProperty("swarmdb.log.console", console);
    ctx.putProperty("swarmdb.log.file", logFile == null ? console : "FILE");
    ctx.putProperty("swarmdb.log.path", logFile == null ? "" : logFile.toAbsolutePath().toString());
    URL url = Objects.requireNonNull(Logging.class.getResource(RESOURCE), RESOURCE);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    try {
      configurator.doConfigure(url);
    } catch (JoranException e) {
      throw CliException.usage("cannot configure logging from " + url + ": " + e.getMessage());
    }
    for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
      if (s.getLevel() >= Status.ERROR) {
        throw CliException.usage(
            "cannot configure logging: "
                + s.getMessage()
                + (logFile == null ? "" : "; check that --log-file " + logFile + " is writable"));
      }
    }
  }

  /**
   * Creates the log file's missing directories 0700 (Logback would create them with the umask,
   * usually 0755); the file itself is created 0600 by {@link PrivateRollingFileAppender}.
   */
  private static void prepareLogDirectory(Path logFile) {
    Path dir = logFile.toAbsolutePath().normalize().getParent();
    if (dir == null) {
      return;
    }
    try {
      PrivateRollingFileAppender.createPrivateDirectories(dir);
    } catch (IOException e) {
      throw CliException.usage(
          "cannot configure logging: cannot create directory "
              + dir
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); check that --log-file "
              + logFile
              + " is writable");
    }
  }
}
