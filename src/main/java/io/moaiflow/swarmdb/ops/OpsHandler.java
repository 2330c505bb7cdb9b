package io.moaiflow.swarmdb.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.HealthReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one listener's paths. Every response is small and built in memory; request bodies are
 * never read beyond the configured cap. Thread safe.
 */
final class OpsHandler implements HttpHandler {
  static final String JSON = "application/json; charset=utf-8";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String ALLOW = "GET, HEAD";

  private static final Logger LOG = LoggerFactory.getLogger(OpsHandler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SwarmDB db;
  private final HealthCache health;
  private final MeterRegistry registry;
  private final @Nullable PrometheusMeterRegistry prometheus;
  private final String registryName;
  private final Runnable beforeScrape;
  private final Set<String> paths;
  private final long maxBodyBytes;
  private final byte @Nullable [] tokenDigest;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  OpsHandler(
      SwarmDB db,
      HealthCache health,
      MeterRegistry registry,
      @Nullable PrometheusMeterRegistry prometheus,
      String registryName,
      Runnable beforeScrape,
      Set<String> paths,
      OpsOptions options) {
    this.db = db;
    this.health = health;
    this.registry = registry;
    this.prometheus = prometheus;
    this.registryName = registryName;
    this.beforeScrape = beforeScrape;
    this.paths = Set.copyOf(paths);
    this.maxBodyBytes = options.maxBodyBytes();
    String token = options.metricsToken();
    this.tokenDigest =
        token == null ? null : sha256(("Bearer " + token).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String endpoint = "other";
    int status = 500;
    try {
      String path = exchange.getRequestURI().getRawPath();
      if (paths.contains(path)) {
        endpoint = path;
      }
      status = route(exchange, path);
    } catch (IOException e) {
      // The client went away or was cut off by the request time limit.
      LOG.debug(
          "ops request {} {} failed: {}", exchange.getRequestMethod(), endpoint, e.toString());
      throw e;
    } catch (RuntimeException e) {
      LOG.error("ops request {} {} failed", exchange.getRequestMethod(), endpoint, e);
      if (exchange.getResponseCode() == -1) {
        send(exchange, 500, JSON, error("internal error; see the server log"));
      }
    } finally {
      exchange.close();
      timer(endpoint, status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String endpoint, int status) {
    return timers.computeIfAbsent(
        endpoint + ' ' + status,
        k ->
            Timer.builder("moai.flow.ops.requests")
                .description("Requests served by the ops endpoint")
                .tag("endpoint", endpoint)
                .tag("status", Integer.toString(status))
                .register(registry));
  }

  private int route(HttpExchange ex, String path) throws IOException {
    Headers out = ex.getResponseHeaders();
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    long declared = declaredLength(ex.getRequestHeaders());
    if (declared == -2) {
      return sendAndClose(ex, 400, "Content-Length is not a number");
    }
    if (declared > maxBodyBytes) {
      return sendAndClose(ex, 413, "request body over " + maxBodyBytes + " bytes");
    }
    if (!paths.contains(path)) {
      String served = String.join(", ", new TreeSet<>(paths));
      return send(ex, 404, JSON, error("no such path; this listener serves " + served));
    }
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("HEAD")) {
      out.set("Allow", ALLOW);
      return send(ex, 405, JSON, error(method + " is not allowed; use " + ALLOW));
    }
    if (!discardBody(ex.getRequestBody())) {
      return sendAndClose(ex, 413, "request body over " + maxBodyBytes + " bytes");
    }
    return switch (path) {
      case "/health" -> health(ex);
      case "/live" -> send(ex, 200, JSON, json(Map.of("status", "alive")));
      case "/ready" -> ready(ex);
      default -> metrics(ex);
    };
  }

  /** The declared body length: -1 when none is declared, -2 when it is not a number. */
  static long declaredLength(Headers in) {
    String value = in.getFirst("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(value.trim());
      return n < 0 ? -2 : n;
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  /** Reads and drops the body, at most {@code maxBodyBytes + 1} bytes; false when it is longer. */
  private boolean discardBody(InputStream body) throws IOException {
    byte[] buf = new byte[1024];
    long total = 0;
    int n;
    while ((n = body.read(buf, 0, (int) Math.min(buf.length, maxBodyBytes + 1 - total))) > 0) {
      total += n;
      if (total > maxBodyBytes) {
        return false;
      }
    }
    return true;
  }

  private int health(HttpExchange ex) throws IOException {
    HealthReport r = health.get();
    return send(ex, r.healthy() ? 200 : 503, JSON, json(r.toJsonMap(null)));
  }

  private int ready(HttpExchange ex) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    if (db.isClosed()) {
      body.put("status", "not ready");
      body.put("problems", List.of("database is closed"));
      return send(ex, 503, JSON, json(body));
    }
    HealthReport r = health.get();
    boolean current = r.schemaVersion() == r.expectedSchemaVersion();
    body.put("status", current ? "ready" : "not ready");
    body.put("schemaVersion", r.schemaVersion());
    body.put("expectedSchemaVersion", r.expectedSchemaVersion());
    body.put(
        "problems",
        current
            ? List.of()
            : List.of(
                "schema version is "
                    + r.schemaVersion()
                    + ", this server needs "
                    + r.expectedSchemaVersion()));
    return send(ex, current ? 200 : 503, JSON, json(body));
  }

  private int metrics(HttpExchange ex) throws IOException {
    byte[] expected = tokenDigest;
    if (expected != null) {
      String given = ex.getRequestHeaders().getFirst("Authorization");
      byte[] actual = sha256((given == null ? "" : given).getBytes(StandardCharsets.UTF_8));
      // Digests have one length, so the comparison time does not depend on the token either.
      if (!MessageDigest.isEqual(expected, actual)) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"swarmdb-metrics\"");
        return send(
            ex, 401, JSON, error(given == null ? "missing bearer token" : "wrong bearer token"));
      }
    }
    PrometheusMeterRegistry scraped = prometheus;
    if (scraped == null) {
      return send(
          ex,
          404,
          JSON,
          error(
              "this ops server's meters are in the application's registry ("
                  + registryName
                  + "), which has no Prometheus text format; read them where the application"
                  + " exports its metrics"));
    }
    // the database-wide counters first, so an event type first seen now has its series in this
    // scrape
    beforeScrape.run();
    return send(ex, 200, PROMETHEUS_TEXT, scraped.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private static int send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
      return status;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
    return status;
  }

  /** An error the connection does not survive: the client's body is not read to its end. */
  private static int sendAndClose(HttpExchange ex, int status, String message) throws IOException {
    ex.getResponseHeaders().set("Connection", "close");
    return send(ex, status, JSON, error(message));
  }

  private static byte[] error(String message) {
    return json(Map.of("error", message));
  }

  private static byte[] json(Map<String, ?> body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write JSON for " + body.keySet(), e);
    }
  }

  static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
