package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * The memory suite of {@link SessionStoreTest} run over every scope kind, on both backends: a
 * session's ({@code session_memory}), an agent's, the swarm's and a namespace's ({@code
 * scoped_memory}), each in the same database, so every test also shows that scopes never see each
 * other's entries. The session-only contracts (NOT_FOUND for a missing session, newest across
 * sessions) stay in {@link SessionStoreTest}.
 */
class MemoryScopesTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  static final String HINT = Memory.CONTEXT_HINT;

  MemoryScopesTest() {
    super(T0);
  }

  List<Memory> scopes;

  @BeforeEach
  void openScopes() {
    db.sessions().start("s");
    db.sessions().start("other");
    scopes =
        List.of(
            db.memory(Scope.session("s")),
            db.memory(Scope.agent("planner")),
            db.memory(Scope.swarm()),
            db.memory(Scope.namespace("user:alice")));
  }

  /** The other scopes' memory: each test writes the same keys there, which must stay apart. */
  private List<Memory> neighbours() {
    return List.of(
        db.memory(Scope.session("other")),
        db.memory(Scope.agent("planner-2")),
        db.memory(Scope.namespace("user:bob")),
        db.memory(Scope.agent("user:alice")));
  }

  @BackendTest
  void eachScopeIsItsOwnMemory() {
    assertThat(scopes)
        .extracting(m -> m.scope().toString())
        .containsExactly("session:s", "agent:planner", "swarm", "ns:user:alice");
    assertThat(db.memory(Scope.session("s"))).isInstanceOf(SessionMemory.class);
    assertThat(((SessionMemory) db.memory(Scope.session("s"))).sessionId()).isEqualTo("s");
    assertThat(db.memory(Scope.agent("planner"))).isNotInstanceOf(SessionMemory.class);
    int i = 0;
    for (Memory m : scopes) {
      m.put(Memory.SEMANTIC, "k", i++);
    }
    for (Memory n : neighbours()) {
      n.put(Memory.SEMANTIC, "k", "neighbour");
    }
    i = 0;
    for (Memory m : scopes) {
      assertThat(m.get(Memory.SEMANTIC, "k", Integer.class)).as(m.toString()).contains(i++);
      MemoryEntry e = m.entry(Memory.SEMANTIC, "k").orElseThrow();
      assertThat(e.scope()).isEqualTo(m.scope());
      assertThat(e.sessionId())
          .isEqualTo(m.scope().kind() == Scope.Kind.SESSION ? m.scope().id() : null);
      assertThat(m.keys(Memory.SEMANTIC)).containsExactly("k");
      assertThat(m.recent(10)).hasSize(1);
      assertThat(m.clear()).isEqualTo(1);
    }
    for (Memory n : neighbours()) {
      assertThat(n.get(Memory.SEMANTIC, "k", String.class)).as(n.toString()).contains("neighbour");
    }
    // the same scope reached twice is the same memory
    db.memory(Scope.parse("ns:user:alice")).put(HINT, "x", 1);
    assertThat(db.memory(Scope.namespace("user:alice")).keys(HINT)).containsExactly("x");
  }

  @BackendTest
  void putVersionsAndTimestamps() {
    for (Memory m : scopes) {
      Instant t0 = clock.instant().plus(Duration.ofHours(1)); // the library never steps back
      clock.set(t0);
      assertThat(m.scope()).isNotNull();
      MemoryEntry first = m.put(Memory.SEMANTIC, "lang", Map.of("v", "java"));
      assertThat(first.scope()).isEqualTo(m.scope());
      assertThat(first.version()).isEqualTo(1);
      assertThat(first.createdAt()).isEqualTo(t0);
      assertThat(first.valueJson()).isEqualTo("{\"v\":\"java\"}");
      assertThat(first.expiry()).isEmpty();
      clock.advance(Duration.ofSeconds(3));
      MemoryEntry second = m.put(Memory.SEMANTIC, "lang", "kotlin");
      assertThat(second.version()).isEqualTo(2);
      assertThat(second.createdAt()).isEqualTo(t0);
      assertThat(second.updatedAt()).isEqualTo(t0.plusSeconds(3));
      assertThat(m.entry(Memory.SEMANTIC, "lang")).contains(second);
      assertThat(m.put(Memory.SEMANTIC, "lang", 3).version()).isEqualTo(3);
      assertThat(m.get(Memory.SEMANTIC, "lang", Integer.class)).contains(3);
      assertThat(m.get(Memory.SEMANTIC, "other", Integer.class)).isEmpty();
      m.put(Memory.EPISODIC, "nothing", null);
      assertThat(m.entry(Memory.EPISODIC, "nothing").orElseThrow().valueJson()).isEqualTo("null");
      assertThat(m.get(Memory.EPISODIC, "nothing", String.class)).isEmpty();
      assertInvalid(() -> m.get(Memory.SEMANTIC, "lang", Map.class), "cannot be read as Map");
      assertInvalid(() -> m.put("bad type!", "k", 1), "memoryType");
      assertInvalid(() -> m.put(HINT, "", 1), "key");
      assertInvalid(() -> m.put(HINT, "k", 1, Duration.ZERO), "ttl");
    }
  }

  @BackendTest
  void expiredEntriesAreNeverReturnedEvenWhenTheClockStepsBack() {
    for (Memory m : scopes) {
      Instant t0 = clock.instant().plus(Duration.ofHours(1)); // the library never steps back
      clock.set(t0);
      MemoryEntry e = m.put(HINT, "k1", "v", Duration.ofMinutes(1));
      assertThat(e.expiresAt()).isEqualTo(t0.plusSeconds(60));
      m.put(HINT, "k2", "forever");
      clock.advance(Duration.ofSeconds(59));
      assertThat(m.get(HINT, "k1", String.class)).contains("v");
      clock.advance(Duration.ofSeconds(1));
      assertExpired(m);
      clock.set(t0); // wall clock stepped back: the entry stays expired
      assertExpired(m);
      clock.set(t0.plusSeconds(60));
      MemoryEntry again = m.put(HINT, "k1", "new");
      assertThat(again.version()).isEqualTo(1);
      assertThat(again.createdAt()).isEqualTo(t0.plusSeconds(60));
    }
  }

  private static void assertExpired(Memory m) {
    assertThat(m.get(HINT, "k1", String.class)).isEmpty();
    assertThat(m.entry(HINT, "k1")).isEmpty();
    assertThat(m.getAll(HINT, List.of("k1", "k2"))).containsOnlyKeys("k2");
    assertThat(m.keys(HINT)).containsExactly("k2");
    assertThat(m.findByPrefix(HINT, "k")).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.findByGlob(HINT, "k?")).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.recent(10)).extracting(MemoryEntry::key).containsExactly("k2");
    assertThat(m.exportJson()).doesNotContain("\"k1\"");
  }

  @BackendTest
  void getAllDeleteKeysAndClear() {
    for (Memory m : scopes) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("b", 2);
      values.put("a", 1);
      values.put("c", List.of(3));
      List<MemoryEntry> put = m.putAll(Memory.SEMANTIC, values, null);
      assertThat(put).extracting(MemoryEntry::key).containsExactly("b", "a", "c");
      assertThat(put).allSatisfy(e -> assertThat(e.scope()).isEqualTo(m.scope()));
      assertThat(m.putAll(Memory.SEMANTIC, Map.of(), null)).isEmpty();
      m.put(Memory.EPISODIC, "a", "episode");
      assertThat(m.getAll(Memory.SEMANTIC, List.of("a", "zz", "c"))).containsOnlyKeys("a", "c");
      assertThat(m.getAll(Memory.SEMANTIC, List.of("c", "a")).keySet()).containsExactly("c", "a");
      assertThat(m.keys(Memory.SEMANTIC)).containsExactly("a", "b", "c");
      assertThat(m.delete(Memory.SEMANTIC, "a")).isTrue();
      assertThat(m.delete(Memory.SEMANTIC, "a")).isFalse();
      assertThat(m.keys(Memory.SEMANTIC)).containsExactly("b", "c");
      assertThat(m.clear(Memory.SEMANTIC)).isEqualTo(2);
      assertThat(m.keys(Memory.EPISODIC)).containsExactly("a");
      assertThat(m.clear()).isEqualTo(1);
      assertThat(m.recent(10)).isEmpty();
      assertThat(m.putAll(Memory.SEMANTIC, Map.of("t", 1), Duration.ofSeconds(5)))
          .allSatisfy(x -> assertThat(x.expiresAt()).isEqualTo(clock.instant().plusSeconds(5)));
      assertThat(m.clear()).isEqualTo(1);
      assertInvalid(
          () -> m.getAll(Memory.SEMANTIC, java.util.Collections.nCopies(10_001, "k")), "10001");
    }
  }

  @BackendTest
  void prefixAndGlobTreatUserTextAsDesigned() {
    List<String> keys =
        List.of("a*b", "a?b", "a[b]", "a%b", "a_b", "axb", "aXb", "a\\b", "b*", "a]b");
    for (Memory m : scopes) {
      for (String k : keys) {
        m.put(HINT, k, k);
      }
      assertThat(prefix(m, "a*")).containsExactly("a*b");
      assertThat(prefix(m, "a%")).containsExactly("a%b");
      assertThat(prefix(m, "a_")).containsExactly("a_b");
      assertThat(prefix(m, "a[")).containsExactly("a[b]");
      assertThat(prefix(m, "")).hasSize(keys.size());
      assertThat(glob(m, "a?b"))
          .containsExactly("a%b", "a*b", "a?b", "aXb", "a\\b", "a]b", "a_b", "axb");
      assertThat(glob(m, "a[xX]b")).containsExactly("aXb", "axb");
      assertThat(glob(m, "b*")).containsExactly("b*");
      assertInvalid(() -> m.findByGlob(HINT, ""), "glob");
      assertInvalid(() -> m.findByPrefix(HINT, "x".repeat(513)), "512");
      assertInvalid(() -> m.findByPrefix(HINT, "a\uD800"), "surrogate");
    }
  }

  private static List<String> prefix(Memory m, String p) {
    return m.findByPrefix(HINT, p).stream().map(MemoryEntry::key).toList();
  }

  private static List<String> glob(Memory m, String g) {
    return m.findByGlob(HINT, g).stream().map(MemoryEntry::key).toList();
  }

  @BackendTest
  void recentIsNewestFirst() {
    for (Memory m : scopes) {
      for (int i = 0; i < 5; i++) {
        m.put(i % 2 == 0 ? Memory.SEMANTIC : Memory.EPISODIC, "k" + i, i);
        clock.advance(Duration.ofMillis(10));
      }
      assertThat(m.recent(3)).extracting(MemoryEntry::key).containsExactly("k4", "k3", "k2");
      assertThat(m.recent(1)).hasSize(1);
      assertInvalid(() -> m.recent(0), "limit");
      assertInvalid(() -> m.recent(10_001), "limit");
    }
  }

  @BackendTest
  void exportImportRoundTripPerScope() {
    for (Memory m : scopes) {
      m.put(Memory.SEMANTIC, "obj", Map.of("name", "김민수", "emoji", "🚀", "n", 12.5));
      m.put(
          Memory.SEMANTIC,
          "big",
          new java.math.BigDecimal("3.14159265358979323846264338327950288"));
      m.put(Memory.EPISODIC, "list", List.of(1, 2, List.of("x")), Duration.ofHours(1));
      m.put(HINT, "gone", "x", Duration.ofSeconds(1));
    }
    clock.advance(Duration.ofSeconds(2));
    for (Memory m : scopes) {
      String json = m.exportJson();
      if (m.scope().kind() == Scope.Kind.SESSION) {
        assertThat(json).startsWith("{\"sessionId\":\"s\",\"entries\":[").doesNotContain("scope");
      } else {
        assertThat(json).startsWith("{\"scope\":\"" + m.scope() + "\",\"entries\":[");
      }
      assertThat(json).doesNotContain("gone");
      Map<String, MemoryEntry> before = new LinkedHashMap<>();
      for (String type : List.of(Memory.SEMANTIC, Memory.EPISODIC)) {
        for (String key : m.keys(type)) {
          before.put(type + "/" + key, m.entry(type, key).orElseThrow());
        }
      }
      assertThat(m.clear()).as("clear deletes the expired entry too").isEqualTo(4);
      assertThat(m.importJson(json)).isEqualTo(3);
      for (Map.Entry<String, MemoryEntry> e : before.entrySet()) {
        String[] tk = e.getKey().split("/");
        MemoryEntry b = m.entry(tk[0], tk[1]).orElseThrow();
        assertThat(b.valueJson()).as(e.getKey()).isEqualTo(e.getValue().valueJson());
        assertThat(b.expiresAt()).isEqualTo(e.getValue().expiresAt());
        assertThat(b.scope()).isEqualTo(m.scope());
      }
      // importing again updates the existing keys; the export is the same document
      assertThat(m.importJson(json)).isEqualTo(3);
      assertThat(m.entry(Memory.SEMANTIC, "obj").orElseThrow().version()).isEqualTo(2);
      assertThat(m.exportJson()).isEqualTo(json);
    }
  }

  @BackendTest
  void aDocumentOfAnotherScopeIsRefusedBeforeAnythingIsWritten() {
    Memory agent = db.memory(Scope.agent("planner"));
    agent.put(HINT, "k", 1);
    String agentDoc = agent.exportJson();
    String sessionDoc = db.memory(Scope.session("s")).exportJson();
    Memory sessionS = db.memory(Scope.session("s"));
    sessionS.put(HINT, "k", 2);
    sessionDoc = sessionS.exportJson();
    for (Memory target :
        List.of(
            db.memory(Scope.agent("planner-2")),
            db.memory(Scope.swarm()),
            db.memory(Scope.namespace("planner")),
            db.memory(Scope.session("other")))) {
      assertThat(
              assertFails(ErrorCode.INVALID_ARGUMENT, () -> target.importJson(agentDoc))
                  .getMessage())
          .contains("of scope 'agent:planner', not of '" + target.scope() + "'")
          .contains("Nothing was written");
      assertThat(target.keys(HINT)).isEmpty();
    }
    for (Memory target : List.of(agent, db.memory(Scope.swarm()))) {
      String doc = sessionDoc;
      assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> target.importJson(doc)).getMessage())
          .contains("holds the memory of session 's', not of '" + target.scope() + "'");
    }
    assertThat(agent.get(HINT, "k", Integer.class)).contains(1);
    assertThat(db.memory(Scope.swarm()).keys(HINT)).isEmpty();
    // a session's document still copies into another session, as before scopes
    assertThat(db.memory(Scope.session("other")).importJson(sessionDoc)).isEqualTo(1);
    // a document naming no scope fits every scope; a bad "scope" or "sessionId" is refused
    String plain = "{\"entries\":[{\"memoryType\":\"x\",\"key\":\"p\",\"value\":1}]}";
    for (Memory m : scopes) {
      assertThat(m.importJson(plain)).isEqualTo(1);
      assertInvalid(() -> m.importJson("{\"scope\":7,\"entries\":[]}"), "\"scope\" 7");
      assertInvalid(() -> m.importJson("{\"sessionId\":[],\"entries\":[]}"), "\"sessionId\" []");
      assertThat(m.importJson("{\"scope\":\"" + m.scope() + "\",\"entries\":[]}")).isZero();
    }
  }

  @BackendTest
  void malformedImportsWriteNothing() {
    for (Memory m : scopes) {
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
                  "{\"entries\":[{\"memoryType\":\"a\",\"key\":\"k\",\"value\":1,"
                      + "\"expiresAt\":\"tomorrow\"}]}"),
          "expiresAt");
      assertThat(m.recent(10)).isEmpty();
    }
  }

  @BackendTest
  void scopeIdsAtTheLimitAreStoredAndBeyondItRefused() {
    int max = Scope.MAX_ID_LENGTH;
    for (String kind : List.of("agent", "ns")) {
      for (int n : new int[] {max - 1, max}) {
        Memory m = db.memory(Scope.parse(kind + ":" + "x".repeat(n - 1) + "y"));
        m.put(HINT, "k", n);
        assertThat(m.get(HINT, "k", Integer.class)).as(kind + n).contains(n);
        assertThat(m.entry(HINT, "k").orElseThrow().scope().id()).hasSize(n);
      }
      assertThat(
              assertFails(
                      ErrorCode.INVALID_ARGUMENT,
                      () -> Scope.parse(kind + ":" + "x".repeat(max + 1)))
                  .getMessage())
          .contains("has " + (max + 1) + " characters; the limit is " + max);
    }
    // a session id keeps the session store's own limit (256)
    for (int n : new int[] {255, 256}) {
      String id = "s".repeat(n);
      db.sessions().start(id);
      db.memory(Scope.session(id)).put(HINT, "k", n);
      assertThat(db.memory(Scope.session(id)).get(HINT, "k", Integer.class)).contains(n);
    }
    assertInvalid(() -> db.memory(Scope.session("s".repeat(257))), "257", "256");
  }

  @BackendTest
  void badScopesAreRefused() {
    for (String bad :
        List.of(
            "",
            "agent",
            "agent:",
            "ns:",
            "session:",
            "swarm:x",
            "team:a",
            "Agent:a",
            ":a",
            "agent: ",
            "agent:a\tb",
            "ns:a\u0000",
            "agent:a\uD800",
            "ns:\uDC00x")) {
      assertFails(ErrorCode.INVALID_ARGUMENT, () -> Scope.parse(bad));
    }
    assertInvalid(() -> Scope.agent("a\nb"), "control character at index 1");
    assertInvalid(() -> Scope.namespace("a\uD800b"), "unpaired UTF-16 surrogate at index 1");
    assertInvalid(() -> new Scope(Scope.Kind.SWARM, "x"), "Scope.swarm()");
    assertInvalid(() -> new Scope(Scope.Kind.AGENT, null), "non-blank id");
    assertInvalid(() -> Scope.session("a\u0000"), "control character");
    // a session id may hold what the session store accepts, control characters too
    String tab = "line\nbreak\ttab";
    db.sessions().start(tab);
    db.memory(Scope.parse("session:" + tab)).put(HINT, "k", 1);
    MemoryEntry e = db.sessions().memory(tab).entry(HINT, "k").orElseThrow();
    assertThat(e.sessionId()).isEqualTo(tab);
    assertThat(e.scope()).isEqualTo(Scope.session(tab));
    assertThat(db.sessions().newest(HINT, "k").orElseThrow().scope()).isEqualTo(Scope.session(tab));
    // the surrogate pair of an emoji is one character, not a damaged one
    Memory emoji = db.memory(Scope.namespace("🚀"));
    emoji.put(HINT, "k", 2);
    assertThat(emoji.entry(HINT, "k").orElseThrow().scope().toString()).isEqualTo("ns:🚀");
  }

  @BackendTest
  void aSessionScopeIsTheSessionsMemoryWithItsNotFound() {
    Memory ghost = db.memory(Scope.session("ghost"));
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> ghost.put(HINT, "k", 1)).getMessage())
        .contains("session 'ghost' does not exist");
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.putAll(HINT, Map.of(), null));
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.importJson("{\"entries\":[]}"));
    assertThat(ghost.keys(HINT)).isEmpty();
    // agents, the swarm and namespaces need no registry row, even for an empty write
    assertThat(db.memory(Scope.agent("nobody")).putAll(HINT, Map.of(), null)).isEmpty();
    assertThat(db.memory(Scope.agent("nobody")).importJson("{\"entries\":[]}")).isZero();
    assertThat(db.agents().get("nobody")).isEmpty();
    db.memory(Scope.session("s")).put(HINT, "k", 1);
    assertThat(db.sessions().memory("s").get(HINT, "k", Integer.class)).contains(1);
    // MemoryEntry keeps its session-first constructor
    MemoryEntry old = new MemoryEntry("s", HINT, "k", "1", 1, T0, T0, null);
    assertThat(old.scope()).isEqualTo(Scope.session("s"));
    assertThat(old.sessionId()).isEqualTo("s");
    assertThat(new MemoryEntry(Scope.swarm(), HINT, "k", "1", 1, T0, T0, null).sessionId())
        .isNull();
  }

  @BackendTest
  void purgeDeletesExpiredScopedEntriesInChunksWithTheirIndexRows() throws Exception {
    Memory swarm = db.memory(Scope.swarm());
    Memory agent = db.memory(Scope.agent("a"));
    Map<String, Object> many = new LinkedHashMap<>();
    for (int i = 0; i < 2_001; i++) { // one more than a purge chunk
      many.put("k" + i, "expiring note " + i);
    }
    swarm.putAll(HINT, many, Duration.ofSeconds(1));
    agent.put(HINT, "short", "quokka", Duration.ofSeconds(1));
    agent.put(HINT, "moved", "later", Duration.ofSeconds(1));
    agent.put(HINT, "moved", "later", Duration.ofHours(1)); // a new TTL replaces the old one
    agent.put(HINT, "kept", "quokka forever");
    db.sessions().memory("s").put(HINT, "old", "x", Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(2));
    assertThat(swarm.keys(HINT)).isEmpty();
    assertThat(db.maintenance().purgeExpiredMemory()).isEqualTo(2_001 + 1 + 1);
    assertThat(agent.keys(HINT)).containsExactly("kept", "moved");
    assertThat(db.maintenance().purgeExpiredMemory()).isZero();
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      assertThat(count(st, "SELECT count(*) FROM scoped_memory")).isEqualTo(2);
      if (!backend.isPostgres()) {
        // the triggers took the index rows and the sweep rows in the same transactions
        assertThat(count(st, "SELECT count(*) FROM memory_docs WHERE scope LIKE 'agent:%'"))
            .isEqualTo(2);
        assertThat(count(st, "SELECT count(*) FROM memory_docs WHERE scope = 'swarm'")).isZero();
        assertThat(count(st, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'quokka'"))
            .isEqualTo(1);
        assertThat(count(st, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'expiring'"))
            .isZero();
        assertThat(count(st, "SELECT count(*) FROM scoped_memory_expiry")).isEqualTo(1);
        assertThat(count(st, "SELECT count(*) FROM memory_docs")).isEqualTo(2);
      } else {
        assertThat(
                count(
                    st,
                    "SELECT count(*) FROM scoped_memory WHERE search @@ to_tsquery('english',"
                        + " 'quokka')"))
            .isEqualTo(1);
      }
    }
    assertThat(db.maintenance().quickCheck().problems()).isEmpty();
  }

  @BackendTest
  void deletesAndClearsTakeTheIndexRowsToo() throws Exception {
    for (Memory m : scopes) {
      m.put(HINT, "a", "wombat one");
      m.put(HINT, "b", "wombat two");
      m.put(Memory.SEMANTIC, "c", "wombat three");
      m.put(HINT, "a", "numbat"); // an update re-indexes the new text
      assertThat(m.delete(HINT, "b")).isTrue();
    }
    if (!backend.isPostgres()) {
      try (Connection c = backend.connect();
          Statement st = c.createStatement()) {
        assertThat(count(st, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'wombat'"))
            .isEqualTo(4);
        assertThat(count(st, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'numbat'"))
            .isEqualTo(4);
        for (Memory m : scopes) {
          m.clear(Memory.SEMANTIC);
        }
        assertThat(count(st, "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'wombat'"))
            .isZero();
        for (Memory m : scopes) {
          m.clear();
        }
        assertThat(count(st, "SELECT count(*) FROM memory_docs")).isZero();
        assertThat(count(st, "SELECT count(*) FROM memory_fts")).isZero();
      }
    }
  }

  @BackendTest
  void upsertsVersionsExpiresAndMatchesOnEveryScope() {
    for (Memory m : scopes) {
      Instant t0 = clock.instant().plus(Duration.ofHours(1)); // the library never steps back
      clock.set(t0);
      MemoryEntry e1 = m.put(Memory.SEMANTIC, "lang", Map.of("b", 2, "a", List.of(1, "x")));
      assertThat(e1.version()).isEqualTo(1);
      m.put(Memory.EPISODIC, "ttl", 1, Duration.ofMinutes(1));
      clock.advance(Duration.ofMinutes(2));
      assertThat(m.entry(Memory.EPISODIC, "ttl")).isEmpty();
      assertThat(m.put(Memory.EPISODIC, "ttl", 2).version()).isEqualTo(1);
      Map<String, Object> many = new LinkedHashMap<>();
      many.put("a*b", 1);
      many.put("a?c", 2);
      many.put("abd", 3);
      many.put("b[1]", 4);
      assertThat(m.putAll("kv", many, null)).hasSize(4);
      assertThat(m.findByGlob("kv", "a?[bcd]"))
          .extracting(MemoryEntry::key)
          .containsExactly("a*b", "a?c", "abd");
      assertThat(m.findByGlob("kv", "b[[]1]")).extracting(MemoryEntry::key).containsExactly("b[1]");
      String export = m.exportJson();
      assertThat(m.clear()).isEqualTo(6);
      assertThat(m.importJson(export)).isEqualTo(6);
      assertThat(m.get("kv", "b[1]", Integer.class)).contains(4);
    }
  }

  @BackendTest
  void aSessionsExportIsTheDocumentItWasBeforeScopes() {
    Memory m = db.sessions().memory("s");
    m.put(Memory.SEMANTIC, "b", List.of(1, "x"));
    m.put(HINT, "a", Map.of("k", 1.50), Duration.ofSeconds(10));
    String expiry = Long.toString(T0.plusSeconds(10).toEpochMilli());
    assertThat(m.exportJson())
        .isEqualTo(
            "{\"sessionId\":\"s\",\"entries\":["
                + "{\"memoryType\":\"context_hint\",\"key\":\"a\",\"value\":{\"k\":1.5},\"expiresAt\":"
                + expiry
                + "},{\"memoryType\":\"semantic\",\"key\":\"b\",\"value\":[1,\"x\"],"
                + "\"expiresAt\":null}]}");
    assertThat(db.memory(Scope.swarm()).exportJson())
        .isEqualTo("{\"scope\":\"swarm\",\"entries\":[]}");
  }

  static long count(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
