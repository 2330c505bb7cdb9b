package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

class SessionStoreTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  static final String HINT = SessionMemory.CONTEXT_HINT;

  SessionStore sessions;

  SessionStoreTest() {
    super(T0);
  }

  @BeforeEach
  void openSessions() {
    sessions = db.sessions();
  }

  @BackendTest
  void sessionLifecycle() {
    Session s = sessions.start("s1", Map.of("user", "kim"));
    assertThat(s.isActive()).isTrue();
    assertThat(s.startedAt()).isEqualTo(T0);
    assertThat(s.endedAt()).isNull();
    assertThat(sessions.get("s1")).contains(s);
    assertThat(sessions.get("nope")).isEmpty();
    assertThat(assertFails(ErrorCode.ALREADY_EXISTS, () -> sessions.start("s1")).getMessage())
        .contains("'s1' already exists", "started at 2026-05-01T08:00:00Z", "startIfAbsent");
    clock.advance(Duration.ofMinutes(5));
    Session ended = sessions.end("s1");
    assertThat(ended.status()).isEqualTo(SessionStatus.ENDED);
    assertThat(ended.endedAt()).isEqualTo(T0.plusSeconds(300));
    assertThat(ended.metadata()).containsEntry("user", "kim");
    assertThat(sessions.get("s1")).contains(ended);
    assertThat(assertFails(ErrorCode.ILLEGAL_TRANSITION, () -> sessions.end("s1")).getMessage())
        .contains("already ended");
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> sessions.end("nope")).getMessage())
        .contains("'nope' does not exist");
  }

  @BackendTest
  void openRecentAndCount() {
    for (int i = 0; i < 5; i++) {
      sessions.start("s" + i);
      clock.advance(Duration.ofSeconds(1));
    }
    sessions.end("s3");
    assertThat(sessions.open(10))
        .extracting(Session::sessionId)
        .containsExactly("s4", "s2", "s1", "s0");
    assertThat(sessions.open(2)).extracting(Session::sessionId).containsExactly("s4", "s2");
    assertThat(sessions.recent(3)).extracting(Session::sessionId).containsExactly("s4", "s3", "s2");
    assertThat(sessions.count()).isEqualTo(5);
    assertInvalid(() -> sessions.open(0), "limit is 0");
    assertInvalid(() -> sessions.recent(10_001), "limit is 10001");
  }

  @BackendTest
  void pagesListSessionsNewestFirstWithTiesById() {
    sessions.start("b");
    sessions.start("a"); // same start time as b: ties by id
    clock.advance(Duration.ofSeconds(1));
    sessions.start("c");
    clock.advance(Duration.ofSeconds(1));
    sessions.start("d");
    sessions.end("c");
    assertThat(sessions.page(false, null, 2))
        .extracting(Session::sessionId)
        .containsExactly("d", "c");
    assertThat(sessions.page(false, "c", 2))
        .extracting(Session::sessionId)
        .containsExactly("a", "b");
    assertThat(sessions.page(false, "a", 2)).extracting(Session::sessionId).containsExactly("b");
    assertThat(sessions.page(false, "b", 2)).isEmpty();
    assertThat(sessions.page(true, null, 10))
        .extracting(Session::sessionId)
        .containsExactly("d", "a", "b");
    assertThat(sessions.page(true, "d", 1)).extracting(Session::sessionId).containsExactly("a");
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> sessions.page(false, "gone", 2)).getMessage())
        .contains("cursor session 'gone' does not exist");
    assertInvalid(() -> sessions.page(false, null, 0), "limit is 0");
  }

  @BackendTest
  void putVersionsAndTimestamps() {
    sessions.start("s");
    SessionMemory m = sessions.memory("s");
    assertThat(m.sessionId()).isEqualTo("s");
    MemoryEntry first = m.put(SessionMemory.SEMANTIC, "lang", Map.of("v", "java"));
    assertThat(first.version()).isEqualTo(1);
    assertThat(first.createdAt()).isEqualTo(T0);
    assertThat(first.valueJson()).isEqualTo("{\"v\":\"java\"}");
    assertThat(first.expiry()).isEmpty();
    clock.advance(Duration.ofSeconds(3));
    MemoryEntry second = m.put(SessionMemory.SEMANTIC, "lang", "kotlin");
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.createdAt()).isEqualTo(T0);
    assertThat(second.updatedAt()).isEqualTo(T0.plusSeconds(3));
    assertThat(m.entry(SessionMemory.SEMANTIC, "lang")).contains(second);
    assertThat(m.put(SessionMemory.SEMANTIC, "lang", 3).version()).isEqualTo(3);
    assertThat(m.get(SessionMemory.SEMANTIC, "lang", Integer.class)).contains(3);
    assertThat(m.get(SessionMemory.SEMANTIC, "other", Integer.class)).isEmpty();
    m.put(SessionMemory.EPISODIC, "nothing", null);
    assertThat(m.entry(SessionMemory.EPISODIC, "nothing").orElseThrow().valueJson())
        .isEqualTo("null");
    assertThat(m.get(SessionMemory.EPISODIC, "nothing", String.class)).isEmpty();
    assertInvalid(() -> m.get(SessionMemory.SEMANTIC, "lang", Map.class), "cannot be read as Map");
  }

  @BackendTest
  void expiredEntriesAreNeverReturnedEvenWhenTheClockStepsBack() {
    sessions.start("s");
    sessions.start("other");
    SessionMemory m = sessions.memory("s");
    MemoryEntry e = m.put(HINT, "k1", "v", Duration.ofMinutes(1));
    assertThat(e.expiresAt()).isEqualTo(T0.plusSeconds(60));
    m.put(HINT, "k2", "forever");
    sessions.memory("other").put(HINT, "k1", "older", Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(59));
    assertThat(m.get(HINT, "k1", String.class)).contains("v");
    clock.advance(Duration.ofSeconds(1));
    assertExpired(m);
    clock.set(T0); // wall clock stepped back: the entry stays expired
    assertExpired(m);
    // writing again after expiry starts a new entry
    MemoryEntry again = m.put(HINT, "k1", "new");
    assertThat(again.version()).isEqualTo(1);
    assertThat(again.createdAt()).isEqualTo(T0.plusSeconds(60));
  }

  private void assertExpired(SessionMemory m) {
    assertThat(m.get(HINT, "k1", String.class)).isEmpty();
    assertThat(m.entry(HINT, "k1")).isEmpty();
    assertThat(m.getAll(HINT, List.of("k1", "k2"))).containsOnlyKeys("k2");
    assertThat(m.keys(HINT)).containsExactly("k2");
    assertThat(m.findByPrefix(HINT, "k")).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.findByGlob(HINT, "k?")).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.recent(10)).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.exportJson()).doesNotContain("\"k1\"");
    assertThat(sessions.newest(HINT, "k1")).isEmpty();
  }

  @BackendTest
  void getAllDeleteKeysAndClear() {
    sessions.start("s");
    SessionMemory m = sessions.memory("s");
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("b", 2);
    values.put("a", 1);
    values.put("c", List.of(3));
    List<MemoryEntry> put = m.putAll(SessionMemory.SEMANTIC, values, null);
    assertThat(put).extracting(MemoryEntry::key).containsExactly("b", "a", "c");
    m.put(SessionMemory.EPISODIC, "a", "episode");
    assertThat(m.getAll(SessionMemory.SEMANTIC, List.of("a", "zz", "c")))
        .containsOnlyKeys("a", "c");
    assertThat(m.keys(SessionMemory.SEMANTIC)).containsExactly("a", "b", "c");
    assertThat(m.delete(SessionMemory.SEMANTIC, "a")).isTrue();
    assertThat(m.delete(SessionMemory.SEMANTIC, "a")).isFalse();
    assertThat(m.keys(SessionMemory.SEMANTIC)).containsExactly("b", "c");
    assertThat(m.clear(SessionMemory.SEMANTIC)).isEqualTo(2);
    assertThat(m.keys(SessionMemory.EPISODIC)).containsExactly("a");
    assertThat(m.clear()).isEqualTo(1);
    assertThat(m.recent(10)).isEmpty();
    assertThat(m.putAll(SessionMemory.SEMANTIC, Map.of("t", 1), Duration.ofSeconds(5)))
        .allSatisfy(x -> assertThat(x.expiresAt()).isEqualTo(T0.plusSeconds(5)));
  }

  @BackendTest
  void prefixSearchTreatsWildcardsInUserTextLiterally() {
    sessions.start("s");
    SessionMemory m = sessions.memory("s");
    List<String> keys =
        List.of("a*b", "a?b", "a[b]", "a%b", "a_b", "axb", "aXb", "a\\b", "b*", "a]b");
    for (String k : keys) {
      m.put(HINT, k, k);
    }
    assertThat(prefix(m, "a*")).containsExactly("a*b");
    assertThat(prefix(m, "a?")).containsExactly("a?b");
    assertThat(prefix(m, "a[")).containsExactly("a[b]");
    assertThat(prefix(m, "a[b")).containsExactly("a[b]");
    assertThat(prefix(m, "a]")).containsExactly("a]b");
    assertThat(prefix(m, "a%")).containsExactly("a%b");
    assertThat(prefix(m, "a_")).containsExactly("a_b");
    assertThat(prefix(m, "a\\")).containsExactly("a\\b");
    assertThat(prefix(m, "ax")).containsExactly("axb");
    assertThat(prefix(m, "")).hasSize(keys.size());
    assertThat(prefix(m, "zzz")).isEmpty();
    assertThat(glob(m, "a?b"))
        .containsExactly("a%b", "a*b", "a?b", "aXb", "a\\b", "a]b", "a_b", "axb");
    assertThat(glob(m, "a[xX]b")).containsExactly("aXb", "axb");
    assertThat(glob(m, "*b")).hasSize(8);
    assertThat(glob(m, "b*")).containsExactly("b*");
    assertInvalid(() -> m.findByGlob(HINT, ""), "glob");
    assertInvalid(() -> m.findByPrefix(HINT, "x\0"), "NUL");
    assertInvalid(() -> m.findByPrefix(HINT, "x".repeat(513)), "512");
    assertInvalid(() -> m.findByGlob(HINT, "x".repeat(513)), "512");
    assertInvalid(() -> m.findByPrefix(HINT, "a\uD800"), "surrogate");
    assertInvalid(() -> m.findByGlob(HINT, "\uDC00*"), "surrogate");
    assertInvalid(() -> m.findByPrefix("bad type", "a"), "memoryType");
  }

  private static List<String> prefix(SessionMemory m, String p) {
    return m.findByPrefix(HINT, p).stream().map(MemoryEntry::key).toList();
  }

  private static List<String> glob(SessionMemory m, String g) {
    return m.findByGlob(HINT, g).stream().map(MemoryEntry::key).toList();
  }

  @BackendTest
  void recentIsNewestFirst() {
    sessions.start("s");
    SessionMemory m = sessions.memory("s");
    for (int i = 0; i < 5; i++) {
      m.put(i % 2 == 0 ? SessionMemory.SEMANTIC : SessionMemory.EPISODIC, "k" + i, i);
      clock.advance(Duration.ofMillis(10));
    }
    assertThat(m.recent(3)).extracting(MemoryEntry::key).containsExactly("k4", "k3", "k2");
    assertInvalid(() -> m.recent(0), "limit");
  }

  @BackendTest
  void exportImportRoundTrip() {
    sessions.start("s");
    sessions.start("copy");
    SessionMemory m = sessions.memory("s");
    m.put(SessionMemory.SEMANTIC, "obj", Map.of("name", "김민수", "emoji", "🚀", "n", 12.5));
    m.put(
        SessionMemory.SEMANTIC,
        "big",
        new java.math.BigDecimal("3.14159265358979323846264338327950288"));
    m.put(SessionMemory.EPISODIC, "list", List.of(1, 2, List.of("x")), Duration.ofHours(1));
    String withNul = "a\0b'; DROP TABLE sessions; --";
    String quoted = withNul;
    if (backend.isPostgres()) {
      // docs/postgresql.md: JSONB cannot hold U+0000; the value is rejected, nothing is written.
      // The quotes still make the round trip below, without the NUL.
      assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.put(HINT, "nul", withNul)))
          .hasMessageContaining("\\u0000")
          .hasMessageContaining("Nothing was written");
      assertThat(m.entry(HINT, "nul")).isEmpty();
      quoted = withNul.replace("\0", "");
    }
    m.put(HINT, "nul", quoted);
    m.put(HINT, "gone", "x", Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(2));
    String json = m.exportJson();
    assertThat(json).contains("\"sessionId\":\"s\"").doesNotContain("gone");
    SessionMemory copy = sessions.memory("copy");
    assertThat(copy.importJson(json)).isEqualTo(4);
    for (String type : List.of(SessionMemory.SEMANTIC, SessionMemory.EPISODIC, HINT)) {
      for (String key : m.keys(type)) {
        MemoryEntry a = m.entry(type, key).orElseThrow();
        MemoryEntry b = copy.entry(type, key).orElseThrow();
        assertThat(b.valueJson()).as(key).isEqualTo(a.valueJson());
        assertThat(b.expiresAt()).isEqualTo(a.expiresAt());
      }
    }
    assertThat(copy.get(HINT, "nul", String.class)).contains(quoted);
    // importing again updates the existing keys
    assertThat(copy.importJson(json)).isEqualTo(4);
    assertThat(copy.entry(SessionMemory.SEMANTIC, "obj").orElseThrow().version()).isEqualTo(2);
  }

  @BackendTest
  void malformedImportsWriteNothing() {
    sessions.start("s");
    SessionMemory m = sessions.memory("s");
    assertInvalid(() -> m.importJson("{"), "not valid JSON");
    assertInvalid(() -> m.importJson("[]"), "\"entries\" array");
    assertInvalid(() -> m.importJson("{\"entries\":{}}"), "\"entries\" array");
    assertInvalid(
        () ->
            m.importJson(
                "{\"entries\":[{\"memoryType\":\"a\",\"key\":\"k\",\"value\":1},"
                    + "{\"memoryType\":\"a\",\"key\":\"k2\"}]}"),
        "entry 1");
    assertInvalid(
        () ->
            m.importJson(
                "{\"entries\":[{\"memoryType\":\"a\",\"key\":\"k\",\"value\":1},"
                    + "{\"memoryType\":\"bad type\",\"key\":\"k2\",\"value\":1}]}"),
        "memoryType");
    assertInvalid(
        () ->
            m.importJson(
                "{\"entries\":[{\"memoryType\":\"a\",\"key\":\"k\",\"value\":1,"
                    + "\"expiresAt\":\"tomorrow\"}]}"),
        "expiresAt");
    assertThat(m.recent(10)).isEmpty();
    assertFails(ErrorCode.NOT_FOUND, () -> sessions.memory("ghost").importJson("{\"entries\":[]}"));
  }

  @BackendTest
  void newestAcrossSessions() {
    sessions.start("s1");
    sessions.start("s2");
    sessions.start("s3");
    sessions.memory("s1").put(HINT, "lang", "java");
    clock.advance(Duration.ofSeconds(1));
    sessions.memory("s2").put(HINT, "lang", "go");
    clock.advance(Duration.ofSeconds(1));
    sessions.memory("s3").put(HINT, "lang", "rust", Duration.ofSeconds(1));
    assertThat(sessions.newest(HINT, "lang").orElseThrow().valueJson()).isEqualTo("\"rust\"");
    clock.advance(Duration.ofSeconds(1));
    MemoryEntry newest = sessions.newest(HINT, "lang").orElseThrow();
    assertThat(newest.sessionId()).isEqualTo("s2");
    assertThat(newest.valueJson()).isEqualTo("\"go\"");
    assertThat(sessions.newest(HINT, "missing")).isEmpty();
    assertThat(sessions.newest(SessionMemory.SEMANTIC, "lang")).isEmpty();
  }

  @BackendTest
  void memoryOfAnUnknownSessionIsNotFoundAndWritesNothing() {
    SessionMemory ghost = sessions.memory("ghost");
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> ghost.put(HINT, "k", 1)).getMessage())
        .contains("session 'ghost' does not exist", "sessions().start");
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.putAll(HINT, Map.of("k", 1), null));
    assertThat(ghost.keys(HINT)).isEmpty();
    assertThat(ghost.entry(HINT, "k")).isEmpty();
    assertThat(ghost.delete(HINT, "k")).isFalse();
  }

  @BackendTest
  void endingASessionKeepsItsMemory() {
    sessions.start("s");
    sessions.memory("s").put(HINT, "k", 1);
    sessions.end("s");
    assertThat(sessions.memory("s").get(HINT, "k", Integer.class)).contains(1);
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void sessionLifecycleWithTwoSessions() throws Exception {
    Session s1 = db.sessions().start("s1", Map.of("goal", "ship"));
    assertThat(s1.isActive()).isTrue();
    assertFails(ErrorCode.ALREADY_EXISTS, () -> db.sessions().start("s1"));
    clock.advance(Duration.ofSeconds(1));
    db.sessions().start("s2");
    clock.advance(Duration.ofSeconds(1));
    Session ended = db.sessions().end("s1");
    assertThat(ended.endedAt()).isEqualTo(clock.instant());
    assertThat(ended.metadata()).containsEntry("goal", "ship");
    assertFails(ErrorCode.ILLEGAL_TRANSITION, () -> db.sessions().end("s1"));
    assertFails(ErrorCode.NOT_FOUND, () -> db.sessions().end("nope"));
    assertThat(db.sessions().get("s1")).contains(ended);
    assertThat(db.sessions().open(10)).extracting(Session::sessionId).containsExactly("s2");
    assertThat(db.sessions().recent(10)).extracting(Session::sessionId).containsExactly("s2", "s1");
    assertThat(db.sessions().count()).isEqualTo(2);
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void memoryUpsertsVersionsExpiresAndMatches() throws Exception {
    db.sessions().start("s1");
    db.sessions().start("s2");
    SessionMemory m = db.sessions().memory("s1");
    assertThat(m.sessionId()).isEqualTo("s1");
    MemoryEntry e1 = m.put(SessionMemory.SEMANTIC, "lang", Map.of("b", 2, "a", List.of(1, "x")));
    assertThat(e1.version()).isEqualTo(1);
    MemoryEntry e2 = m.put(SessionMemory.SEMANTIC, "lang", "java");
    assertThat(e2.version()).isEqualTo(2);
    assertThat(e2.createdAt()).isEqualTo(e1.createdAt());
    assertThat(m.get(SessionMemory.SEMANTIC, "lang", String.class)).contains("java");
    assertThat(m.entry(SessionMemory.SEMANTIC, "lang").orElseThrow().valueJson())
        .isEqualTo("\"java\"");
    MemoryEntry obj = m.put("context_hint", "obj", Map.of("k", List.of(1, 2)));
    assertThat(obj.valueJson()).isEqualTo("{\"k\":[1,2]}");
    assertThat(m.entry("context_hint", "obj").orElseThrow().valueJson()).isEqualTo("{\"k\":[1,2]}");
    m.put(SessionMemory.EPISODIC, "ttl", 1, Duration.ofMinutes(1));
    assertThat(m.get(SessionMemory.EPISODIC, "ttl", Integer.class)).contains(1);
    assertThat(m.put(SessionMemory.SEMANTIC, "null", null).valueJson()).isEqualTo("null");
    assertThat(m.get(SessionMemory.SEMANTIC, "null", String.class)).isEmpty();
    clock.advance(Duration.ofMinutes(2));
    assertThat(m.entry(SessionMemory.EPISODIC, "ttl")).isEmpty();
    assertThat(m.put(SessionMemory.EPISODIC, "ttl", 2).version()).isEqualTo(1);
    Map<String, Object> many = new LinkedHashMap<>();
    many.put("a*b", 1);
    many.put("a?c", 2);
    many.put("abd", 3);
    many.put("b[1]", 4);
    many.put("a%", 5);
    assertThat(m.putAll("kv", many, null))
        .extracting(MemoryEntry::key)
        .containsExactly("a*b", "a?c", "abd", "b[1]", "a%");
    assertThat(m.getAll("kv", List.of("abd", "zzz", "a*b")).keySet()).containsExactly("abd", "a*b");
    assertThat(m.keys("kv")).containsExactly("a%", "a*b", "a?c", "abd", "b[1]");
    assertThat(m.findByPrefix("kv", "a*")).extracting(MemoryEntry::key).containsExactly("a*b");
    assertThat(m.findByPrefix("kv", "a%")).extracting(MemoryEntry::key).containsExactly("a%");
    assertThat(m.findByPrefix("kv", "a")).hasSize(4);
    assertThat(m.findByGlob("kv", "a?[bcd]"))
        .extracting(MemoryEntry::key)
        .containsExactly("a*b", "a?c", "abd");
    assertThat(m.findByGlob("kv", "a[^b]?"))
        .extracting(MemoryEntry::key)
        .containsExactly("a*b", "a?c");
    assertThat(m.findByGlob("kv", "b[[]1]")).extracting(MemoryEntry::key).containsExactly("b[1]");
    assertThat(m.findByGlob("kv", "*.x")).isEmpty();
    assertThat(m.recent(2)).hasSize(2);
    db.sessions().memory("s2").put(SessionMemory.SEMANTIC, "lang", "go");
    clock.advance(Duration.ofSeconds(1));
    db.sessions().memory("s2").put(SessionMemory.SEMANTIC, "lang", "rust");
    assertThat(db.sessions().newest(SessionMemory.SEMANTIC, "lang").orElseThrow().sessionId())
        .isEqualTo("s2");
    assertThat(m.delete("kv", "abd")).isTrue();
    assertThat(m.delete("kv", "abd")).isFalse();
    String export = m.exportJson();
    assertThat(m.clear("kv")).isEqualTo(4);
    assertThat(m.clear()).isEqualTo(4);
    assertThat(m.importJson(export)).isEqualTo(8);
    assertThat(m.get("kv", "b[1]", Integer.class)).contains(4);
    assertThat(m.entry("context_hint", "obj").orElseThrow().valueJson()).isEqualTo("{\"k\":[1,2]}");
    assertFails(ErrorCode.NOT_FOUND, () -> db.sessions().memory("nope").put("semantic", "k", 1));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.importJson("{\"entries\": 3}"));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.put("bad type!", "k", 1));
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void closedDatabaseRefusesWork() throws Exception {
    assertThat(db.isClosed()).isFalse();
    assertThat(db.toString()).contains("SwarmDB[");
    assertThat(db.config().isPostgres()).isEqualTo(backend.isPostgres());
    assertThat(db.path().isPresent()).isEqualTo(!backend.isPostgres());
    db.close();
    db.close();
    assertThat(db.isClosed()).isTrue();
    assertFails(ErrorCode.CLOSED, () -> db.events().count());
    assertFails(ErrorCode.CLOSED, () -> db.sessions().start("x"));
    assertThat(db.inspect().health().healthy()).isFalse();
  }
}
