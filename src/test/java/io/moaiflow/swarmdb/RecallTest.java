package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Full-text recall, its filters and fusion, on both backends. */
class RecallTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

  RecallTest() {
    super(T0);
  }

  /** Writes a scoped entry behind SwarmDB's back (the scoped Memory API is another branch's). */
  static void putScoped(
      io.moaiflow.swarmdb.backend.TestBackend backend,
      String scope,
      String type,
      String key,
      String json,
      Instant updated,
      @Nullable Instant expires)
      throws Exception {
    String cast = backend.isPostgres() ? "?::jsonb" : "?";
    try (Connection c = backend.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
                    + " updated_at, expires_at) VALUES (?, ?, ?, "
                    + cast
                    + ", 1, ?, ?, ?)")) {
      ps.setString(1, scope);
      ps.setString(2, type);
      ps.setString(3, key);
      ps.setString(4, json);
      ps.setLong(5, updated.toEpochMilli());
      ps.setLong(6, updated.toEpochMilli());
      if (expires == null) {
        ps.setNull(7, java.sql.Types.BIGINT);
      } else {
        ps.setLong(7, expires.toEpochMilli());
      }
      ps.executeUpdate();
    }
  }

  static AgentEvent event(
      String type, String agent, Instant ts, Map<String, ? extends @Nullable Object> metadata) {
    return new AgentEvent(
        0, UUID.randomUUID().toString(), type, agent, "worker", null, ts, Map.copyOf(metadata));
  }

  @BackendTest
  void findsMemoryAndEventsWithMarkedSnippets() throws Exception {
    db.sessions().start("s1");
    SessionMemory m = db.sessions().memory("s1");
    m.put(
        "semantic", "db-note", Map.of("text", "the database connection was refused on port 5432"));
    m.put("semantic", "style", Map.of("text", "prefer records over classes"));
    AgentEvent e =
        db.events()
            .append(event("error", "agent-7", T0, Map.of("message", "connection refused by host")));
    putScoped(backend, "swarm", "semantic", "plan", "{\"goal\":\"ship the release\"}", T0, null);

    List<RecallHit> hits = db.recall(Recall.query("connection refused"));
    assertThat(hits).hasSize(2);
    assertThat(hits)
        .extracting(RecallHit::kind)
        .containsExactlyInAnyOrder(RecallHit.Kind.MEMORY, RecallHit.Kind.EVENT);
    RecallHit mem = hits.stream().filter(h -> h.kind() == RecallHit.Kind.MEMORY).findFirst().get();
    assertThat(mem.scope()).isEqualTo(Scope.session("s1"));
    assertThat(mem.key()).isEqualTo("db-note");
    assertThat(mem.memoryType()).isEqualTo("semantic");
    assertThat(mem.seq()).isNull();
    assertThat(mem.event()).isNull();
    assertThat(mem.entry().valueJson()).contains("port 5432");
    assertThat(mem.snippet()).contains("[connection]").contains("[refused]");
    assertThat(mem.textScore()).isNotNull();
    assertThat(mem.vectorSimilarity()).isNull();
    assertThat(mem.recency()).isEqualTo(1.0);
    RecallHit ev = hits.stream().filter(h -> h.kind() == RecallHit.Kind.EVENT).findFirst().get();
    assertThat(ev.seq()).isEqualTo(e.seq());
    assertThat(ev.event()).isEqualTo(e);
    assertThat(ev.scope()).isNull();
    assertThat(ev.snippet()).contains("[connection]");
    assertThat(hits).extracting(RecallHit::textRank).containsExactly(1, 2);
    // the fused score of a text-only hit: 1 / (60 + rank) + 0.2 * recency
    assertThat(hits.get(0).score())
        .isCloseTo(1.0 / 61 + 0.2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(hits.get(1).score())
        .isCloseTo(1.0 / 62 + 0.2, org.assertj.core.data.Offset.offset(1e-12));

    RecallHit plan = db.recall(Recall.query("release")).get(0);
    assertThat(plan.scope()).isEqualTo(Scope.swarm());
    assertThat(plan.key()).isEqualTo("plan");
    assertThat(plan.snippet()).contains("[release]");
    try (Stream<RecallHit> s = db.recallStream(Recall.query("connection refused"))) {
      assertThat(s.toList()).isEqualTo(hits);
    }
    assertThat(db.recall(Recall.query("nothing matches zebra"))).isEmpty();
  }

  @BackendTest
  void filtersNarrowEachKind() throws Exception {
    db.sessions().start("s1");
    db.sessions().start("s2");
    db.sessions().memory("s1").put("semantic", "a", Map.of("t", "deploy failed"));
    db.sessions().memory("s2").put("episodic", "b", Map.of("t", "deploy done"));
    putScoped(backend, "agent:a1", "semantic", "c", "{\"t\":\"deploy notes\"}", T0, null);
    putScoped(
        backend, "ns:user:alice", "semantic", "d", "[\"deploy\", {\"x\": \"alice\"}]", T0, null);
    db.events().append(event("error", "a1", T0, Map.of("m", "deploy crashed")));
    db.events().append(event("done", "a2", T0.plusSeconds(60), Map.of("m", "deploy ok")));

    Recall deploy = Recall.query("deploy");
    assertThat(db.recall(deploy)).hasSize(6);
    assertThat(keys(db.recall(deploy.memory()))).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(db.recall(deploy.events())).hasSize(2);
    assertThat(db.recall(deploy.memory().events())).hasSize(6);
    assertThat(keys(db.recall(deploy.memory().scopes(Scope.session("s1"), Scope.agent("a1")))))
        .containsExactlyInAnyOrder("a", "c");
    assertThat(keys(db.recall(deploy.memory().scopes(Scope.namespace("user:alice")))))
        .containsExactly("d");
    assertThat(keys(db.recall(deploy.memory().memoryType("episodic")))).containsExactly("b");
    assertThat(db.recall(deploy.events().agent("a2")))
        .extracting(h -> h.event().agentId())
        .containsExactly("a2");
    assertThat(db.recall(deploy.events().eventType("error")))
        .extracting(h -> h.event().eventType())
        .containsExactly("error");
    assertThat(db.recall(deploy.events().since(T0.plusSeconds(1))))
        .extracting(h -> h.event().eventType())
        .containsExactly("done");
    assertThat(db.recall(deploy.events().until(T0.plusSeconds(60))))
        .extracting(h -> h.event().eventType())
        .containsExactly("error");
    assertThat(db.recall(deploy.memory().since(T0.plusSeconds(1)))).isEmpty();
    // the memory filters leave events alone, and the event filters memory
    assertThat(db.recall(deploy.memoryType("episodic").agent("a2"))).hasSize(2);
    // the nested string in the namespace's array value is indexed
    assertThat(keys(db.recall(Recall.query("alice")))).containsExactly("d");
  }

  @BackendTest
  void deletedAndExpiredEntriesAreNeverHits() throws Exception {
    db.sessions().start("s1");
    SessionMemory m = db.sessions().memory("s1");
    m.put("semantic", "gone", Map.of("t", "timeout while fetching"));
    m.put("semantic", "short", Map.of("t", "timeout in the cache"), Duration.ofMinutes(5));
    putScoped(
        backend, "swarm", "semantic", "ttl", "{\"t\":\"timeout budget\"}", T0, T0.plusSeconds(60));
    putScoped(backend, "swarm", "semantic", "kept", "{\"t\":\"timeout kept\"}", T0, null);
    assertThat(keys(db.recall(Recall.query("timeout"))))
        .containsExactlyInAnyOrder("gone", "short", "ttl", "kept");
    assertThat(m.delete("semantic", "gone")).isTrue();
    clock.advance(Duration.ofSeconds(60));
    assertThat(keys(db.recall(Recall.query("timeout")))).containsExactlyInAnyOrder("short", "kept");
    clock.advance(Duration.ofMinutes(5));
    assertThat(keys(db.recall(Recall.query("timeout")))).containsExactly("kept");
    db.maintenance().purgeExpiredMemory();
    assertThat(keys(db.recall(Recall.query("timeout")))).containsExactly("kept");
    // an updated value is searched by its new words only
    m.put("semantic", "short", Map.of("t", "latency"));
    assertThat(keys(db.recall(Recall.query("timeout")))).containsExactly("kept");
    assertThat(keys(db.recall(Recall.query("latency")))).containsExactly("short");
  }

  @BackendTest
  void recencyAndWeightsOrderTheHits() {
    db.sessions().start("s1");
    SessionMemory m = db.sessions().memory("s1");
    m.put("semantic", "old", Map.of("t", "cache miss cache miss cache"));
    clock.advance(Duration.ofDays(7));
    m.put("semantic", "new", Map.of("t", "a cache note about many other things entirely"));
    List<RecallHit> text = db.recall(Recall.query("cache miss").weights(1, 1, 0));
    assertThat(keys(text)).containsExactly("old", "new");
    RecallHit old = text.get(0);
    assertThat(old.recency()).isCloseTo(Math.exp(-1), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(old.score()).isEqualTo(1.0 / 61);
    // recency alone puts the newer first
    assertThat(keys(db.recall(Recall.query("cache miss").weights(0, 0, 1))))
        .containsExactly("new", "old");
    assertThat(keys(db.recall(Recall.query("cache").limit(1)))).hasSize(1);
  }

  @BackendTest
  void queryWordsAreNeverFullTextSyntax() {
    db.sessions().start("s1");
    SessionMemory m = db.sessions().memory("s1");
    m.put("semantic", "k", Map.of("t", "near the star and the quote"));
    for (String q : List.of("\"", "*", "\"*\"", "(", ")", " ", "", ":-^", "\u00a0")) {
      assertInvalid(() -> db.recall(Recall.query(q)), "recall query");
    }
    for (String q :
        List.of(
            "NEAR(star",
            "star*",
            "\"quote",
            "star AND",
            "OR quote",
            "col:star",
            "-star",
            "star NOT quote",
            "{t}: star",
            "'quote'",
            "star | quote & !near")) {
      assertThat(keys(db.recall(Recall.query(q)))).as(q).containsExactly("k");
    }
  }

  @BackendTest
  void theLongestQueryAndTheMostWordsAreSearched() {
    db.sessions().start("s1");
    db.sessions().memory("s1").put("semantic", "k", Map.of("t", "w63 is here"));
    // one 4,096-character word: FTS5 searches it, PostgreSQL ignores a word over 2,047 bytes
    assertThat(db.recall(Recall.query("x".repeat(Recall.MAX_QUERY_LENGTH)))).isEmpty();
    StringBuilder words = new StringBuilder();
    for (int i = 0; i < Recall.MAX_WORDS; i++) {
      words.append(" w").append(i);
    }
    assertThat(keys(db.recall(Recall.query(words.toString())))).containsExactly("k");
  }

  @BackendTest
  void semanticNeedsAnEmbedderOrAVector() {
    assertInvalid(() -> db.recall(Recall.query("x").semantic(true)), "needs an embedder");
    assertInvalid(
        () -> db.recall(Recall.query("x").vector(new float[] {1}).semantic(false)),
        "semantic(false)");
    // a vector alone is searched by meaning only (no words, no full text)
    assertThat(db.recall(Recall.query("").vector(new float[] {1, 0}))).isEmpty();
  }

  @BackendTest
  void withoutAnEmbedderAVectorMustHaveTheStoredDimension() throws Exception {
    try (Connection c = backend.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO swarm_settings (name, value) VALUES ('embedding_dimension', '3')")) {
      ps.executeUpdate();
    }
    assertInvalid(
        () -> db.recall(Recall.query("x").vector(new float[] {1, 0})),
        "has 2 dimensions; this database stores vectors of 3");
    assertInvalid(
        () -> db.recall(Recall.query("x").vector(new float[] {1, 0, 0, 0})), "has 4 dimensions");
    assertThat(db.recall(Recall.query("x").vector(new float[] {1, 0, 0}))).isEmpty();
  }

  @BackendTest
  void theEmbedderRunsOnceOutsideTheReadAndItsDimensionIsChecked() {
    AtomicInteger calls = new AtomicInteger();
    Embedder three =
        new Embedder() {
          @Override
          public String modelId() {
            return "test-3";
          }

          @Override
          public int dimension() {
            return 3;
          }

          @Override
          public float[] embed(String text) {
            calls.incrementAndGet();
            return new float[] {1, 2, 2};
          }
        };
    SwarmDB withEmbedder = backend.open(b -> b.clock(clock).embedder(three));
    withEmbedder.sessions().start("s");
    withEmbedder.sessions().memory("s").put("semantic", "k", Map.of("t", "alpha"));
    int before = calls.get();
    assertThat(keys(withEmbedder.recall(Recall.query("alpha")))).containsExactly("k");
    assertThat(calls.get() - before).isEqualTo(1);
    assertThat(keys(withEmbedder.recall(Recall.query("alpha").semantic(false))))
        .containsExactly("k");
    assertThat(calls.get() - before).isEqualTo(1);
    assertInvalid(
        () -> withEmbedder.recall(Recall.query("alpha").vector(new float[] {1, 0})),
        "has 2 dimensions",
        "test-3 makes 3");
    assertInvalid(
        () -> withEmbedder.recall(Recall.query("alpha").vector(new float[] {1, 0, 0, 0})),
        "has 4 dimensions");
    assertThat(withEmbedder.recall(Recall.query("alpha").vector(new float[] {0, 0, 3}))).hasSize(1);
    assertThat(calls.get() - before).isEqualTo(1); // a given vector is not embedded
  }

  static List<String> keys(List<RecallHit> hits) {
    return hits.stream().map(h -> h.key() == null ? "#" + h.seq() : h.key()).toList();
  }
}
