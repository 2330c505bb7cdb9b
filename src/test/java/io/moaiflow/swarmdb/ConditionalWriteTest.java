package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code putIfVersion} and {@code transition(id, expected, target)}: CONFLICT, never both. */
class ConditionalWriteTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-07-01T12:00:00Z");
  static final String T = Memory.SEMANTIC;
  static final int ROUNDS = 200;

  ConditionalWriteTest() {
    super(T0);
  }

  @BackendTest
  void putIfVersionWritesOnlyAtTheExpectedVersion() {
    db.sessions().start("s");
    for (Memory m : List.of(db.sessions().memory("s"), db.memory(Scope.agent("a1")))) {
      assertThat(m.putIfVersion(T, "k", "one", null, 0).version()).isEqualTo(1);
      assertThat(
              assertFails(ErrorCode.CONFLICT, () -> m.putIfVersion(T, "k", "x", null, 0))
                  .getMessage())
          .contains("expected no entry (version 0), but the entry is at version 1", "retry");
      // the actual version 1, then one below and one above it
      MemoryEntry two = m.putIfVersion(T, "k", "two", null, 1);
      assertThat(two.version()).isEqualTo(2);
      assertThat(two.valueJson()).isEqualTo("\"two\"");
      assertThat(
              assertFails(ErrorCode.CONFLICT, () -> m.putIfVersion(T, "k", "x", null, 1))
                  .getMessage())
          .contains("key 'k'", "expected version 1, but the entry is at version 2");
      assertFails(ErrorCode.CONFLICT, () -> m.putIfVersion(T, "k", "x", null, 3));
      assertThat(m.entry(T, "k")).contains(two);
      assertThat(m.putIfVersion(T, "k", "three", Duration.ofSeconds(5), 2).version()).isEqualTo(3);
      assertThat(
              assertFails(ErrorCode.CONFLICT, () -> m.putIfVersion(T, "absent", "x", null, 4))
                  .getMessage())
          .contains("expected version 4, but there is no entry (version 0");
      assertThat(m.entry(T, "absent")).isEmpty();
      assertInvalid(() -> m.putIfVersion(T, "k", "x", null, -1), "expectedVersion is -1");
      assertInvalid(() -> m.putIfVersion(T, "", "x", null, 0), "key");
    }
  }

  @BackendTest
  void anExpiredEntryCountsAsAbsent() {
    db.sessions().start("s");
    Memory m = db.sessions().memory("s");
    m.put(T, "k", "old", Duration.ofSeconds(10));
    m.put(T, "k", "older", Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(10));
    assertThat(
            assertFails(ErrorCode.CONFLICT, () -> m.putIfVersion(T, "k", "x", null, 2))
                .getMessage())
        .contains("there is no entry");
    MemoryEntry fresh = m.putIfVersion(T, "k", "new", null, 0);
    assertThat(fresh.version()).isEqualTo(1);
    assertThat(fresh.createdAt()).isEqualTo(T0.plusSeconds(10));
  }

  @BackendTest
  void aMissingSessionIsNotFoundWhateverTheVersion() {
    Memory m = db.sessions().memory("ghost");
    assertFails(ErrorCode.NOT_FOUND, () -> m.putIfVersion(T, "k", "x", null, 0));
    assertFails(ErrorCode.NOT_FOUND, () -> m.putIfVersion(T, "k", "x", null, 3));
  }

  /**
   * Two writers (threads of two SwarmDB instances) read the entry's version, then both write at it:
   * each round exactly one wins and the other gets CONFLICT, for a new key (version 0, the insert
   * race) and for an existing one.
   */
  @BackendTest
  void twoWritersAtOneVersionNeverBothWin() throws Exception {
    db.sessions().start("s");
    SwarmDB other = backend.open(clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String key = "k" + (round % 20);
        long seen = db.sessions().memory("s").entry(T, key).map(MemoryEntry::version).orElse(0L);
        int r = round;
        List<Boolean> won =
            Concurrently.run(
                pool,
                2,
                t -> {
                  try {
                    (t == 0 ? db : other)
                        .sessions()
                        .memory("s")
                        .putIfVersion(T, key, Map.of("round", r, "writer", t), null, seen);
                    return true;
                  } catch (SwarmDbException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    return false;
                  }
                });
        assertThat(won).as("round %d", round).containsExactlyInAnyOrder(true, false);
        MemoryEntry now = db.sessions().memory("s").entry(T, key).orElseThrow();
        assertThat(now.version()).isEqualTo(seen + 1);
        assertThat(now.valueJson()).contains("\"writer\":" + won.indexOf(true));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @BackendTest
  void transitionWithAnExpectedStateIsCompareAndSet() {
    db.agents().register("a", "w");
    Agent running = db.agents().transition("a", AgentStatus.SPAWNED, AgentStatus.RUNNING);
    assertThat(running.status()).isEqualTo(AgentStatus.RUNNING);
    assertThat(
            assertFails(
                    ErrorCode.CONFLICT,
                    () -> db.agents().transition("a", AgentStatus.SPAWNED, AgentStatus.RUNNING))
                .getMessage())
        .contains("agent 'a' is running, expected spawned", "Nothing was written");
    assertThat(db.agents().get("a")).contains(running);
    assertFails(
        ErrorCode.ILLEGAL_TRANSITION,
        () -> db.agents().transition("a", AgentStatus.RUNNING, AgentStatus.SPAWNED));
    assertFails(
        ErrorCode.NOT_FOUND,
        () -> db.agents().transition("ghost", AgentStatus.RUNNING, AgentStatus.COMPLETE));
    assertInvalid(() -> db.agents().transition("a", null, AgentStatus.COMPLETE), "null");
    assertThat(db.agents().transition("a", AgentStatus.RUNNING, AgentStatus.COMPLETE).status())
        .isEqualTo(AgentStatus.COMPLETE);
  }

  @BackendTest
  void racingTransitionsOutOfOneStateHaveOneWinner() throws Exception {
    SwarmDB other = backend.open(clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "agent-" + round;
        db.agents().register(id, "w");
        db.agents().transition(id, AgentStatus.RUNNING);
        AgentStatus[] targets = {AgentStatus.COMPLETE, AgentStatus.CANCELLED};
        List<AgentStatus> won =
            Concurrently.run(
                pool,
                2,
                t -> {
                  try {
                    return (t == 0 ? db : other)
                        .agents()
                        .transition(id, AgentStatus.RUNNING, targets[t])
                        .status();
                  } catch (SwarmDbException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    return AgentStatus.RUNNING;
                  }
                });
        assertThat(won).as("round %d", round).containsOnlyOnce(AgentStatus.RUNNING);
        AgentStatus winner = won.get(0) == AgentStatus.RUNNING ? won.get(1) : won.get(0);
        assertThat(db.agents().get(id).orElseThrow().status()).isEqualTo(winner);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
