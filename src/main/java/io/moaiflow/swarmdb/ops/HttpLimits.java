package io.moaiflow.swarmdb.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK HTTP server's own limits. {@code sun.net.httpserver.ServerImpl} reads them from system
 * properties once, when its class is initialised, and applies them to every {@code HttpServer} in
 * the JVM; so they are set here, before the first server is created, and only when the application
 * has not set them itself. Thread safe.
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
  private static @Nullable Map<String, String> applied;

  private HttpLimits() {}

  /**
   * Sets the limits for the first server of this JVM and returns the values in effect; later calls
   * only warn when they ask for different values, because the JDK has read them already.
   */
  static synchronized Map<String, String> apply(OpsOptions options) {
    Map<String, String> wanted = wanted(options);
    Map<String, String> current = applied;
    if (current == null) {
      Map<String, String> effective = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : wanted.entrySet()) {
        String existing = System.getProperty(e.getKey());
        if (existing == null) {
          System.setProperty(e.getKey(), e.getValue());
          effective.put(e.getKey(), e.getValue());
        } else {
          effective.put(e.getKey(), existing);
        }
      }
      applied = Map.copyOf(effective);
      return applied;
    }
    if (!current.equals(wanted)) {
      LOG.warn(
          "the JDK HTTP server reads its limits once per JVM; keeping {} (asked for {})",
          current,
          wanted);
    }
    return current;
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

  static long ceilSeconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}
