package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;

class AgentRegistryTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  MutableClock clock = new MutableClock(T0);
  SwarmDB db;
  AgentRegistry agents;

  @BeforeEach
  void open(TestBackend backend) {
    db = backend.open(clock);
    agents = db.agents();
    for (String session : List.of("s1", "s2", "even", "odd")) { // an agent's session must exist
      db.sessions().start(session);
    }
  }

  @BackendTest
  void registerStoresASpawnedAgent() {
    Agent a = agents.register("agent-1", "expert-backend", "s1", Map.of("prompt", "Design API"));
    assertThat(a.status()).isEqualTo(AgentStatus.SPAWNED);
    assertThat(a.spawnedAt()).isEqualTo(T0);
    assertThat(a.updatedAt()).isEqualTo(T0);
    assertThat(a.completedAt()).isNull();
    assertThat(a.duration()).isEmpty();
    assertThat(a.sessionId()).isEqualTo("s1");
    assertThat(agents.get("agent-1")).contains(a);
    assertThat(agents.get("agent-2")).isEmpty();
    Agent plain = agents.register("agent-2", "w");
    assertThat(plain.metadata()).isEmpty();
    assertThat(plain.sessionId()).isNull();
  }

  @BackendTest
  void registeringAnExistingIdIsRejectedAndChangesNothing() {
    agents.register("agent-1", "expert");
    agents.transition("agent-1", AgentStatus.RUNNING);
    assertThat(
            assertFails(ErrorCode.ALREADY_EXISTS, () -> agents.register("agent-1", "other"))
                .getMessage())
        .contains("'agent-1' is already registered", "running", "registerIfAbsent");
    assertThat(agents.get("agent-1").orElseThrow().agentType()).isEqualTo("expert");
  }

  static final Set<String> LEGAL =
      Set.of(
          "SPAWNED>RUNNING",
          "SPAWNED>ERROR",
          "SPAWNED>CANCELLED",
          "RUNNING>COMPLETE",
          "RUNNING>ERROR",
          "RUNNING>CANCELLED");

  /** Brings a new agent to {@code state} along legal moves. */
  private void reach(String id, AgentStatus state) {
    agents.register(id, "w");
    if (state == AgentStatus.SPAWNED) {
      return;
    }
    if (state == AgentStatus.RUNNING || state == AgentStatus.COMPLETE) {
      agents.transition(id, AgentStatus.RUNNING);
    }
    if (state != AgentStatus.RUNNING) {
      agents.transition(id, state);
    }
  }

  @BackendTest
  void everyTransitionFollowsTheStateMachine() {
    int n = 0;
    for (AgentStatus from : AgentStatus.values()) {
      for (AgentStatus to : AgentStatus.values()) {
        String id = "a-" + n++;
        reach(id, from);
        assertThat(agents.get(id).orElseThrow().status()).isEqualTo(from);
        boolean legal = LEGAL.contains(from + ">" + to);
        assertThat(from.canMoveTo(to)).as("%s>%s", from, to).isEqualTo(legal);
        if (legal) {
          assertThat(agents.transition(id, to).status()).isEqualTo(to);
        } else {
          SwarmDbException e =
              assertFails(ErrorCode.ILLEGAL_TRANSITION, () -> agents.transition(id, to));
          assertThat(e.getMessage()).contains(id, "from " + from.dbName() + " to " + to.dbName());
          if (from.isFinal()) {
            assertThat(e.getMessage()).contains("final state");
          }
          assertThat(agents.get(id).orElseThrow().status()).isEqualTo(from);
        }
      }
    }
    assertThat(EnumSet.allOf(AgentStatus.class).stream().filter(AgentStatus::isFinal).toList())
        .containsExactly(AgentStatus.COMPLETE, AgentStatus.ERROR, AgentStatus.CANCELLED);
  }

  @BackendTest
  void unknownAgentsAreNotFound() {
    assertThat(
            assertFails(ErrorCode.NOT_FOUND, () -> agents.transition("ghost", AgentStatus.RUNNING))
                .getMessage())
        .contains("'ghost' is not registered");
    assertFails(ErrorCode.NOT_FOUND, () -> agents.heartbeat("ghost"));
  }

  @BackendTest
  void completionRecordsTimeAndDuration() {
    agents.register("a", "w");
    clock.advance(Duration.ofMillis(1500));
    Agent running = agents.transition("a", AgentStatus.RUNNING);
    assertThat(running.updatedAt()).isEqualTo(T0.plusMillis(1500));
    assertThat(running.durationMs()).isNull();
    clock.advance(Duration.ofMillis(2500));
    Agent done = agents.transition("a", AgentStatus.COMPLETE, Map.of("result", "ok"));
    assertThat(done.durationMs()).isEqualTo(4000L);
    assertThat(done.duration()).contains(4000L);
    assertThat(done.completedAt()).isEqualTo(T0.plusMillis(4000));
    assertThat(done.metadata()).containsEntry("result", "ok");
    assertThat(agents.get("a")).contains(done);
  }

  @BackendTest
  void aClockSteppedBackNeverGivesNegativeDurations() {
    agents.register("a", "w");
    clock.set(T0.minusSeconds(3600));
    Agent done = agents.transition("a", AgentStatus.CANCELLED);
    assertThat(done.durationMs()).isZero();
    assertThat(done.completedAt()).isEqualTo(T0);
  }

  @BackendTest
  void metadataUpdatesMergeAndNullRemoves() {
    agents.register("a", "w", null, Map.of("keep", 1, "drop", 2));
    java.util.Map<String, Object> patch = new java.util.HashMap<>();
    patch.put("drop", null);
    patch.put("add", "x");
    Agent a = agents.transition("a", AgentStatus.RUNNING, patch);
    assertThat(a.metadata()).containsOnlyKeys("keep", "add");
    assertThat(agents.get("a").orElseThrow().metadata()).isEqualTo(a.metadata());
    assertInvalid(
        () -> agents.transition("a", AgentStatus.COMPLETE, Map.of("bad", new Object())),
        "metadata");
    assertThat(agents.get("a").orElseThrow().status()).isEqualTo(AgentStatus.RUNNING);
    assertInvalid(() -> agents.transition("a", null), "target status is null");
  }

  @BackendTest
  void heartbeatTouchesLiveAgentsOnly() {
    agents.register("a", "w");
    clock.advance(Duration.ofSeconds(10));
    Agent beat = agents.heartbeat("a");
    assertThat(beat.updatedAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(beat.status()).isEqualTo(AgentStatus.SPAWNED);
    agents.transition("a", AgentStatus.CANCELLED);
    assertThat(assertFails(ErrorCode.ILLEGAL_TRANSITION, () -> agents.heartbeat("a")).getMessage())
        .contains("already ended (cancelled)");
  }

  @BackendTest
  void listsByStateTypeAndSession() {
    agents.register("b", "coder", "s1", Map.of());
    clock.advance(Duration.ofSeconds(1));
    agents.register("a", "coder", "s2", Map.of());
    clock.advance(Duration.ofSeconds(1));
    agents.register("c", "tester", "s1", Map.of());
    clock.advance(Duration.ofSeconds(1));
    agents.register("d", "coder", null, Map.of());
    agents.transition("d", AgentStatus.RUNNING);
    agents.transition("d", AgentStatus.COMPLETE);
    agents.transition("b", AgentStatus.RUNNING);

    assertThat(agents.active()).extracting(Agent::agentId).containsExactly("a", "c", "b");
    assertThat(agents.byType("coder")).extracting(Agent::agentId).containsExactly("a", "b", "d");
    assertThat(agents.byType("coder", AgentStatus.RUNNING))
        .extracting(Agent::agentId)
        .containsExactly("b");
    assertThat(agents.byType("nobody")).isEmpty();
    assertThat(agents.bySession("s1")).extracting(Agent::agentId).containsExactly("b", "c");
    assertThat(agents.countByStatus())
        .containsEntry(AgentStatus.SPAWNED, 2L)
        .containsEntry(AgentStatus.RUNNING, 1L)
        .containsEntry(AgentStatus.COMPLETE, 1L)
        .containsEntry(AgentStatus.ERROR, 0L)
        .containsEntry(AgentStatus.CANCELLED, 0L);
    assertInvalid(() -> agents.byType("coder", null), "status is null");
  }

  @BackendTest
  void sweepStaleMarksSilentAgentsAsError() {
    agents.register("silent", "w");
    agents.register("beating", "w");
    agents.register("done", "w");
    agents.transition("done", AgentStatus.RUNNING);
    agents.transition("done", AgentStatus.COMPLETE);
    agents.register("running", "w", null, Map.of("k", "v"));
    agents.transition("running", AgentStatus.RUNNING);
    clock.advance(Duration.ofSeconds(50));
    agents.heartbeat("beating");
    clock.advance(Duration.ofSeconds(11));

    List<String> swept = agents.sweepStale(Duration.ofSeconds(60));
    assertThat(swept).containsExactly("running", "silent");
    Agent silent = agents.get("silent").orElseThrow();
    assertThat(silent.status()).isEqualTo(AgentStatus.ERROR);
    assertThat(silent.metadata()).containsEntry("stale", true);
    assertThat(silent.durationMs()).isEqualTo(61_000L);
    assertThat(silent.completedAt()).isEqualTo(T0.plusSeconds(61));
    assertThat(agents.get("running").orElseThrow().metadata())
        .containsEntry("k", "v")
        .containsEntry("stale", true);
    assertThat(agents.get("beating").orElseThrow().status()).isEqualTo(AgentStatus.SPAWNED);
    assertThat(agents.get("done").orElseThrow().status()).isEqualTo(AgentStatus.COMPLETE);
    assertThat(agents.sweepStale(Duration.ofSeconds(60))).isEmpty();
    clock.advance(Duration.ofSeconds(60));
    assertThat(agents.sweepStale(Duration.ofSeconds(60))).containsExactly("beating");
    assertInvalid(() -> agents.sweepStale(Duration.ZERO), "silence", "positive");
    assertInvalid(() -> agents.sweepStale(Duration.ofSeconds(-1)), "silence");
    assertInvalid(() -> agents.sweepStale(Duration.ofNanos(10)), "at least 1 ms");
    assertInvalid(() -> agents.sweepStale(null), "silence is null");
  }

  @BackendTest
  void agentAndSessionRecordsKeepAReadOnlyCopyOfTheirMetadata() {
    java.util.Map<String, Object> meta = new java.util.HashMap<>(Map.of("k", 1));
    Agent a = new Agent("a", "w", AgentStatus.SPAWNED, null, T0, null, null, T0, meta);
    Session s = new Session("s", SessionStatus.ACTIVE, T0, null, meta);
    meta.put("k", 2);
    assertThat(a.metadata()).containsEntry("k", 1);
    assertThat(s.metadata()).containsEntry("k", 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.metadata().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.metadata().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @BackendTest
  void statusNamesParse() {
    assertThat(AgentStatus.parse("Running")).isEqualTo(AgentStatus.RUNNING);
    assertThat(AgentStatus.RUNNING.dbName()).isEqualTo("running");
    assertInvalid(() -> AgentStatus.parse("paused"), "unknown agent status 'paused'", "cancelled");
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void agentLifecycle() throws Exception {
    Agent a = db.agents().register("a1", "expert", "s1", Map.of("k", "v"));
    assertThat(a.status()).isEqualTo(AgentStatus.SPAWNED);
    assertFails(ErrorCode.ALREADY_EXISTS, () -> db.agents().register("a1", "expert"));
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
    assertFails(
        ErrorCode.ILLEGAL_TRANSITION, () -> db.agents().transition("a1", AgentStatus.RUNNING));
    assertFails(ErrorCode.ILLEGAL_TRANSITION, () -> db.agents().heartbeat("a1"));
    assertFails(ErrorCode.NOT_FOUND, () -> db.agents().transition("nobody", AgentStatus.RUNNING));
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

  @BackendTest
  void pagesListEveryAgentByIdWithFilters() {
    for (int i = 0; i < 7; i++) {
      agents.register("a" + i, "w", i % 2 == 0 ? "even" : "odd", Map.of());
    }
    agents.transition("a1", AgentStatus.RUNNING);
    agents.transition("a4", AgentStatus.RUNNING);
    assertThat(agents.page(null, null, null, 3))
        .extracting(Agent::agentId)
        .containsExactly("a0", "a1", "a2");
    assertThat(agents.page(null, null, "a2", 3))
        .extracting(Agent::agentId)
        .containsExactly("a3", "a4", "a5");
    assertThat(agents.page(null, null, "a5", 3)).extracting(Agent::agentId).containsExactly("a6");
    assertThat(agents.page(null, null, "a6", 3)).isEmpty();
    assertThat(agents.page(null, null, "gone", 3)).isEmpty(); // the cursor need not exist
    assertThat(agents.page(AgentStatus.RUNNING, null, null, 10))
        .extracting(Agent::agentId)
        .containsExactly("a1", "a4");
    assertThat(agents.page(null, "even", "a0", 2))
        .extracting(Agent::agentId)
        .containsExactly("a2", "a4");
    assertThat(agents.page(AgentStatus.SPAWNED, "odd", null, 10))
        .extracting(Agent::agentId)
        .containsExactly("a3", "a5");
    assertInvalid(() -> agents.page(null, null, null, 0), "limit is 0");
    assertInvalid(() -> agents.page(null, null, null, 10_001), "limit is 10001");
  }
}
