package io.moaiflow.swarmdb.ops;

import static io.moaiflow.swarmdb.ops.OpsTestSupport.CLIENT;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.get;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.options;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's HTTP surface, driven by a raw HTTP client (the browser test is in cli). */
class DashboardHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "0123456789abcdef0123";
  private static final List<String> PATHS =
      List.of(
          "/ui",
          "/ui/",
          "/ui/assets/dashboard.js",
          "/ui/assets/dashboard.css",
          "/ui/assets/uPlot.iife.min.js",
          "/ui/assets/uPlot.min.css",
          "/ui/api/summary",
          "/ui/api/sessions",
          "/ui/api/timeline?session=s-1",
          "/ui/api/memory?session=s-1",
          "/ui/api/size",
          "/ui/api/events/stream");

  @TempDir Path dir;
  SwarmDB db;
  OpsServer server;

  @BeforeEach
  void open() {
    db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build());
    db.sessions().start("s-1");
    db.sessions().start("s-2");
    db.agents().register("a-1", "coder", "s-1", Map.of());
    db.agents().register("a-2", "coder", "s-1", Map.of());
    db.agents().register("a-3", "tester", "s-1", Map.of());
    db.agents().register("b-1", "coder", "s-2", Map.of());
    db.agents().transition("a-1", AgentStatus.RUNNING);
    db.agents().transition("a-1", AgentStatus.COMPLETE);
    db.agents().transition("a-2", AgentStatus.ERROR);
    db.agents().transition("b-1", AgentStatus.RUNNING);
    db.sessions().memory("s-1").put("semantic", "plan", Map.of("step", 1));
    db.sessions().memory("s-1").put("episodic", "note", "done");
    // every change above took a number of the one sequence (schema v3): events start after them
    base = db.asOf(Instant.now().plusSeconds(3600)).seq();
  }

  /** The seq the setup's changes end at: the stream tests' events are {@code base + 1, ...}. */
  private long base;

  /** {@return the seq of the {@code n}-th event the test appended, as text} */
  private String at(long n) {
    return String.valueOf(base + n);
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    db.close();
  }

  private int start(OpsOptions.Builder options) {
    server = OpsServer.start(db, options.build());
    return server.port();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private void append(int n) {
    List<AgentEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(AgentEvent.of("tool_call", "a-1", "coder", "s-1", Map.of("i", i)));
    }
    db.events().appendAll(events);
  }

  /** The ids of one event stream, read until the server ends it (its window). */
  private List<Long> streamIds(int port, String query, String lastEventId) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/ui/api/events/stream" + query))
            .timeout(Duration.ofSeconds(30));
    if (!lastEventId.isEmpty()) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
    // the ids of events (blocks with data), not the cursor line a stream opens with
    List<Long> ids = new ArrayList<>();
    String id = null;
    try (Stream<String> lines = r.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ") && id != null) {
          ids.add(Long.parseLong(id) - base); // the test's own numbering: 1 is its first event
        } else if (line.isEmpty()) {
          id = null;
        }
      }
    }
    return ids;
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().collect(Collectors.toList());
  }

  @Test
  void withoutUiTheDashboardIs404() throws Exception {
    int port = start(options().metricsPort(0));
    for (String path : List.of("/ui", "/ui/api/summary", "/ui/assets/dashboard.js")) {
      assertThat(get(port, path).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void withTwoListenersTheDashboardIsOnTheMainOneOnly() throws Exception {
    int port = start(options().ui(true).metricsPort(OpsTestSupport.freePort()));
    assertThat(server.metricsPort()).isNotEqualTo(port);
    assertThat(get(port, "/ui").statusCode()).isEqualTo(200);
    assertThat(get(server.metricsPort(), "/ui").statusCode()).isEqualTo(404);
    assertThat(get(server.metricsPort(), "/ui/api/summary").statusCode()).isEqualTo(404);
  }

  @Test
  void everyPathCarriesTheStrictCspAndNeedsTheTokenWhenOneIsSet() throws Exception {
    int port = start(options().ui(true).metricsToken(TOKEN));
    for (String path : PATHS) {
      HttpResponse<String> r = get(port, path);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(DashboardHandler.CSP);
      assertThat(r.body()).contains("/ui?token=TOKEN");
      HttpResponse<String> wrong = get(port, path, "Authorization", "Bearer " + TOKEN + "x");
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
    }
    for (String path : PATHS) {
      if (path.endsWith("/stream")) {
        continue; // streamed, read below
      }
      HttpResponse<String> r = get(port, path, "Authorization", "Bearer " + TOKEN);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy"))
          .hasValue(
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                  + " connect-src 'self'; frame-ancestors 'none'");
    }
    // health stays open, as before
    assertThat(get(port, "/health").statusCode()).isEqualTo(200);
    // and the ops request timer counts the dashboard's requests in three endpoints
    assertThat(get(port, "/metrics", "Authorization", "Bearer " + TOKEN).body())
        .contains("moai_flow_ops_requests_seconds_count{endpoint=\"/ui\",status=\"200\"} 6")
        .contains("moai_flow_ops_requests_seconds_count{endpoint=\"/ui/api\",status=\"200\"} 5")
        .contains("moai_flow_ops_requests_seconds_count{endpoint=\"/ui/api\",status=\"401\"} 10")
        .contains(
            "moai_flow_ops_requests_seconds_count{endpoint=\"/ui/api/events/stream\",status=\"401\"} 2");
  }

  @Test
  void tokenInTheAddressIsExchangedOnceForAnHttpOnlyStrictCookie() throws Exception {
    int port = start(options().ui(true).metricsToken(TOKEN));
    HttpResponse<String> wrong = get(port, "/ui?token=" + TOKEN + "x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("wrong token in /ui?token=");
    // only the page exchanges a token; an API path does not take one in its address
    assertThat(get(port, "/ui/api/summary?token=" + TOKEN).statusCode()).isEqualTo(401);

    HttpResponse<String> signIn = get(port, "/ui?token=" + TOKEN);
    assertThat(signIn.statusCode()).isEqualTo(303);
    assertThat(signIn.headers().firstValue("Location")).hasValue("/ui");
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith(DashboardHandler.COOKIE + "=")
        .contains("; Path=/ui; HttpOnly; SameSite=Strict")
        .doesNotContain(TOKEN)
        .doesNotContain("Secure");
    String value = cookie.substring(0, cookie.indexOf(';'));

    for (String path : PATHS) {
      if (!path.endsWith("/stream")) {
        assertThat(get(port, path, "Cookie", "other=1; " + value).statusCode())
            .as(path)
            .isEqualTo(200);
      }
    }
    assertThat(get(port, "/ui/api/summary", "Cookie", value + "0").statusCode()).isEqualTo(401);
    assertThat(
            get(port, "/ui/api/summary", "Cookie", DashboardHandler.COOKIE + "=" + TOKEN)
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void withoutATokenThePageAndAssetsAreServed() throws Exception {
    int port = start(options().ui(true));
    HttpResponse<String> page = get(port, "/ui");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body())
        .contains("<script src=\"/ui/assets/dashboard.js\" defer></script>")
        .doesNotContain("style=")
        .doesNotContain("<style")
        .doesNotContainPattern("<script>");
    assertThat(get(port, "/ui/assets/uPlot.iife.min.js").body()).contains("uPlot");
    assertThat(get(port, "/ui/assets/uPlot.min.css").headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(get(port, "/ui/assets/dashboard.js").headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    for (String path :
        List.of(
            "/ui/nope",
            "/uix",
            "/ui/assets/",
            "/ui/assets/../index.html",
            "/ui/assets/index.html",
            "/ui/api/nope")) {
      HttpResponse<String> r = get(port, path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(DashboardHandler.CSP);
    }
    HttpResponse<String> post = send(port, "POST", "/ui/api/summary");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(send(port, "HEAD", "/ui").statusCode()).isEqualTo(200);
  }

  @Test
  void apiEndpointsReportTheDatabase() throws Exception {
    int port = start(options().ui(true));
    JsonNode summary = json(get(port, "/ui/api/summary"));
    assertThat(summary.get("agents").toString())
        .isEqualTo("{\"spawned\":1,\"running\":1,\"complete\":1,\"error\":1,\"cancelled\":0}");
    assertThat(summary.get("agentsTotal").asLong()).isEqualTo(4);
    assertThat(summary.get("sessions").asLong()).isEqualTo(2);

    JsonNode sessions = json(get(port, "/ui/api/sessions"));
    assertThat(sessions.get("sessions")).hasSize(2);

    JsonNode timeline = json(get(port, "/ui/api/timeline?session=s-1"));
    assertThat(timeline.get("agents").findValuesAsText("status"))
        .containsExactly("complete", "error", "spawned");
    assertThat(timeline.get("agents").get(0).get("completedAt").isNumber()).isTrue();
    assertThat(timeline.get("agents").get(2).get("completedAt").isNull()).isTrue();

    JsonNode memory = json(get(port, "/ui/api/memory?session=s-1"));
    assertThat(memory.get("entries").findValuesAsText("key"))
        .containsExactlyInAnyOrder("plan", "note");
    assertThat(memory.get("entries").findValuesAsText("value"))
        .containsExactlyInAnyOrder("{\"step\":1}", "\"done\"");
    assertThat(get(port, "/ui/api/memory?session=s-none").statusCode()).isEqualTo(404);
    assertThat(get(port, "/ui/api/memory").statusCode()).isEqualTo(400);
    // any scope by its written form; a session's the same as ?session=
    db.memory(io.moaiflow.swarmdb.Scope.swarm()).put("semantic", "db", "postgres 16");
    db.memory(io.moaiflow.swarmdb.Scope.agent("planner")).put("semantic", "retries", 3);
    JsonNode swarm = json(get(port, "/ui/api/memory?scope=swarm"));
    assertThat(swarm.get("scope").asText()).isEqualTo("swarm");
    assertThat(swarm.has("sessionId")).isFalse();
    assertThat(swarm.get("entries").findValuesAsText("key")).containsExactly("db");
    assertThat(
            json(get(port, "/ui/api/memory?scope=agent%3Aplanner"))
                .get("entries")
                .findValuesAsText("value"))
        .containsExactly("3");
    JsonNode viaScope = json(get(port, "/ui/api/memory?scope=session%3As-1"));
    assertThat(viaScope.get("sessionId").asText()).isEqualTo("s-1");
    assertThat(viaScope.get("entries")).isEqualTo(memory.get("entries"));
    assertThat(get(port, "/ui/api/memory?scope=team%3Ax").statusCode()).isEqualTo(400);
    assertThat(get(port, "/ui/api/memory?scope=session%3As-none").statusCode()).isEqualTo(404);
    assertThat(json(get(port, "/ui/api/memory?scope=ns%3Aempty")).get("entries")).isEmpty();
    assertThat(get(port, "/ui/api/timeline").statusCode()).isEqualTo(400);

    JsonNode size = json(get(port, "/ui/api/size"));
    assertThat(size.get("samples").size()).isGreaterThanOrEqualTo(1);
    assertThat(size.get("samples").get(0).get(1).asLong()).isPositive();
  }

  @Test
  void limitIsCheckedAtItsBoundsOnEveryListEndpoint() throws Exception {
    int port = start(options().ui(true));
    String max = Integer.toString(DashboardHandler.MAX_LIMIT);
    String over = Integer.toString(DashboardHandler.MAX_LIMIT + 1);
    for (String base :
        List.of(
            "/ui/api/sessions?", "/ui/api/timeline?session=s-1&", "/ui/api/memory?session=s-1&")) {
      assertThat(get(port, base + "limit=-1").statusCode()).as(base).isEqualTo(400);
      assertThat(get(port, base + "limit=0").statusCode()).as(base).isEqualTo(400);
      assertThat(get(port, base + "limit=1").statusCode()).as(base).isEqualTo(200);
      assertThat(get(port, base + "limit=" + max).statusCode()).as(base).isEqualTo(200);
      HttpResponse<String> r = get(port, base + "limit=" + over);
      assertThat(r.statusCode()).as(base).isEqualTo(400);
      assertThat(r.body()).contains("use 1 to 500");
      assertThat(get(port, base + "limit=x").statusCode()).as(base).isEqualTo(400);
    }
    // s-1 has 3 agents: a page of 2 says there is more, pages of 3 and 4 do not
    JsonNode two = json(get(port, "/ui/api/timeline?session=s-1&limit=2"));
    assertThat(two.get("agents")).hasSize(2);
    assertThat(two.get("more").asBoolean()).isTrue();
    for (int limit : new int[] {3, 4}) {
      JsonNode page = json(get(port, "/ui/api/timeline?session=s-1&limit=" + limit));
      assertThat(page.get("agents")).hasSize(3);
      assertThat(page.get("more").asBoolean()).isFalse();
    }
    // 2 sessions, newest first, and the cursor continues after the last one shown
    JsonNode first = json(get(port, "/ui/api/sessions?limit=1"));
    assertThat(first.get("sessions")).hasSize(1);
    String shown = first.get("sessions").get(0).get("sessionId").asText();
    assertThat(first.get("more").asBoolean()).isTrue();
    for (int limit : new int[] {2, 3}) {
      JsonNode page = json(get(port, "/ui/api/sessions?limit=" + limit));
      assertThat(page.get("sessions")).hasSize(2);
      assertThat(page.get("more").asBoolean()).isFalse();
    }
    JsonNode next = json(get(port, "/ui/api/sessions?limit=1&after=" + shown));
    assertThat(next.get("sessions").findValuesAsText("sessionId"))
        .containsExactly(shown.equals("s-1") ? "s-2" : "s-1");
    assertThat(next.get("more").asBoolean()).isFalse();
    assertThat(get(port, "/ui/api/sessions?after=s-none").statusCode()).isEqualTo(404);
    // s-1 has 2 memory entries
    JsonNode one = json(get(port, "/ui/api/memory?session=s-1&limit=1"));
    assertThat(one.get("entries")).hasSize(1);
    assertThat(one.get("more").asBoolean()).isTrue();
    for (int limit : new int[] {2, 3}) {
      JsonNode page = json(get(port, "/ui/api/memory?session=s-1&limit=" + limit));
      assertThat(page.get("entries")).hasSize(2);
      assertThat(page.get("more").asBoolean()).isFalse();
    }
  }

  @Test
  void streamStartsWithTheNewestBacklogAndResumesAfterLastEventId() throws Exception {
    int port = start(options().ui(true));
    int backlog = DashboardHandler.STREAM_BACKLOG;
    append(backlog - 1);
    assertThat(streamIds(port, "", "")).isEqualTo(range(1, backlog - 1));
    append(1);
    assertThat(streamIds(port, "", "")).isEqualTo(range(1, backlog));
    append(1);
    assertThat(streamIds(port, "", "")).isEqualTo(range(2, backlog + 1));

    assertThat(streamIds(port, "", at(10))).isEqualTo(range(11, backlog + 1));
    assertThat(streamIds(port, "?after=" + at(40), "")).isEqualTo(range(41, backlog + 1));
    // the header (the browser's reconnect) wins over the address (the page's first cursor)
    assertThat(streamIds(port, "?after=" + at(40), at(45))).isEqualTo(range(46, backlog + 1));
    assertThat(streamIds(port, "", at(backlog + 1))).isEmpty();
    for (String bad : List.of("-1", "x")) {
      HttpResponse<String> r = get(port, "/ui/api/events/stream", "Last-Event-ID", bad);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("use an event seq");
    }
  }

  @Test
  void reconnectingWithLastEventIdLosesAndRepeatsNothingWhileEventsArrive() throws Exception {
    int port = start(options().ui(true));
    // a writer appends all through three streams; each reconnect passes the last id it saw
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 60; i++) {
                append(3);
                try {
                  Thread.sleep(40);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            });
    List<Long> seen = new ArrayList<>(streamIds(port, "?after=0", ""));
    int connections = 1;
    while (!writer.isDone() || seen.size() < 180) {
      String last = at(seen.isEmpty() ? 0 : seen.get(seen.size() - 1));
      seen.addAll(streamIds(port, "", last));
      connections++;
      assertThat(connections).as("reconnects").isLessThan(20);
    }
    writer.join();
    assertThat(connections).isGreaterThanOrEqualTo(2);
    assertThat(seen).isEqualTo(range(1, 180));
  }

  @Test
  void streamOpensWithItsCursorAsAnIdWithoutData() throws Exception {
    int port = start(options().ui(true));
    append(3);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/ui/api/events/stream?after=" + at(2)))
            .timeout(Duration.ofSeconds(30))
            .build();
    String body = CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).body();
    // a browser's Last-Event-ID is 2 after the first block even if nothing follows
    assertThat(body)
        .startsWith(
            "retry: 1000\nid: "
                + at(2)
                + "\n\nid: "
                + at(3)
                + "\nevent: agent\ndata: {\"seq\":"
                + at(3)
                + ",");
  }

  @Test
  void streamReadsBatchesPastTheBatchSizeInOrder() throws Exception {
    int port = start(options().ui(true));
    int batch = DashboardHandler.STREAM_BATCH;
    append(batch - 1);
    assertThat(streamIds(port, "?after=0", "")).isEqualTo(range(1, batch - 1));
    append(1);
    assertThat(streamIds(port, "?after=0", "")).isEqualTo(range(1, batch));
    append(1);
    assertThat(streamIds(port, "?after=0", "")).isEqualTo(range(1, batch + 1));
  }

  @Test
  void openStreamsAreCappedAtHalfTheWorkers() throws Exception {
    int port = start(options().ui(true).workerThreads(4));
    assertThat(DashboardHandler.maxStreams(4)).isEqualTo(2);
    HttpRequest stream =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ui/api/events/stream"))
            .timeout(Duration.ofSeconds(30))
            .build();
    // one and two streams (the cap) open; a third is refused while they last
    HttpResponse<Stream<String>> first = CLIENT.send(stream, HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> second = CLIENT.send(stream, HttpResponse.BodyHandlers.ofLines());
    HttpResponse<String> third = CLIENT.send(stream, HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(third.body()).contains("too many open event streams");
    // health still has a worker
    assertThat(get(port, "/health").statusCode()).isEqualTo(200);
    first.body().close();
    second.body().close();
    // a closed stream's slot is free once the server's heartbeat or window ends it
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status;
    do {
      Thread.sleep(100);
      status = get(port, "/ui/api/events/stream", "Last-Event-ID", "0").statusCode();
    } while (status == 503 && System.nanoTime() < deadline);
    assertThat(status).isEqualTo(200);
  }

  @Test
  void limitsOfTheStreamAndTheSampler() {
    assertThat(DashboardHandler.maxStreams(1)).isEqualTo(1);
    assertThat(DashboardHandler.maxStreams(2)).isEqualTo(1);
    assertThat(DashboardHandler.maxStreams(3)).isEqualTo(1);
    assertThat(DashboardHandler.streamWindow(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(9));
    assertThat(DashboardHandler.streamWindow(Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(DashboardHandler.streamWindow(Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofMillis(500));

    assertThat(DashboardHandler.streamWindow(Duration.ofSeconds(-1)))
        .isEqualTo(DashboardHandler.NO_LIMIT_WINDOW);
    try (DashboardSampler sampler = new DashboardSampler(db, Duration.ofHours(1), 3)) {
      // the first sample is taken at once; the ring then holds the newest three
      assertThat(sampler.samples()).hasSize(1);
      sampler.add(new DashboardSampler.Sample(2, 20, 2));
      assertThat(sampler.samples()).hasSize(2);
      sampler.add(new DashboardSampler.Sample(3, 30, 3));
      assertThat(sampler.samples()).hasSize(3);
      sampler.add(new DashboardSampler.Sample(4, 40, 4));
      assertThat(sampler.samples())
          .extracting(DashboardSampler.Sample::atMillis)
          .containsExactly(2L, 3L, 4L);
    }
  }
}
