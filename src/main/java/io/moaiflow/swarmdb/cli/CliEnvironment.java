package io.moaiflow.swarmdb.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code MOAI_*} environment variables, validated, with the defaults {@link Main}'s help footer
 * lists. An invalid value is rejected with a message that names the variable and the allowed
 * values. This record is immutable and thread safe.
 */
record CliEnvironment(
    Deployment env,
    @Nullable String dbPath,
    String logLevel,
    boolean metricsEnabled,
    int metricsPort,
    int httpPort) {

  private static final String LEVELS = "TRACE, DEBUG, INFO, WARN, ERROR, OFF";

  /** Where the executable runs; decides the log format and the default level. */
  enum Deployment {
    DEVELOPMENT("DEBUG"),
    STAGING("INFO"),
    PRODUCTION("WARN");

    private final String defaultLevel;

    Deployment(String defaultLevel) {
      this.defaultLevel = defaultLevel;
    }

    String defaultLevel() {
      return defaultLevel;
    }

    /** Readable lines in development; JSON lines elsewhere, for log shippers. */
    boolean jsonLogs() {
      return this != DEVELOPMENT;
    }
  }

  /** Reads and validates the variables; CliException (exit 2) names a bad one and its values. */
  static CliEnvironment from(Map<String, String> vars) {
    Deployment env = Deployment.DEVELOPMENT;
    String rawEnv = value(vars, "MOAI_ENV");
    if (rawEnv != null) {
      env =
          Arrays.stream(Deployment.values())
              .filter(
                  d -> d.name().toLowerCase(Locale.ROOT).equals(rawEnv.toLowerCase(Locale.ROOT)))
              .findFirst()
              .orElseThrow(() -> invalid("MOAI_ENV", rawEnv, "development, staging, production"));
    }
    String level = env.defaultLevel();
    String rawLevel = value(vars, "MOAI_LOG_LEVEL");
    if (rawLevel != null) {
      level = rawLevel.toUpperCase(Locale.ROOT);
      if ("WARNING".equals(level)) {
        level = "WARN";
      }
      if (!(", " + LEVELS + ",").contains(", " + level + ",")) {
        throw invalid("MOAI_LOG_LEVEL", rawLevel, LEVELS);
      }
    }
    boolean metrics = true;
    String rawMetrics = value(vars, "MOAI_ENABLE_METRICS");
    if (rawMetrics != null) {
      switch (rawMetrics.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> metrics = true;
        case "false", "0", "no" -> metrics = false;
        default -> throw invalid("MOAI_ENABLE_METRICS", rawMetrics, "true, false");
      }
    }
    return new CliEnvironment(
        env,
        value(vars, "MOAI_DB_PATH"),
        level,
        metrics,
        port(vars, "MOAI_METRICS_PORT", 9090),
        port(vars, "MOAI_HTTP_PORT", 8000));
  }

  private static @Nullable String value(Map<String, String> vars, String name) {
    String v = vars.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static int port(Map<String, String> vars, String name, int defaultPort) {
    String raw = value(vars, name);
    if (raw == null) {
      return defaultPort;
    }
    try {
      int p = Integer.parseInt(raw);
      if (p >= 1 && p <= 65_535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw invalid(name, raw, "a port number from 1 to 65535");
  }

  private static CliException invalid(String name, String value, String allowed) {
    return CliException.usage(
        "environment variable " + name + "='" + value + "' is invalid; allowed values: " + allowed);
  }
}
