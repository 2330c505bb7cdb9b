package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A swarm's memory of realistic agent notes and errors across every kind of scope, and its events:
 * text questions put the expected item first, and deleted, expired or retained-away items are never
 * hits. On both backends (FTS5 bm25 and PostgreSQL ts_rank_cd agree on these).
 */
class RecallScenarioTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

  RecallScenarioTest() {
    super(T0);
  }

  private static final String[][] SESSION_NOTES = {
    {
      "s-build",
      "db-connect",
      "agent-7 hit a connection error: the connection was refused by postgres at 10.0.0.5:5432"
    },
    {"s-build", "build-cache", "the gradle build cache was cold and the build took 14 minutes"},
    {"s-build", "lint", "spotless formatting failed on three files"},
    {"s-deploy", "deploy-plan", "deploy to staging first, then production after the smoke tests"},
    {"s-deploy", "rollback", "rollback of release 2.3 succeeded after the health check failed"},
    {"s-deploy", "tls", "the certificate for api.example.com expires on June 30"},
  };

  private static final String[][] SCOPED_NOTES = {
    {
      "agent:planner",
      "retry-policy",
      "retry budget: at most 3 retries per tool call, with exponential backoff"
    },
    {"agent:planner", "task-split", "split the migration into schema, data and cleanup tasks"},
    {"agent:planner", "prefs", "the user prefers short answers in British English"},
    {
      "agent:coder",
      "flaky-test",
      "OrderServiceTest is flaky: a timeout waiting for the Kafka consumer"
    },
    {"agent:coder", "style", "use records for value types and final classes elsewhere"},
    {"agent:coder", "dependency", "jackson upgraded to 2.21 to fix a deserialisation bug"},
    {"swarm", "oncall", "the on-call engineer this week is Priya"},
    {"swarm", "budget", "the token budget of the swarm is 2 million tokens a day"},
    {"swarm", "incident-42", "incident 42: disk full on the build runner; docker images cleaned"},
    {"swarm", "glossary", "a session is one user conversation; an agent is one worker process"},
    {"ns:user:alice", "timezone", "Alice works in the Europe/Berlin time zone"},
    {"ns:user:alice", "language", "Alice writes German and English"},
    {"ns:user:alice", "project", "Alice owns the billing project"},
    {"ns:app:billing", "invoice-format", "invoices are PDF files numbered INV-YYYY-NNNN"},
    {"ns:app:billing", "currency", "amounts are stored in cents as integers, currency EUR"},
    {
      "ns:app:billing",
      "rate-limit",
      "the payment provider allows 100 requests per second and answers 429 above that"
    },
  };

  private AgentEvent refused;

  private void seed() throws Exception {
    for (String s : List.of("s-build", "s-deploy")) {
      db.sessions().start(s);
    }
    for (String[] n : SESSION_NOTES) {
      db.sessions()
          .memory(n[0])
          .put("semantic", n[1], Map.of("note", n[2], "tags", List.of("swarm", "notes")));
    }
    for (String[] n : SCOPED_NOTES) {
      RecallTest.putScoped(
          backend, n[0], "semantic", n[1], Json.of(Map.of("note", n[2])), T0, null);
    }
    Instant hourAgo = T0.minus(Duration.ofHours(1));
    refused =
        db.events()
            .append(
                RecallTest.event(
                    "error",
                    "agent-7",
                    T0.minus(Duration.ofDays(3)),
                    Map.of("message", "ECONNREFUSED 10.0.0.5:5432", "tool", "psql")));
    db.events()
        .appendAll(
            List.of(
                RecallTest.event(
                    "tool_call",
                    "agent-3",
                    hourAgo,
                    Map.of("tool", "web_search", "query", "kafka consumer lag")),
                RecallTest.event(
                    "error",
                    "agent-4",
                    hourAgo,
                    Map.of("message", "out of memory while parsing the log file")),
                RecallTest.event(
                    "complete", "agent-3", hourAgo, Map.of("summary", "wrote release notes")),
                RecallTest.event(
                    "spawn", "agent-9", hourAgo, Map.of("task", "investigate OrderServiceTest")),
                RecallTest.event(
                    "error",
                    "agent-2",
                    hourAgo,
                    Map.of("http", Map.of("status", "429 too many requests", "host", "pay"))),
                RecallTest.event(
                    "handoff",
                    "agent-3",
                    hourAgo,
                    Map.of("to", "agent-5", "reason", "needs database credentials"))));
  }

  /** Stands in for the test's JSON writing (the scoped Memory API is another branch's). */
  static final class Json {
    static String of(Map<String, String> m) {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private String first(Recall q) {
    List<RecallHit> hits = db.recall(q);
    assertThat(hits).as(q.toString()).isNotEmpty();
    RecallHit h = hits.get(0);
    return h.kind() == RecallHit.Kind.MEMORY ? h.scope() + "/" + h.key() : "event " + h.seq();
  }

  @BackendTest
  void textQuestionsPutTheExpectedItemFirst() throws Exception {
    seed();
    assertThat(first(Recall.query("which agent hit a connection error?")))
        .isEqualTo("session:s-build/db-connect");
    assertThat(db.recall(Recall.query("which agent hit a connection error?")).get(0).snippet())
        .contains("[connection]", "[error]");
    assertThat(first(Recall.query("retry budget"))).isEqualTo("agent:planner/retry-policy");
    assertThat(first(Recall.query("how many requests per second does the payment provider allow")))
        .isEqualTo("ns:app:billing/rate-limit");
    assertThat(first(Recall.query("flaky Kafka timeout"))).isEqualTo("agent:coder/flaky-test");
    assertThat(first(Recall.query("disk full?"))).isEqualTo("swarm/incident-42");
    assertThat(first(Recall.query("Alice's time zone").scopes(Scope.namespace("user:alice"))))
        .isEqualTo("ns:user:alice/timezone");
    assertThat(first(Recall.query("who is on call this week"))).isEqualTo("swarm/oncall");
    assertThat(first(Recall.query("rollback after the failed health check")))
        .isEqualTo("session:s-deploy/rollback");
    // events: by metadata strings, nested ones too, and by agent
    assertThat(db.recall(Recall.query("out of memory").events()))
        .first()
        .extracting(h -> h.event().agentId())
        .isEqualTo("agent-4");
    assertThat(db.recall(Recall.query("too many requests").events()))
        .first()
        .extracting(h -> h.event().agentId())
        .isEqualTo("agent-2");
    assertThat(first(Recall.query("ECONNREFUSED"))).isEqualTo("event " + refused.seq());
    assertThat(db.recall(Recall.query("credentials").events().agent("agent-3"))).hasSize(1);
    // the whole seeded swarm answers within the default limit
    assertThat(db.recall(Recall.query("the")).size()).isLessThanOrEqualTo(10);
  }

  @BackendTest
  void deletedExpiredAndRetainedAwayItemsAreNeverHits() throws Exception {
    seed();
    SessionMemory build = db.sessions().memory("s-build");
    build.put(
        "semantic",
        "workaround",
        Map.of("note", "connection pool workaround until the refused connections stop"),
        Duration.ofHours(1));
    RecallTest.putScoped(
        backend,
        "swarm",
        "semantic",
        "pager",
        Json.of(Map.of("note", "page the on-call engineer for connection errors")),
        T0,
        T0.plus(Duration.ofMinutes(30)));
    Recall connection = Recall.query("connection refused error").limit(50);
    assertThat(keys(db.recall(connection))).contains("db-connect", "workaround", "pager");

    assertThat(build.delete("semantic", "db-connect")).isTrue();
    clock.advance(Duration.ofMinutes(30));
    assertThat(keys(db.recall(connection)))
        .doesNotContain("db-connect", "pager")
        .contains("workaround");
    clock.advance(Duration.ofMinutes(30));
    assertThat(keys(db.recall(connection))).doesNotContain("db-connect", "pager", "workaround");
    db.maintenance().purgeExpiredMemory();
    assertThat(keys(db.recall(connection))).doesNotContain("workaround");

    assertThat(keys(db.recall(Recall.query("ECONNREFUSED")))).containsExactly("#" + refused.seq());
    assertThat(db.maintenance().deleteEventsOlderThan(Duration.ofDays(2))).isEqualTo(1);
    assertThat(db.recall(Recall.query("ECONNREFUSED"))).isEmpty();
    assertThat(db.recall(Recall.query("psql").events())).isEmpty();
    // clearing a session's memory takes it out of the index
    assertThat(db.sessions().memory("s-deploy").clear()).isEqualTo(3);
    assertThat(db.recall(Recall.query("rollback release").memory())).isEmpty();
  }

  private static List<String> keys(List<RecallHit> hits) {
    return RecallTest.keys(hits);
  }
}
