package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The flight recorder on both backends: memory history in every scope, registry and session changes
 * on the one sequence shared with events, and as-of views with the live read API.
 */
class HistoryTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  HistoryTest() {
    super(T0);
  }

  private static List<Memory> everyScope(SwarmDB db) {
    return List.of(
        db.memory(Scope.session("s")),
        db.memory(Scope.agent("a")),
        db.memory(Scope.swarm()),
        db.memory(Scope.namespace("user:x")));
  }

  private static long seqOf(AgentEvent stored) {
    return stored.seq();
  }

  @BackendTest
  void everyWriteAndDeleteOfEveryScopeIsAVersionOnTheEventSequence() {
    db.sessions().start("s");
    for (Memory m : everyScope(db)) {
      long e1 = seqOf(db.events().append(AgentEvent.of("tick", "a", null, Map.of())));
      Instant start = clock.instant();
      m.put("semantic", "k", Map.of("v", 1));
      clock.advance(Duration.ofSeconds(1));
      m.put("semantic", "k", Map.of("v", 2), Duration.ofHours(1));
      clock.advance(Duration.ofSeconds(1));
      assertThat(m.delete("semantic", "k")).isTrue();
      m.put("semantic", "k", "again");
      long e2seq = seqOf(db.events().append(AgentEvent.of("tick", "a", null, Map.of())));

      List<MemoryVersion> h = m.history("semantic", "k");
      assertThat(h).hasSize(4);
      assertThat(h).extracting(MemoryVersion::version).containsExactly(1L, 2L, 2L, 1L);
      assertThat(h).extracting(MemoryVersion::deleted).containsExactly(false, false, true, false);
      assertThat(h)
          .extracting(MemoryVersion::valueJson)
          .containsExactly("{\"v\":1}", "{\"v\":2}", null, "\"again\"");
      assertThat(h.get(0).time()).isEqualTo(start);
      assertThat(h.get(1).time()).isEqualTo(start.plusSeconds(1));
      assertThat(h.get(1).expiresAt()).isEqualTo(start.plusSeconds(1).plus(Duration.ofHours(1)));
      assertThat(h).allSatisfy(v -> assertThat(v.scope()).isEqualTo(m.scope()));
      // one sequence: the versions lie strictly between the events around them, in order
      assertThat(h.get(0).seq()).isGreaterThan(e1);
      for (int i = 1; i < h.size(); i++) {
        assertThat(h.get(i).seq()).isGreaterThan(h.get(i - 1).seq());
      }
      assertThat(e2seq).isGreaterThan(h.get(3).seq());
      // paging: after the second version's seq come the last two
      assertThat(m.history("semantic", "k", h.get(1).seq(), 10))
          .containsExactlyElementsOf(h.subList(2, 4));
      assertThat(m.history("semantic", "k", 0, 1)).containsExactly(h.get(0));
      assertThat(m.history("semantic", "never")).isEmpty();
    }
    assertThat(db.memory(Scope.agent("a")).history("semantic", "k").get(0).writer())
        .contains(Scope.agent("a"));
    assertThat(db.memory(Scope.session("s")).history("semantic", "k").get(0).writer())
        .contains(Scope.session("s"));
    assertThat(db.memory(Scope.swarm()).history("semantic", "k").get(0).writer()).isEmpty();
  }

  @BackendTest
  void historyChecksItsInputBeforeReading() {
    Memory m = db.memory(Scope.swarm());
    assertInvalid(() -> m.history("semantic", "k", -1, 10), "afterSeq is -1");
    assertInvalid(() -> m.history("semantic", "k", 0, 0), "limit is 0");
    assertInvalid(() -> m.history("semantic", "k", 0, 10_001), "limit is 10001");
    assertThat(m.history("semantic", "k", 0, 10_000)).isEmpty();
    assertInvalid(() -> m.history("bad type!", "k", 0, 10), "memoryType");
    assertInvalid(() -> m.history("semantic", "x".repeat(513), 0, 10), "513");
    assertThat(m.history("semantic", "x".repeat(512), 0, 10)).isEmpty();
  }

  @BackendTest
  void clearsPurgesAndSessionDeletionsAreRecordedAsDeletes() {
    db.sessions().start("s");
    Memory s = db.memory(Scope.session("s"));
    Memory swarm = db.memory(Scope.swarm());
    s.put("t", "a", 1);
    s.put("u", "b", 2);
    swarm.put("t", "short", 3, Duration.ofSeconds(5));
    assertThat(s.clear("t")).isEqualTo(1);
    assertThat(s.history("t", "a")).extracting(MemoryVersion::deleted).containsExactly(false, true);
    clock.advance(Duration.ofSeconds(6));
    // expiry alone records nothing: the version carries its TTL
    assertThat(swarm.history("t", "short")).hasSize(1);
    assertThat(db.maintenance().purgeExpiredMemory()).isEqualTo(1);
    assertThat(swarm.history("t", "short"))
        .extracting(MemoryVersion::deleted)
        .containsExactly(false, true);
    assertThat(s.clear()).isEqualTo(1);
    assertThat(s.history("u", "b")).extracting(MemoryVersion::deleted).containsExactly(false, true);
  }

  @BackendTest
  void asOfAnEventShowsTheRegistrySessionsAndMemoryRightAfterIt() {
    db.sessions().start("s", Map.of("user", "kim"));
    db.agents().register("a", "planner", "s", Map.of("p", 1));
    db.memory(Scope.session("s")).put("semantic", "lang", "java");
    db.memory(Scope.agent("a")).put("semantic", "plan", List.of(1, 2));
    AgentEvent decided = db.events().append(AgentEvent.of("decide", "a", "planner", Map.of()));
    long mark = decided.seq();
    Instant markTime = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    db.agents().transition("a", AgentStatus.RUNNING);
    db.agents().heartbeat("a");
    db.agents().register("b", "coder", "s", Map.of());
    db.memory(Scope.session("s")).put("semantic", "lang", "kotlin");
    db.memory(Scope.agent("a")).delete("semantic", "plan");
    db.sessions().start("t");
    db.sessions().end("s");

    SwarmState then = db.asOf(mark);
    assertThat(then.seq()).isEqualTo(mark);
    // the time of the latest change: the event's own time, or the writes' clock if later
    assertThat(then.time())
        .isEqualTo(decided.timestamp().isAfter(markTime) ? decided.timestamp() : markTime);
    Agent a = then.agents().get("a").orElseThrow();
    assertThat(a.status()).isEqualTo(AgentStatus.SPAWNED);
    assertThat(a.metadata()).containsEntry("p", 1);
    assertThat(then.agents().get("b")).isEmpty();
    assertThat(then.agents().active()).extracting(Agent::agentId).containsExactly("a");
    assertThat(then.agents().countByStatus())
        .containsEntry(AgentStatus.SPAWNED, 1L)
        .containsEntry(AgentStatus.RUNNING, 0L);
    assertThat(then.sessions().get("s").orElseThrow().isActive()).isTrue();
    assertThat(then.sessions().get("t")).isEmpty();
    assertThat(then.sessions().count()).isEqualTo(1);
    assertThat(then.sessions().memory("s").get("semantic", "lang", String.class)).contains("java");
    assertThat(then.memory(Scope.agent("a")).keys("semantic")).containsExactly("plan");
    assertThat(then.sessions().newest("semantic", "lang").orElseThrow().valueJson())
        .isEqualTo("\"java\"");

    // and the live database has moved on
    assertThat(db.agents().get("a").orElseThrow().status()).isEqualTo(AgentStatus.RUNNING);
    assertThat(db.memory(Scope.agent("a")).keys("semantic")).isEmpty();
    // as of now, the view equals the live reads
    SwarmState now = db.asOf(Instant.now().plusSeconds(3600));
    assertThat(now.agents().page(null, null, null, 100))
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("updatedAt")
        .containsExactlyElementsOf(db.agents().page(null, null, null, 100));
    assertThat(now.sessions().page(false, null, 100))
        .containsExactlyElementsOf(db.sessions().page(false, null, 100));
    assertThat(now.memory(Scope.session("s")).exportJson())
        .isEqualTo(db.memory(Scope.session("s")).exportJson());
  }

  @BackendTest
  void asOfATimeIsTheLatestChangeAtOrBeforeIt() {
    db.sessions().start("s");
    Instant first = clock.instant();
    clock.advance(Duration.ofSeconds(10));
    db.agents().register("a", "planner");
    SwarmState before = db.asOf(first.plusSeconds(9));
    assertThat(before.agents().get("a")).isEmpty();
    assertThat(before.sessions().get("s")).isPresent();
    assertThat(db.asOf(first.plusSeconds(10)).agents().get("a")).isPresent();
    assertInvalid(() -> db.asOf(first.minusSeconds(1)), "nothing was recorded at or before");
  }

  @BackendTest
  void asOfRefusesSeqsOutsideTheHistory() {
    db.sessions().start("s");
    long latest = db.asOf(Instant.now().plusSeconds(60)).seq();
    assertThat(db.asOf(latest).sessions().count()).isEqualTo(1);
    assertInvalid(() -> db.asOf(latest + 1), "after the latest change, seq " + latest);
    assertInvalid(() -> db.asOf(-1), "negative");
    assertThat(db.asOf(0).sessions().count()).isZero();
  }

  @BackendTest
  void everyWriteOfAViewIsReadOnlyAndChangesNothing() {
    db.sessions().start("s");
    db.agents().register("a", "planner");
    SwarmState v = db.asOf(db.asOf(Instant.now().plusSeconds(60)).seq());
    List<Runnable> writes = new ArrayList<>();
    writes.add(() -> v.agents().register("b", "x"));
    writes.add(() -> v.agents().transition("a", AgentStatus.RUNNING));
    writes.add(() -> v.agents().transition("a", AgentStatus.RUNNING, Map.of()));
    writes.add(() -> v.agents().heartbeat("a"));
    writes.add(() -> v.agents().sweepStale(Duration.ofSeconds(1)));
    writes.add(() -> v.sessions().start("t"));
    writes.add(() -> v.sessions().end("s"));
    for (Memory m : List.of(v.memory(Scope.swarm()), v.sessions().memory("s"))) {
      writes.add(() -> m.put("t", "k", 1));
      writes.add(() -> m.putAll("t", Map.of("k", 1), null));
      writes.add(() -> m.delete("t", "k"));
      writes.add(() -> m.clear());
      writes.add(() -> m.clear("t"));
      writes.add(() -> m.importJson("{\"entries\":[]}"));
    }
    for (Runnable w : writes) {
      assertThat(assertFails(ErrorCode.READ_ONLY, w::run).getMessage())
          .contains("read-only view of the past", "as of seq " + v.seq());
    }
    assertThat(db.agents().get("a").orElseThrow().status()).isEqualTo(AgentStatus.SPAWNED);
    assertThat(db.sessions().get("s").orElseThrow().isActive()).isTrue();
    assertThat(db.sessions().count()).isEqualTo(1);
  }

  @BackendTest
  void pruningKeepsTheStateAtTheHorizonAndRefusesEarlierViews() {
    db.sessions().start("s");
    db.sessions().start("gone");
    Memory m = db.memory(Scope.swarm());
    m.put("t", "k", 1);
    m.put("t", "k", 2);
    m.put("t", "x", "deleted before the horizon");
    m.delete("t", "x");
    db.agents().register("a", "w");
    db.agents().transition("a", AgentStatus.RUNNING);
    long horizon = db.asOf(Instant.now().plusSeconds(60)).seq();
    m.put("t", "k", 3);
    db.agents().transition("a", AgentStatus.COMPLETE);
    long latest = db.asOf(Instant.now().plusSeconds(60)).seq();
    String atHorizon = db.asOf(horizon).memory(Scope.swarm()).exportJson();
    // limits: the latest change + 1 and a negative horizon are refused, nothing pruned
    assertInvalid(() -> db.maintenance().pruneHistory(latest + 1), "after the latest change");
    assertInvalid(() -> db.maintenance().pruneHistory(-1), "negative");
    assertThat(db.asOf(0).sessions().count()).isZero();

    // the versions before the horizon go: k's 1 and x's write and delete; k's 2 is the snapshot
    assertThat(db.maintenance().pruneHistory(horizon)).isEqualTo(1 + 2 + 1);
    assertThat(m.history("t", "k")).extracting(MemoryVersion::version).containsExactly(2L, 3L);
    assertThat(m.history("t", "x")).isEmpty();
    assertThat(db.asOf(horizon).memory(Scope.swarm()).exportJson()).isEqualTo(atHorizon);
    assertThat(db.asOf(horizon).agents().get("a").orElseThrow().status())
        .isEqualTo(AgentStatus.RUNNING);
    assertThat(db.asOf(latest).agents().get("a").orElseThrow().status())
        .isEqualTo(AgentStatus.COMPLETE);
    assertThat(db.asOf(horizon).sessions().count()).isEqualTo(2);
    assertInvalid(() -> db.asOf(horizon - 1), "before the history horizon, seq " + horizon);
    // a horizon at or before the recorded one changes nothing
    assertThat(db.maintenance().pruneHistory(horizon)).isZero();
    assertThat(db.maintenance().pruneHistory(horizon - 1)).isZero();
    assertThat(db.asOf(horizon).memory(Scope.swarm()).exportJson()).isEqualTo(atHorizon);
    // up to the latest change: each entity keeps only its current version
    assertThat(db.maintenance().pruneHistory(latest)).isEqualTo(2);
    assertThat(db.asOf(latest).agents().get("a").orElseThrow().status())
        .isEqualTo(AgentStatus.COMPLETE);
  }

  @BackendTest
  void expiredEntriesAreAbsentFromViewsAfterTheirTtl() {
    Memory m = db.memory(Scope.agent("a"));
    m.put("t", "short", "soon gone", Duration.ofSeconds(10));
    long written = db.asOf(Instant.now().plusSeconds(60)).seq();
    clock.advance(Duration.ofSeconds(10));
    m.put("t", "other", "later");
    long later = db.asOf(Instant.now().plusSeconds(60)).seq();
    assertThat(db.asOf(written).memory(Scope.agent("a")).keys("t")).containsExactly("short");
    // at the later change the TTL had passed (expires_at <= the view's time): as live reads see it
    assertThat(db.asOf(later).memory(Scope.agent("a")).keys("t")).containsExactly("other");
    assertThat(db.asOf(later).memory(Scope.agent("a")).entry("t", "short")).isEmpty();
    // counts follow the same rule: the expired entry no longer counts, other types never did
    m.put("u", "elsewhere", 1);
    long third = db.asOf(Instant.now().plusSeconds(60)).seq();
    assertThat(db.asOf(written).memory(Scope.agent("a")).count()).isOne();
    assertThat(db.asOf(written).memory(Scope.agent("a")).count("t")).isOne();
    assertThat(db.asOf(later).memory(Scope.agent("a")).count("t")).isOne();
    assertThat(db.asOf(third).memory(Scope.agent("a")).count()).isEqualTo(2);
    assertThat(db.asOf(third).memory(Scope.agent("a")).count("u")).isOne();
    assertThat(db.asOf(third).memory(Scope.agent("b")).count()).isZero();
    assertInvalid(() -> db.asOf(third).memory(Scope.agent("a")).count("bad type!"), "memoryType");
  }

  @BackendTest
  void aForkCopiesTheSessionsMemoryAndAgentsAsOfTheSeqNotItsEvents() {
    db.sessions().start("s", Map.of("user", "kim"));
    db.agents().register("planner", "manager", "s", Map.of("p", 1));
    db.agents().transition("planner", AgentStatus.RUNNING);
    Memory m = db.memory(Scope.session("s"));
    m.put("semantic", "lang", "java");
    m.put("semantic", "ttl", "brief", Duration.ofDays(3650));
    m.put("semantic", "gone", "soon deleted");
    m.delete("semantic", "gone");
    long decided =
        db.events().append(AgentEvent.of("decide", "planner", null, "s", Map.of())).seq();
    // (a view's TTLs count against its time: here the delete's and the event's, by the real
    // clock, later than the test clock's writes; a TTL of ten years outlives both)
    // after the point: none of this is in the fork
    m.put("semantic", "lang", "cobol");
    m.put("semantic", "late", "x");
    db.agents().transition("planner", AgentStatus.ERROR);
    db.agents().register("late-agent", "w", "s", Map.of());
    clock.advance(Duration.ofMinutes(1));

    Session fork = db.sessions().fork("s", "s-rerun", decided);
    assertThat(fork.isActive()).isTrue();
    assertThat(fork.startedAt()).isEqualTo(clock.instant());
    assertThat(fork.metadata()).containsEntry("user", "kim").containsEntry("forkedFrom", "s");
    // JSON numbers read back as the smallest fitting type
    assertThat(((Number) fork.metadata().get("forkedAtSeq")).longValue()).isEqualTo(decided);
    assertThat(db.sessions().get("s-rerun").orElseThrow()).isEqualTo(fork);
    Memory copy = db.memory(Scope.session("s-rerun"));
    assertThat(copy.keys("semantic")).containsExactly("lang", "ttl");
    MemoryEntry lang = copy.entry("semantic", "lang").orElseThrow();
    assertThat(lang.valueJson()).isEqualTo("\"java\"");
    assertThat(lang.version()).isEqualTo(1);
    assertThat(copy.entry("semantic", "ttl").orElseThrow().expiresAt())
        .isEqualTo(m.history("semantic", "ttl").get(0).expiresAt());
    assertThat(db.agents().bySession("s-rerun"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.agentId()).isEqualTo("s-rerun/planner");
              assertThat(a.status()).isEqualTo(AgentStatus.RUNNING);
              assertThat(a.metadata()).containsEntry("p", 1).containsEntry("forkedFrom", "planner");
            });
    assertThat(db.events().query(EventQuery.session("s-rerun").limit(10))).isEmpty();
    // the source is untouched
    assertThat(m.get("semantic", "lang", String.class)).contains("cobol");
    assertThat(db.agents().get("planner").orElseThrow().status()).isEqualTo(AgentStatus.ERROR);
  }

  @BackendTest
  void aRefusedForkWritesNothing() {
    db.sessions().start("s");
    db.agents().register("a", "w", "s", Map.of());
    db.memory(Scope.session("s")).put("t", "k", 1);
    long latest = db.asOf(Instant.now().plusSeconds(60)).seq();
    db.sessions().start("taken");
    long counted = db.sessions().count();
    assertFails(ErrorCode.NOT_FOUND, () -> db.sessions().fork("nope", "new", latest));
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> db.sessions().fork("taken", "new", latest)))
        .hasMessageContaining("did not exist as of seq " + latest);
    assertThat(
            assertFails(ErrorCode.ALREADY_EXISTS, () -> db.sessions().fork("s", "taken", latest)))
        .hasMessageContaining("already exists");
    assertInvalid(() -> db.sessions().fork("s", "new", latest + 2), "after the latest change");
    assertInvalid(() -> db.sessions().fork("s", "new", -1), "negative");
    // the copied agent's id is NEWID/AGENTID: at the id limit it is refused before any write
    String longId = "n".repeat(255); // a valid id (at most 256), but 255 + "/a" is 257
    assertInvalid(() -> db.sessions().fork("s", longId, latest), "the forked agent id");
    db.agents().register("new/a", "w");
    assertThat(assertFails(ErrorCode.ALREADY_EXISTS, () -> db.sessions().fork("s", "new", latest)))
        .hasMessageContaining("agent 'new/a' already exists");
    assertThat(db.sessions().count()).isEqualTo(counted);
    assertThat(db.sessions().get("new")).isEmpty();
    assertThat(db.memory(Scope.session("new")).keys("t")).isEmpty();
    // as of a view, a fork is a write
    assertFails(ErrorCode.READ_ONLY, () -> db.asOf(latest).sessions().fork("s", "v", latest));
  }

  @BackendTest
  void viewsPageAndListAsTheLiveReadsDo() {
    for (String id : List.of("s1", "s2", "s3")) {
      db.sessions().start(id);
      clock.advance(Duration.ofSeconds(1));
    }
    db.sessions().end("s2");
    Memory m = db.memory(Scope.namespace("user:x"));
    m.put("t", "ka", 1);
    clock.advance(Duration.ofMillis(1)); // newest first needs distinct times, not a tie
    m.put("t", "kb", 2);
    clock.advance(Duration.ofMillis(1));
    m.put("t", "x?", 3);
    SwarmState v = db.asOf(Instant.now().plusSeconds(60));
    assertThat(v.sessions().open(10)).extracting(Session::sessionId).containsExactly("s3", "s1");
    assertThat(v.sessions().recent(2)).extracting(Session::sessionId).containsExactly("s3", "s2");
    assertThat(v.sessions().page(false, "s3", 10))
        .containsExactlyElementsOf(db.sessions().page(false, "s3", 10));
    assertThat(v.sessions().page(true, "s2", 10))
        .containsExactlyElementsOf(db.sessions().page(true, "s2", 10));
    assertFails(ErrorCode.NOT_FOUND, () -> v.sessions().page(false, "nope", 10));
    assertThat(v.memory(Scope.namespace("user:x")).getAll("t", List.of("kb", "nope", "ka")))
        .containsOnlyKeys("kb", "ka");
    assertThat(v.memory(Scope.namespace("user:x")).findByGlob("t", "k?"))
        .containsExactlyElementsOf(m.findByGlob("t", "k?"));
    assertThat(v.memory(Scope.namespace("user:x")).findByPrefix("t", "x?"))
        .containsExactlyElementsOf(m.findByPrefix("t", "x?"));
    assertThat(v.memory(Scope.namespace("user:x")).recent(2))
        .containsExactlyElementsOf(m.recent(2));
    assertThat(v.memory(Scope.namespace("user:x")).get("t", "ka", Integer.class)).contains(1);
    assertThat(v.memory(Scope.namespace("user:x")).history("t", "ka")).hasSize(1);
    assertThat(v.sessions().memory("s1").sessionId()).isEqualTo("s1");
    assertThat(v.toString()).contains("SwarmState[seq " + v.seq());
    assertThat(v.agents().toString()).contains("as of seq " + v.seq());
    assertThat(v.sessions().toString()).contains("as of seq " + v.seq());
    assertThat(v.memory(Scope.swarm()).toString()).contains("swarm as of seq " + v.seq());
    db.agents().register("a1", "coder", "s1", Map.of());
    db.agents().register("a2", "coder", "s3", Map.of());
    db.agents().transition("a2", AgentStatus.RUNNING);
    SwarmState w = db.asOf(Instant.now().plusSeconds(60));
    assertThat(w.agents().byType("coder")).isEqualTo(db.agents().byType("coder"));
    assertThat(w.agents().byType("coder", AgentStatus.RUNNING))
        .extracting(Agent::agentId)
        .containsExactly("a2");
    assertThat(w.agents().bySession("s1")).extracting(Agent::agentId).containsExactly("a1");
    assertThat(w.agents().page(AgentStatus.SPAWNED, "s1", null, 10))
        .extracting(Agent::agentId)
        .containsExactly("a1");
    assertThat(w.agents().page(null, null, "a1", 10))
        .extracting(Agent::agentId)
        .containsExactly("a2");
    assertInvalid(() -> w.agents().byType("coder", null), "status is null");
    assertInvalid(() -> v.sessions().open(0), "limit is 0");
    assertInvalid(() -> v.agents().page(null, null, null, 10_001), "limit is 10001");
    assertInvalid(() -> v.agents().byType("bad type!"), "agentType");
    assertInvalid(
        () -> v.memory(Scope.swarm()).getAll("t", java.util.Collections.nCopies(10_001, "k")),
        "10001");
  }

  @BackendTest
  void damagedHistoryRowsAreCorruptNamingTheRow() throws Exception {
    db.memory(Scope.swarm()).put("t", "k", 1);
    db.agents().register("a", "w");
    long seq = db.asOf(Instant.now().plusSeconds(60)).seq();
    String version =
        backend.isPostgres()
            ? "UPDATE memory_history SET value = NULL"
            : "UPDATE memory_history SET value = '{not json'";
    corrupt(version);
    assertThat(assertFails(ErrorCode.CORRUPT, () -> db.memory(Scope.swarm()).history("t", "k")))
        .hasMessageContaining("memory_history row seq");
    corrupt("UPDATE agent_history SET metadata = " + (backend.isPostgres() ? "'[1]'" : "'{x'"));
    assertThat(assertFails(ErrorCode.CORRUPT, () -> db.asOf(seq).agents().get("a")))
        .hasMessageContaining("agent_history row seq");
    corrupt(
        "INSERT INTO swarm_settings (name, value) VALUES ('history_horizon', 'x')"
            + " ON CONFLICT (name) DO UPDATE SET value = 'x'");
    assertThat(assertFails(ErrorCode.CORRUPT, () -> db.asOf(seq)))
        .hasMessageContaining("history_horizon");
  }

  /** Changes stored rows past the library, as damage would. */
  private void corrupt(String statement) throws Exception {
    if (backend.isPostgres()) {
      try (java.sql.Connection c = backend.connect();
          java.sql.Statement st = c.createStatement()) {
        st.execute(statement);
      }
    } else {
      PlainSql.damage(backend.file(), statement);
    }
  }

  @BackendTest
  void heartbeatsAreNoStateChangeButTransitionsAre() {
    db.agents().register("a", "planner");
    long registered = db.asOf(Instant.now().plusSeconds(60)).seq();
    clock.advance(Duration.ofSeconds(1));
    db.agents().heartbeat("a");
    assertThat(db.asOf(Instant.now().plusSeconds(60)).seq()).isEqualTo(registered);
    db.agents().transition("a", AgentStatus.RUNNING, Map.of("step", 2));
    SwarmState after = db.asOf(Instant.now().plusSeconds(60));
    assertThat(after.seq()).isGreaterThan(registered);
    assertThat(after.agents().get("a").orElseThrow().metadata()).containsEntry("step", 2);
    assertThat(db.asOf(registered).agents().get("a").orElseThrow().metadata()).isEmpty();
  }
}
