package io.moaiflow.swarmdb.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only dashboard under {@code /ui} ({@code serve --ui}): the page, its assets (our own JS
 * and CSS, uPlot from its WebJar) and the JSON and Server-Sent Events endpoints under {@code
 * /ui/api}, all built on the public API. Every response carries a strict Content-Security-Policy.
 *
 * <p>With a metrics token every path needs it, as {@code Authorization: Bearer} or as the session
 * cookie that {@code GET /ui?token=TOKEN} issues once (a browser cannot put a header on the page's
 * EventSource): the cookie holds a random value of this server, never the token, and is HttpOnly,
 * SameSite=Strict, limited to {@code /ui} and Secure under TLS. Thread safe.
 */
final class DashboardHandler implements HttpHandler {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'";
  static final String COOKIE = "swarmdb_ui";
  static final String UPLOT_VERSION = "1.6.30";

  /** Largest {@code limit} of the list endpoints, and their default. */
  static final int MAX_LIMIT = 500;

  static final int DEFAULT_LIMIT = 100;

  /** Events sent to a stream opened without a cursor: the newest of the log. */
  static final int STREAM_BACKLOG = 50;

  /**
   * Seqs read back per step while looking for the stream's backlog (the most {@code since} reads).
   */
  private static final int WINDOW = 10_000;

  /** Events read from the log per poll of a stream. */
  static final int STREAM_BATCH = 500;

  static final long STREAM_POLL_MILLIS = 250;

  static final Duration NO_LIMIT_WINDOW = Duration.ofSeconds(30);

  private static final long HEARTBEAT_NANOS = 1_000_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String JSON = OpsHandler.JSON;
  private static final String UPLOT_DIST = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION;

  /** Served file name to content type and classpath resource. */
  private static final Map<String, String[]> ASSETS =
      Map.of(
          "dashboard.js",
          new String[] {
            "text/javascript; charset=utf-8", "io/moaiflow/swarmdb/ops/ui/dashboard.js"
          },
          "dashboard.css",
          new String[] {"text/css; charset=utf-8", "io/moaiflow/swarmdb/ops/ui/dashboard.css"},
          "uPlot.iife.min.js",
          new String[] {"text/javascript; charset=utf-8", UPLOT_DIST + "/dist/uPlot.iife.min.js"},
          "uPlot.min.css",
          new String[] {"text/css; charset=utf-8", UPLOT_DIST + "/dist/uPlot.min.css"});

  private final SwarmDB db;
  private final MeterRegistry registry;
  private final DashboardSampler sampler;
  private final long maxBodyBytes;
  private final byte @Nullable [] tokenDigest;
  private final String sessionValue;
  private final boolean tls;
  private final Duration streamWindow;
  private final Semaphore streams;
  private final byte[] page;
  private final Map<String, byte[]> assets = new HashMap<>();

  /**
   * @param responseLimit the JDK server's response time limit in effect ({@link HttpLimits}), which
   *     bounds how long one event stream may stay open
   */
  DashboardHandler(
      SwarmDB db,
      DashboardSampler sampler,
      MeterRegistry registry,
      OpsOptions options,
      Duration responseLimit) {
    this.db = db;
    this.registry = registry;
    this.sampler = sampler;
    this.maxBodyBytes = options.maxBodyBytes();
    String token = options.metricsToken();
    this.tokenDigest =
        token == null
            ? null
            : OpsHandler.sha256(("Bearer " + token).getBytes(StandardCharsets.UTF_8));
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    this.sessionValue = HexFormat.of().formatHex(random);
    this.tls = options.tls();
    this.streamWindow = streamWindow(responseLimit);
    this.streams = new Semaphore(maxStreams(options.workerThreads()));
    this.page = resource("io/moaiflow/swarmdb/ops/ui/index.html");
    for (Map.Entry<String, String[]> e : ASSETS.entrySet()) {
      assets.put(e.getKey(), resource(e.getValue()[1]));
    }
  }

  /**
   * How long one event stream stays open: under the JDK server's response time limit, which would
   * cut it; the browser then reconnects with {@code Last-Event-ID}.
   */
  static Duration streamWindow(Duration requestTimeout) {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      return NO_LIMIT_WINDOW; // the application turned the JDK's limit off (-1)
    }
    Duration lessOne = requestTimeout.minusSeconds(1);
    Duration half = requestTimeout.dividedBy(2);
    return lessOne.compareTo(half) > 0 ? lessOne : half;
  }

  /** Open event streams allowed at once: half the workers, so health checks always get one. */
  static int maxStreams(int workerThreads) {
    return Math.max(1, workerThreads / 2);
  }

  private static byte[] resource(String name) {
    // our own files through the class (on a module path they are in this module's packages); the
    // WebJar's through the loader (META-INF is never encapsulated)
    try (InputStream in =
        name.startsWith("META-INF/")
            ? DashboardHandler.class.getClassLoader().getResourceAsStream(name)
            : DashboardHandler.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT,
            "the dashboard's file "
                + name
                + " is not on the class path; the dashboard needs the swarmdb jar's resources and"
                + " org.webjars.npm:uplot:"
                + UPLOT_VERSION);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new SwarmDbException(ErrorCode.IO_ERROR, "could not read " + name, e);
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getRawPath();
    try {
      route(ex, path);
    } catch (SwarmDbException e) {
      int status =
          switch (e.code()) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            default -> 500;
          };
      if (status == 500) {
        LOG.error("dashboard request {} failed", path, e);
      }
      if (ex.getResponseCode() == -1) {
        send(
            ex,
            status,
            JSON,
            error(status == 500 ? "internal error; see the server log" : e.getMessage()));
      }
    } catch (IOException e) {
      LOG.debug("dashboard request {} failed: {}", path, e.toString());
      throw e;
    } catch (RuntimeException e) {
      LOG.error("dashboard request {} failed", path, e);
      if (ex.getResponseCode() == -1) {
        send(ex, 500, JSON, error("internal error; see the server log"));
      }
    } finally {
      ex.close();
      // the ops request timer, in three endpoints: the page and assets, the JSON, the stream
      Timer.builder("moai.flow.ops.requests")
          .description("Requests served by the ops endpoint")
          .tag(
              "endpoint",
              path.equals("/ui/api/events/stream")
                  ? path
                  : path.startsWith("/ui/api/") ? "/ui/api" : "/ui")
          .tag("status", Integer.toString(ex.getResponseCode()))
          .register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private void route(HttpExchange ex, String path) throws IOException {
    Headers out = ex.getResponseHeaders();
    out.set("Content-Security-Policy", CSP);
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("HEAD")) {
      out.set("Allow", OpsHandler.ALLOW);
      out.set("Connection", "close");
      send(ex, 405, JSON, error(method + " is not allowed; the dashboard is read-only"));
      return;
    }
    long declared = OpsHandler.declaredLength(ex.getRequestHeaders());
    if (declared == -2 || declared > maxBodyBytes) {
      out.set("Connection", "close");
      send(ex, declared == -2 ? 400 : 413, JSON, error("a dashboard request has no body"));
      return;
    }
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    if (!authorized(ex)) {
      String given = query.get("token");
      boolean isPage = path.equals("/ui") || path.equals("/ui/");
      if (isPage && given != null && validToken(given)) {
        // the token leaves the address bar: the page is reloaded without it, with the cookie
        out.set(
            "Set-Cookie",
            COOKIE
                + "="
                + sessionValue
                + "; Path=/ui; HttpOnly; SameSite=Strict"
                + (tls ? "; Secure" : ""));
        out.set("Location", "/ui");
        send(ex, 303, JSON, error("signed in; continue at /ui"));
        return;
      }
      out.set("WWW-Authenticate", "Bearer realm=\"swarmdb-metrics\"");
      send(
          ex,
          401,
          JSON,
          error(
              given == null || !isPage
                  ? "the dashboard needs the metrics token: open /ui?token=TOKEN once (the page"
                      + " then signs in with a cookie) or send Authorization: Bearer TOKEN"
                  : "wrong token in /ui?token="));
      return;
    }
    switch (path) {
      case "/ui", "/ui/" -> send(ex, 200, "text/html; charset=utf-8", page);
      case "/ui/api/summary" -> send(ex, 200, JSON, json(summary()));
      case "/ui/api/sessions" -> send(ex, 200, JSON, json(sessions(query)));
      case "/ui/api/timeline" -> send(ex, 200, JSON, json(timeline(query)));
      case "/ui/api/memory" -> send(ex, 200, JSON, json(memory(query)));
      case "/ui/api/size" -> send(ex, 200, JSON, json(size()));
      case "/ui/api/events/stream" -> stream(ex, query);
      default -> {
        String name = path.startsWith("/ui/assets/") ? path.substring("/ui/assets/".length()) : "";
        byte[] body = assets.get(name);
        String[] asset = ASSETS.get(name);
        if (body == null || asset == null) {
          send(ex, 404, JSON, error("no such dashboard path: " + path));
        } else {
          send(ex, 200, asset[0], body);
        }
      }
    }
  }

  private boolean authorized(HttpExchange ex) {
    byte[] expected = tokenDigest;
    if (expected == null) {
      return true;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null
        && MessageDigest.isEqual(
            expected, OpsHandler.sha256(header.getBytes(StandardCharsets.UTF_8)))) {
      return true;
    }
    byte[] want = sessionValue.getBytes(StandardCharsets.UTF_8);
    for (String line : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String part : line.split(";", -1)) {
        String c = part.strip();
        if (c.startsWith(COOKIE + "=")
            && MessageDigest.isEqual(
                want, c.substring(COOKIE.length() + 1).getBytes(StandardCharsets.UTF_8))) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean validToken(String token) {
    byte[] expected = tokenDigest;
    return expected != null
        && MessageDigest.isEqual(
            expected, OpsHandler.sha256(("Bearer " + token).getBytes(StandardCharsets.UTF_8)));
  }

  private Map<String, Object> summary() {
    Map<String, Long> counts = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<AgentStatus, Long> e : db.agents().countByStatus().entrySet()) {
      counts.put(e.getKey().dbName(), e.getValue());
      total += e.getValue();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("database", db.path().map(Object::toString).orElse(db.toString()));
    body.put("agents", counts);
    body.put("agentsTotal", total);
    body.put("sessions", db.sessions().count());
    body.put("lastSeq", db.events().lastSeq());
    body.put("now", System.currentTimeMillis());
    return body;
  }

  private Map<String, Object> sessions(Map<String, String> query) {
    int limit = limit(query);
    List<Session> page = db.sessions().page(false, query.get("after"), limit + 1);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Session s : page.subList(0, Math.min(limit, page.size()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("sessionId", s.sessionId());
      row.put("active", s.isActive());
      row.put("startedAt", s.startedAt().toEpochMilli());
      row.put("endedAt", millis(s.endedAt()));
      rows.add(row);
    }
    return Map.of("sessions", rows, "more", page.size() > limit);
  }

  private Map<String, Object> timeline(Map<String, String> query) {
    String session = required(query, "session");
    int limit = limit(query);
    List<Agent> agents = db.agents().page(null, session, null, limit + 1);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Agent a : agents.subList(0, Math.min(limit, agents.size()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("agentId", a.agentId());
      row.put("agentType", a.agentType());
      row.put("status", a.status().dbName());
      row.put("spawnedAt", a.spawnedAt().toEpochMilli());
      row.put("completedAt", millis(a.completedAt()));
      row.put("updatedAt", a.updatedAt().toEpochMilli());
      rows.add(row);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", session);
    body.put("agents", rows);
    body.put("more", agents.size() > limit);
    body.put("now", System.currentTimeMillis());
    return body;
  }

  /**
   * A scope's newest memory: {@code ?scope=} any scope's written form ({@code swarm}, {@code
   * agent:ID}, {@code ns:NAME}, {@code session:ID}), or {@code ?session=ID}.
   */
  private Map<String, Object> memory(Map<String, String> query) {
    String written = query.get("scope");
    Scope scope =
        written == null || written.isBlank()
            ? Scope.session(required(query, "session"))
            : Scope.parse(written);
    int limit = limit(query);
    String session = scope.kind() == Scope.Kind.SESSION ? scope.id() : null;
    if (session != null && db.sessions().get(session).isEmpty()) {
      throw new SwarmDbException(ErrorCode.NOT_FOUND, "no session " + session);
    }
    List<MemoryEntry> entries = db.memory(scope).recent(limit + 1);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (MemoryEntry m : entries.subList(0, Math.min(limit, entries.size()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("memoryType", m.memoryType());
      row.put("key", m.key());
      row.put("value", m.valueJson());
      row.put("version", m.version());
      row.put("updatedAt", m.updatedAt().toEpochMilli());
      row.put("expiresAt", millis(m.expiresAt()));
      rows.add(row);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("scope", scope.toString());
    if (session != null) {
      body.put("sessionId", session);
    }
    body.put("entries", rows);
    body.put("more", entries.size() > limit);
    return body;
  }

  private Map<String, Object> size() {
    List<long[]> samples = new ArrayList<>();
    for (DashboardSampler.Sample s : sampler.samples()) {
      samples.add(new long[] {s.atMillis(), s.sizeBytes(), s.walBytes()});
    }
    return Map.of("samples", samples);
  }

  /**
   * The cursor just before the newest {@link #STREAM_BACKLOG} events (0 when the log holds fewer).
   * Found, not computed: every change of the swarm takes a number of the event sequence, so event
   * seqs have gaps. The log is read back in windows of {@link #WINDOW} seqs, each holding at most
   * that many events, so one {@code since} call returns all of a window.
   */
  private long backlogCursor() {
    long from = db.events().lastSeq();
    int found = 0;
    while (from > 0) {
      long lo = Math.max(0, from - WINDOW);
      long hi = from;
      List<AgentEvent> window =
          db.events().since(lo, WINDOW).stream().filter(e -> e.seq() <= hi).toList();
      if (found + window.size() >= STREAM_BACKLOG) {
        return window.get(window.size() - (STREAM_BACKLOG - found)).seq() - 1;
      }
      found += window.size();
      from = lo;
    }
    return 0;
  }

  /**
   * Server-Sent Events from the log, {@code id:} = seq, for {@link #streamWindow}; resumes after
   * {@code Last-Event-ID} (the browser sends it on reconnect), else after {@code ?after=}, else
   * with the newest {@link #STREAM_BACKLOG} events.
   */
  private void stream(HttpExchange ex, Map<String, String> query) throws IOException {
    String lastId = ex.getRequestHeaders().getFirst("Last-Event-ID");
    long cursor;
    if (lastId != null && !lastId.isBlank()) {
      cursor = seq("Last-Event-ID", lastId);
    } else if (query.containsKey("after")) {
      cursor = seq("after", query.get("after"));
    } else {
      cursor = backlogCursor();
    }
    if (!streams.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "2");
      send(
          ex,
          503,
          JSON,
          error(
              "too many open event streams (the limit is half the ops worker threads); close a"
                  + " dashboard tab or raise workerThreads"));
      return;
    }
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
        ex.sendResponseHeaders(200, -1);
        return;
      }
      ex.sendResponseHeaders(200, 0);
      long deadline = System.nanoTime() + streamWindow.toNanos();
      try (OutputStream os = ex.getResponseBody()) {
        // An id without data sets the browser's Last-Event-ID without an event: a reconnect resumes
        // from here even when this stream sends nothing.
        os.write(("retry: 1000\nid: " + cursor + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
        long lastWrite = System.nanoTime();
        while (System.nanoTime() < deadline) {
          List<AgentEvent> batch = db.events().since(cursor, STREAM_BATCH);
          StringBuilder out = new StringBuilder();
          for (AgentEvent e : batch) {
            out.append("id: ").append(e.seq()).append("\nevent: agent\ndata: ");
            out.append(new String(json(event(e)), StandardCharsets.UTF_8)).append("\n\n");
            cursor = e.seq();
          }
          long now = System.nanoTime();
          if (out.length() == 0 && now - lastWrite >= HEARTBEAT_NANOS) {
            // a comment line: keeps proxies from timing out, and finds a closed tab on write
            out.append(":\n\n");
          }
          if (out.length() > 0) {
            os.write(out.toString().getBytes(StandardCharsets.UTF_8));
            os.flush();
            lastWrite = now;
          }
          if (batch.size() < STREAM_BATCH) {
            Thread.sleep(STREAM_POLL_MILLIS);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      streams.release();
    }
  }

  private static Map<String, Object> event(AgentEvent e) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("seq", e.seq());
    row.put("eventId", e.eventId());
    row.put("eventType", e.eventType());
    row.put("agentId", e.agentId());
    row.put("agentType", e.agentType());
    row.put("sessionId", e.sessionId());
    row.put("timestamp", e.timestamp().toEpochMilli());
    row.put("metadata", e.metadata());
    return row;
  }

  private static long seq(String name, @Nullable String value) {
    try {
      long n = Long.parseLong(value == null ? "" : value.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SwarmDbException(
        ErrorCode.INVALID_ARGUMENT, name + " is '" + value + "'; use an event seq (0 or more)");
  }

  static int limit(Map<String, String> query) {
    String value = query.get("limit");
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SwarmDbException(
        ErrorCode.INVALID_ARGUMENT,
        "limit is '" + value + "'; use 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
  }

  private static String required(Map<String, String> query, String name) {
    String value = query.get(name);
    if (value == null || value.isBlank()) {
      throw new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "?" + name + "= is required");
    }
    return value;
  }

  static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.putIfAbsent(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT, "the query has a malformed %-escape in '" + pair + "'");
      }
    }
    return out;
  }

  private static @Nullable Long millis(@Nullable Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  private static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  private static byte[] error(@Nullable String message) {
    return json(Map.of("error", String.valueOf(message)));
  }

  private static byte[] json(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write dashboard JSON", e);
    }
  }
}
