package io.moaiflow.swarmdb.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventCounts;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmDbListener;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DAO contract: the same assertions against the SQLite file and PostgreSQL. PostgreSQL cases
 * are skipped, with a message naming {@code SWARMDB_TEST_PG_URL}, when no server is configured.
 */
class BackendContractTest {
  /** The backends under test. */
  enum Kind {
    SQLITE,
    POSTGRES
  }

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  private SwarmDB open(Kind kind) throws Exception {
    SwarmDbConfig.Builder b;
    if (kind == Kind.SQLITE) {
      b = SwarmDbConfig.builder(dir.resolve("swarm.db"));
    } else {
      PgTestSupport.Schema schema = PgTestSupport.newSchema();
      cleanup.add(schema);
      b = SwarmDbConfig.postgres(schema.url());
    }
    SwarmDB db = SwarmDB.open(b.clock(clock).build());
    cleanup.add(0, db);
    return db;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  private static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(SwarmDbException.class)
        .extracting(e -> ((SwarmDbException) e).code())
        .isEqualTo(code);
  }

  private static AgentEvent event(String type, String agent, String session, Instant ts) {
    return AgentEvent.of(type, agent, "expert", session, Map.of("n", 1, "s", "x"))
        .withTimestamp(ts);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void appendIsIdempotentAndReturnsTheStoredRow(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    AgentEvent e = event("spawn", "a1", "s1", T0);
    AgentEvent stored = db.events().append(e);
    assertThat(stored.seq()).isPositive();
    assertThat(stored.sameContent(e)).isTrue();
    AgentEvent again = db.events().append(e.withEventId(e.eventId()));
    assertThat(again.seq()).isEqualTo(stored.seq());
    assertThat(db.events().count()).isEqualTo(1);
    assertThat(db.events().get(e.eventId())).contains(stored);
    assertThat(db.events().get("missing")).isEmpty();
    assertThat(db.events().lastSeq()).isEqualTo(stored.seq());
    AgentEvent async = db.events().appendAsync(event("run", "a1", "s1", T0)).get();
    assertThat(async.seq()).isGreaterThan(stored.seq());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void appendAllIsOneTransactionInOrderAndSkipsStoredIds(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    AgentEvent first = db.events().append(event("spawn", "a0", null, T0));
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(event("run", "a" + (i % 5), "s" + (i % 2), T0.plusMillis(i)));
    }
    batch.add(first.withEventId(first.eventId()));
    batch.add(batch.get(3).withEventId(batch.get(3).eventId()));
    List<AgentEvent> stored = db.events().appendAll(batch);
    assertThat(stored).hasSize(52);
    assertThat(stored.subList(0, 50))
        .extracting(AgentEvent::seq)
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(stored.get(0).seq()).isGreaterThan(first.seq());
    assertThat(stored.get(50)).isEqualTo(first);
    assertThat(stored.get(51)).isEqualTo(stored.get(3));
    for (int i = 0; i < 50; i++) {
      assertThat(stored.get(i).sameContent(batch.get(i))).isTrue();
    }
    assertThat(db.events().count()).isEqualTo(51);
    assertThat(db.events().appendAll(List.of())).isEmpty();
    // a batch with one bad event writes nothing
    AgentEvent bad = AgentEvent.of("x", "a", null, Map.of("o", new Object()));
    assertCode(
        () -> db.events().appendAll(List.of(event("x", "a", null, T0), bad)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(db.events().count()).isEqualTo(51);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void queriesAnswerEveryFilterNewestFirstWithKeysetPaging(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(
          event(i % 3 == 0 ? "spawn" : "run", "a" + (i % 3), "s" + (i % 2), T0.plusSeconds(i)));
    }
    db.events().appendAll(batch);
    List<AgentEvent> a1 = db.events().query(EventQuery.agent("a1").limit(4));
    assertThat(a1).hasSize(4).allMatch(e -> e.agentId().equals("a1"));
    assertThat(a1).extracting(AgentEvent::timestamp).isSortedAccordingTo((x, y) -> y.compareTo(x));
    assertThat(db.events().query(EventQuery.type("spawn"))).hasSize(10);
    assertThat(db.events().query(EventQuery.session("s0"))).hasSize(15);
    assertThat(db.events().query(EventQuery.between(T0, T0.plusSeconds(10)))).hasSize(10);
    assertThat(
            db.events()
                .query(EventQuery.agent("a0").withType("spawn").withSession("s0").limit(100)))
        .hasSize(5);
    List<AgentEvent> page2 = db.events().query(EventQuery.all().limit(4).after(a1.get(3)));
    assertThat(page2).hasSize(4);
    assertThat(page2.get(0).timestamp()).isBefore(a1.get(3).timestamp());
    try (Stream<AgentEvent> s = db.events().stream(EventQuery.all())) {
      assertThat(s.count()).isEqualTo(30);
    }
    try (Stream<AgentEvent> s = db.events().stream(EventQuery.all().limit(7))) {
      assertThat(s.count()).isEqualTo(7);
    }
    assertThat(db.events().count(EventQuery.type("run"))).isEqualTo(20);
    assertThat(db.events().countByType())
        .containsExactly(Map.entry("run", 20L), Map.entry("spawn", 10L));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sinceTailsInSeqOrder(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(event("run", "a", null, T0));
    }
    List<AgentEvent> stored = db.events().appendAll(batch);
    List<AgentEvent> seen = new ArrayList<>();
    long cursor = 0;
    while (true) {
      List<AgentEvent> next = db.events().since(cursor, 10);
      if (next.isEmpty()) {
        break;
      }
      seen.addAll(next);
      cursor = next.get(next.size() - 1).seq();
    }
    assertThat(seen).containsExactlyElementsOf(stored);
    assertCode(() -> db.events().since(-1, 10), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> db.events().since(0, 0), ErrorCode.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void countByTypeAfterCountsEachEventOnceAcrossCalls(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    assertThat(db.events().countByTypeAfter(0)).isEqualTo(new EventCounts(0, Map.of()));
    List<AgentEvent> first =
        db.events()
            .appendAll(
                List.of(
                    event("spawn", "a", null, T0),
                    event("spawn", "b", null, T0),
                    event("run", "a", null, T0)));
    EventCounts all = db.events().countByTypeAfter(0);
    assertThat(all.byType()).containsExactlyInAnyOrderEntriesOf(Map.of("spawn", 2L, "run", 1L));
    assertThat(all.lastSeq()).isEqualTo(first.get(2).seq());
    assertThat(all.total()).isEqualTo(3);
    AgentEvent later = db.events().append(event("complete", "a", null, T0));
    EventCounts next = db.events().countByTypeAfter(all.lastSeq());
    assertThat(next).isEqualTo(new EventCounts(later.seq(), Map.of("complete", 1L)));
    // nothing newer: the cursor stays, nothing is counted twice
    assertThat(db.events().countByTypeAfter(next.lastSeq()))
        .isEqualTo(new EventCounts(later.seq(), Map.of()));
    // the cursor at limit - 1, limit, limit + 1 of the newest seq
    assertThat(db.events().countByTypeAfter(later.seq() - 1).byType())
        .isEqualTo(Map.of("complete", 1L));
    assertThat(db.events().countByTypeAfter(later.seq() + 1))
        .isEqualTo(new EventCounts(later.seq() + 1, Map.of()));
    assertCode(() -> db.events().countByTypeAfter(-1), ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> db.events().countByTypeAfter(-1))
        .hasMessageContaining("afterSeq is -1");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void agentLifecycle(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    Agent a = db.agents().register("a1", "expert", "s1", Map.of("k", "v"));
    assertThat(a.status()).isEqualTo(AgentStatus.SPAWNED);
    assertCode(() -> db.agents().register("a1", "expert"), ErrorCode.INVALID_ARGUMENT);
    db.agents().register("a2", "expert");
    db.agents().register("a3", "other", "s1", Map.of());
    clock.advance(Duration.ofSeconds(2));
    Agent running = db.agents().transition("a1", AgentStatus.RUNNING, Map.of("step", 1));
    assertThat(running.metadata()).containsEntry("k", "v").containsEntry("step", 1);
    Map<String, Object> remove = new LinkedHashMap<>();
    remove.put("k", null);
    clock.advance(Duration.ofSeconds(3));
    Agent done = db.agents().transition("a1", AgentStatus.COMPLETE, remove);
    assertThat(done.metadata()).doesNotContainKey("k").containsEntry("step", 1);
    assertThat(done.durationMs()).isEqualTo(5000L);
    assertThat(db.agents().get("a1")).contains(done);
    assertCode(
        () -> db.agents().transition("a1", AgentStatus.RUNNING), ErrorCode.ILLEGAL_TRANSITION);
    assertCode(() -> db.agents().heartbeat("a1"), ErrorCode.ILLEGAL_TRANSITION);
    assertCode(() -> db.agents().transition("nobody", AgentStatus.RUNNING), ErrorCode.NOT_FOUND);
    assertThat(db.agents().heartbeat("a2").updatedAt()).isEqualTo(clock.instant());
    assertThat(db.agents().active()).extracting(Agent::agentId).containsExactly("a3", "a2");
    assertThat(db.agents().byType("expert")).extracting(Agent::agentId).containsExactly("a1", "a2");
    assertThat(db.agents().byType("expert", AgentStatus.COMPLETE)).hasSize(1);
    assertThat(db.agents().bySession("s1")).extracting(Agent::agentId).containsExactly("a1", "a3");
    assertThat(db.agents().countByStatus())
        .containsEntry(AgentStatus.SPAWNED, 2L)
        .containsEntry(AgentStatus.COMPLETE, 1L)
        .containsEntry(AgentStatus.RUNNING, 0L);
    clock.advance(Duration.ofMinutes(10));
    db.agents().heartbeat("a2");
    assertThat(db.agents().sweepStale(Duration.ofMinutes(5))).containsExactly("a3");
    Agent stale = db.agents().get("a3").orElseThrow();
    assertThat(stale.status()).isEqualTo(AgentStatus.ERROR);
    assertThat(stale.metadata()).containsEntry("stale", true);
    assertThat(stale.durationMs()).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sessionLifecycle(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    Session s1 = db.sessions().start("s1", Map.of("goal", "ship"));
    assertThat(s1.isActive()).isTrue();
    assertCode(() -> db.sessions().start("s1"), ErrorCode.INVALID_ARGUMENT);
    clock.advance(Duration.ofSeconds(1));
    db.sessions().start("s2");
    clock.advance(Duration.ofSeconds(1));
    Session ended = db.sessions().end("s1");
    assertThat(ended.endedAt()).isEqualTo(clock.instant());
    assertThat(ended.metadata()).containsEntry("goal", "ship");
    assertCode(() -> db.sessions().end("s1"), ErrorCode.ILLEGAL_TRANSITION);
    assertCode(() -> db.sessions().end("nope"), ErrorCode.NOT_FOUND);
    assertThat(db.sessions().get("s1")).contains(ended);
    assertThat(db.sessions().open(10)).extracting(Session::sessionId).containsExactly("s2");
    assertThat(db.sessions().recent(10)).extracting(Session::sessionId).containsExactly("s2", "s1");
    assertThat(db.sessions().count()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void memoryUpsertsVersionsExpiresAndMatches(Kind kind) throws Exception {
    SwarmDB db = open(kind);
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
    assertCode(() -> db.sessions().memory("nope").put("semantic", "k", 1), ErrorCode.NOT_FOUND);
    assertCode(() -> m.importJson("{\"entries\": 3}"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> m.put("bad type!", "k", 1), ErrorCode.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void maintenanceDeletesOldEventsAndExpiredMemory(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      batch.add(event("run", "a", null, T0.minus(Duration.ofDays(40))));
    }
    batch.add(event("run", "a", null, T0));
    db.events().appendAll(batch);
    assertThat(db.maintenance().deleteEventsOlderThan(Duration.ofDays(30))).isEqualTo(2_500);
    assertThat(db.events().count()).isEqualTo(1);
    db.sessions().start("s");
    db.sessions().memory("s").put("semantic", "old", 1, Duration.ofSeconds(1));
    db.sessions().memory("s").put("semantic", "keep", 1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(db.maintenance().purgeExpiredMemory()).isEqualTo(1);
    assertThat(db.maintenance().quickCheck().ok()).isTrue();
    assertThat(db.maintenance().integrityCheck().ok()).isTrue();
    assertThat(db.maintenance().vacuum()).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void inspectionReportsTheTwelveIndexesCountsAndHealth(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    db.events().append(event("spawn", "a", null, T0));
    db.sessions().start("s");
    DatabaseInfo info = db.inspect().info();
    assertThat(info.indexes()).containsExactly(SchemaV1.INDEXES.toArray(String[]::new));
    assertThat(info.schemaVersion()).isEqualTo(1);
    assertThat(info.latestSchemaVersion()).isEqualTo(1);
    assertThat(info.rowCounts())
        .containsEntry("agent_events", 1L)
        .containsEntry("sessions", 1L)
        .containsEntry("agents", 0L)
        .containsEntry("schema_history", 1L);
    assertThat(info.pageSize()).isPositive();
    assertThat(db.inspect().sizeBytes()).isPositive();
    assertThat(db.inspect().walSizeBytes()).isNotNegative();
    HealthReport h = db.inspect().health();
    assertThat(h.healthy()).as(h.problems().toString()).isTrue();
    assertThat(h.database()).isEqualTo("connected");
    assertThat(h.writable()).isTrue();
    assertThat(h.schemaVersion()).isEqualTo(1);
    assertThat(db.inspect().writerStats().transactions()).isPositive();
    assertThat(db.migrator().status())
        .singleElement()
        .extracting(s -> s.state())
        .isEqualTo(MigrationState.APPLIED);
    assertThat(db.migrator().pending()).isEmpty();
    assertThat(db.migrator().currentVersion()).isEqualTo(1);
    assertThat(db.migrator().latestVersion()).isEqualTo(1);
    db.migrator().validate();
    assertThat(db.migrator().migrate().applied()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void listenersSeeAppendsAndOperations(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    AtomicInteger appended = new AtomicInteger();
    AtomicInteger operations = new AtomicInteger();
    SwarmDbListener l =
        new SwarmDbListener() {
          @Override
          public void onEventsAppended(String eventType, int count) {
            appended.addAndGet(count);
          }

          @Override
          public void onOperation(String operation, long nanos, ErrorCode error) {
            operations.incrementAndGet();
          }
        };
    db.addListener(l);
    db.events().append(event("spawn", "a", null, T0));
    db.events().appendAll(List.of(event("run", "a", null, T0), event("run", "a", null, T0)));
    db.events().appendAsync(event("run", "a", null, T0)).get();
    db.events().count();
    assertThat(appended.get()).isEqualTo(4);
    assertThat(operations.get()).isGreaterThanOrEqualTo(4);
    db.removeListener(l);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void closedDatabaseRefusesWork(Kind kind) throws Exception {
    SwarmDB db = open(kind);
    assertThat(db.isClosed()).isFalse();
    assertThat(db.toString()).contains("SwarmDB[");
    assertThat(db.config().isPostgres()).isEqualTo(kind == Kind.POSTGRES);
    assertThat(db.path().isPresent()).isEqualTo(kind == Kind.SQLITE);
    db.close();
    db.close();
    assertThat(db.isClosed()).isTrue();
    assertCode(() -> db.events().count(), ErrorCode.CLOSED);
    assertCode(() -> db.sessions().start("x"), ErrorCode.CLOSED);
    assertThat(db.inspect().health().healthy()).isFalse();
  }
}
