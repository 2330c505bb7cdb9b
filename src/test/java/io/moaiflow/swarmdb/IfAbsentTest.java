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

/** {@code startIfAbsent} and {@code registerIfAbsent}: one creation, whoever races. */
class IfAbsentTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T09:00:00Z");
  static final int THREADS = 8;
  static final int ROUNDS = 150;

  IfAbsentTest() {
    super(T0);
  }

  @BackendTest
  void startIfAbsentCreatesOnceThenReturnsTheStoredSessionUnchanged() {
    CreateResult<Session> first = db.sessions().startIfAbsent("s1", Map.of("user", "kim"));
    assertThat(first.created()).isTrue();
    assertThat(first.value().metadata()).containsEntry("user", "kim");
    clock.advance(Duration.ofSeconds(5));
    CreateResult<Session> again = db.sessions().startIfAbsent("s1", Map.of("user", "lee"));
    assertThat(again.created()).isFalse();
    assertThat(again.value()).isEqualTo(first.value());
    Session ended = db.sessions().end("s1");
    CreateResult<Session> afterEnd = db.sessions().startIfAbsent("s1", Map.of());
    assertThat(afterEnd.created()).isFalse();
    assertThat(afterEnd.value()).isEqualTo(ended); // an ended session is not reopened
    assertThat(db.sessions().count()).isEqualTo(1);
    assertInvalid(() -> db.sessions().startIfAbsent("", Map.of()), "sessionId");
    assertInvalid(() -> db.sessions().startIfAbsent("s1", Map.of("bad", new Object())), "metadata");
    assertThat(assertFails(ErrorCode.ALREADY_EXISTS, () -> db.sessions().start("s1")).code())
        .isEqualTo(ErrorCode.ALREADY_EXISTS);
  }

  @BackendTest
  void registerIfAbsentCreatesOnceThenReturnsTheStoredAgentUnchanged() {
    db.sessions().start("s1");
    CreateResult<Agent> first =
        db.agents().registerIfAbsent("a1", "coder", "s1", Map.of("task", 1));
    assertThat(first.created()).isTrue();
    assertThat(first.value().status()).isEqualTo(AgentStatus.SPAWNED);
    db.agents().transition("a1", AgentStatus.RUNNING);
    CreateResult<Agent> again = db.agents().registerIfAbsent("a1", "tester", null, Map.of());
    assertThat(again.created()).isFalse();
    assertThat(again.value()).isEqualTo(db.agents().get("a1").orElseThrow());
    assertThat(again.value().agentType()).isEqualTo("coder");
    assertThat(again.value().status()).isEqualTo(AgentStatus.RUNNING);
    assertInvalid(() -> db.agents().registerIfAbsent("a2", "", null, Map.of()), "agentType");
    assertThat(db.agents().get("a2")).isEmpty();
  }

  /**
   * Threads of two SwarmDB instances on one database (two processes' worth of writers: separate
   * writers on SQLite, separate pools on PostgreSQL) race on a new id each round: exactly one call
   * creates it, and every caller gets that caller's row.
   */
  @BackendTest
  void racingStartsCreateExactlyOneSession() throws Exception {
    SwarmDB other = backend.open(clock);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "race-" + round;
        List<CreateResult<Session>> results =
            Concurrently.run(
                pool,
                THREADS,
                t -> (t % 2 == 0 ? db : other).sessions().startIfAbsent(id, Map.of("thread", t)));
        assertThat(results.stream().filter(CreateResult::created)).as("round %d", round).hasSize(1);
        Session stored = db.sessions().get(id).orElseThrow();
        assertThat(results).allSatisfy(r -> assertThat(r.value()).isEqualTo(stored));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(db.sessions().count()).isEqualTo(ROUNDS);
  }

  @BackendTest
  void racingRegistrationsCreateExactlyOneAgent() throws Exception {
    SwarmDB other = backend.open(clock);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "agent-" + round;
        List<CreateResult<Agent>> results =
            Concurrently.run(
                pool,
                THREADS,
                t ->
                    (t % 2 == 0 ? db : other)
                        .agents()
                        .registerIfAbsent(id, "w" + t, null, Map.of()));
        assertThat(results.stream().filter(CreateResult::created)).as("round %d", round).hasSize(1);
        Agent stored = db.agents().get(id).orElseThrow();
        assertThat(results).allSatisfy(r -> assertThat(r.value()).isEqualTo(stored));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @BackendTest
  void racingPlainStartsFailAllButOneWithAlreadyExists() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int round = 0; round < 30; round++) {
        String id = "plain-" + round;
        List<ErrorCode> outcomes =
            Concurrently.run(
                pool,
                THREADS,
                t -> {
                  try {
                    db.sessions().start(id);
                    return null;
                  } catch (SwarmDbException e) {
                    return e.code();
                  }
                });
        assertThat(outcomes).filteredOn(c -> c == null).hasSize(1);
        assertThat(outcomes).filteredOn(c -> c != null).containsOnly(ErrorCode.ALREADY_EXISTS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
