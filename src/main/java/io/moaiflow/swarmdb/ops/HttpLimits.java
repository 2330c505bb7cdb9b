package io.moaiflow.swarmdb.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK HTTP server's own limits. {@code sun.net.httpserver.ServerImpl} reads them from system
 * properties once, when its class is initialised, and applies them to every {@code HttpServer} in
 * the JVM. They are JVM-wide, so an embedded {@link OpsServer} never sets them: only the process
 * that owns its JVM does, through {@link OpsServer#applyJvmLimits} (the {@code swarmdb serve}
 * executable), before its first server. Thread safe.
 *
 * <ul>
 *   <li>{@code sun.net.httpserver.maxReqTime} (seconds): a connection whose request line and
 *       headers are not complete within this time is closed (slow-header clients).
 *   <li>{@code sun.net.httpserver.maxRspTime} (seconds): an exchange whose response is not complete
 *       this long after its headers arrived is closed (slow readers, slow bodies).
 *   <li>{@code sun.net.httpserver.clockTick} (ms): how often idle and newly accepted connections
 *       are checked; a connection that sends nothing is closed after {@code min(idleInterval,
 *       maxReqTime)}.
 *   <li>{@code jdk.httpserver.maxConnections}: most open connections; beyond it the server stops
 *       accepting until one closes.
 * </ul>
 */
final class HttpLimits {
  static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";
  static final String MAX_RSP_TIME = "sun.net.httpserver.maxRspTime";
  static final String CLOCK_TICK = "sun.net.httpserver.clockTick";
  static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";

  private static final Logger LOG = LoggerFactory.getLogger(HttpLimits.class);

  private HttpLimits() {}

  /**
   * Sets each limit the JVM has no value for yet and returns the values in effect; a value the
   * application (or an earlier call) set is kept, with a warning when it differs.
   */
  static synchronized Map<String, String> applyToJvm(OpsOptions options) {
    Map<String, String> effective = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : wanted(options).entrySet()) {
      String existing = System.getProperty(e.getKey());
      if (existing == null) {
        System.setProperty(e.getKey(), e.getValue());
        effective.put(e.getKey(), e.getValue());
      } else {
        if (!existing.equals(e.getValue())) {
          LOG.warn(
              "the JDK HTTP server reads its limits once per JVM; keeping {}={} (asked for {})",
              e.getKey(),
              existing,
              e.getValue());
        }
        effective.put(e.getKey(), existing);
      }
    }
    return effective;
  }

  static Map<String, String> wanted(OpsOptions options) {
    Map<String, String> m = new LinkedHashMap<>();
    String seconds = Long.toString(ceilSeconds(options.requestTimeout()));
    m.put(MAX_REQ_TIME, seconds);
    m.put(MAX_RSP_TIME, seconds);
    m.put(CLOCK_TICK, "1000");
    m.put(MAX_CONNECTIONS, Integer.toString(options.maxConnections()));
    return m;
  }

  /**
   * {@return the response time limit the JDK server applies: its property as the JVM has it, or a
   * negative duration (no limit, the JDK's default) when it is unset or not a number}
   */
  static Duration responseLimit() {
    String value = System.getProperty(MAX_RSP_TIME);
    try {
      return Duration.ofSeconds(value == null ? -1 : Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(-1);
    }
  }

  static long ceilSeconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}
