package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one reference rule (SwarmDB's Javadoc): the event log records ids as given; a session's
 * memory and agents need the session.
 */
class ReferencesTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final int ROUNDS = 100;

  ReferencesTest() {
    super(T0);
  }

  @BackendTest
  void theEventLogRecordsUnknownSessionsAndAgentsAsGiven() {
    AgentEvent one =
        db.events().append(AgentEvent.of("spawn", "nobody", "w", Map.of()).withSessionId("ghost"));
    AgentEvent async =
        db.events()
            .appendAsync(AgentEvent.of("tool", "nobody", "w", Map.of()).withSessionId("ghost"))
            .join();
    List<AgentEvent> batch =
        db.events()
            .appendAll(
                List.of(
                    AgentEvent.of("tool", "other", null, Map.of()).withSessionId("ghost-2"),
                    AgentEvent.of("tool", "other", null, Map.of())));
    assertThat(db.events().query(EventQuery.session("ghost").limit(10)))
        .containsExactlyInAnyOrder(one, async);
    assertThat(db.events().query(EventQuery.agent("other").limit(10)))
        .containsExactlyInAnyOrderElementsOf(batch);
    assertThat(db.sessions().get("ghost")).isEmpty();
    assertThat(db.agents().get("nobody")).isEmpty();
  }

  @BackendTest
  void anAgentsSessionMustExist() {
    assertThat(
            assertFails(
                    ErrorCode.NOT_FOUND, () -> db.agents().register("a", "w", "ghost", Map.of()))
                .getMessage())
        .contains("session 'ghost' does not exist", "sessions().start(\"ghost\")");
    assertFails(
        ErrorCode.NOT_FOUND, () -> db.agents().registerIfAbsent("a", "w", "ghost", Map.of()));
    assertThat(db.agents().get("a")).isEmpty();
    assertThat(db.agents().page(null, null, null, 10)).isEmpty();
    // no session, an active one, an ended one: all exist or need none
    assertThat(db.agents().register("free", "w").sessionId()).isNull();
    db.sessions().start("s");
    assertThat(db.agents().register("in", "w", "s", Map.of()).sessionId()).isEqualTo("s");
    db.sessions().end("s");
    assertThat(db.agents().registerIfAbsent("late", "w", "s", Map.of()).created()).isTrue();
  }

  @BackendTest
  void aSessionsMemoryNeedsTheSessionOtherScopesNeedNoRow() {
    Memory ghost = db.sessions().memory("ghost");
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.put(Memory.SEMANTIC, "k", 1));
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.putAll(Memory.SEMANTIC, Map.of("k", 1), null));
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.putAll(Memory.SEMANTIC, Map.of(), null));
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.putIfVersion(Memory.SEMANTIC, "k", 1, null, 0));
    assertFails(ErrorCode.NOT_FOUND, () -> ghost.importJson("{\"entries\":[]}"));
    assertThat(ghost.count()).isZero();
    assertThat(db.memory(Scope.agent("unregistered")).put(Memory.SEMANTIC, "k", 1).version())
        .isOne();
    assertThat(db.memory(Scope.namespace("team")).put(Memory.SEMANTIC, "k", 1).version()).isOne();
  }

  /**
   * An erase racing a registration and a memory write in the same session: the check of the session
   * and the write are one transaction, so nothing the session owned survives it.
   */
  @BackendTest
  void nothingASessionOwnsOutlivesARacingErase() throws Exception {
    SwarmDB other = backend.open(clock);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String session = "s" + round;
        String agent = "a" + round;
        db.sessions().start(session);
        List<ErrorCode> outcomes =
            Concurrently.run(
                pool,
                3,
                t -> {
                  try {
                    switch (t) {
                      case 0 -> db.sessions().erase(session);
                      case 1 -> other.agents().register(agent, "w", session, Map.of());
                      default -> other.sessions().memory(session).put(Memory.SEMANTIC, "k", 1);
                    }
                    return null;
                  } catch (SwarmDbException e) {
                    return e.code();
                  }
                });
        assertThat(outcomes.get(0)).as("the erase, round %d", round).isNull();
        assertThat(outcomes.subList(1, 3)).allMatch(c -> c == null || c == ErrorCode.NOT_FOUND);
        assertThat(db.agents().get(agent)).as("round %d", round).isEmpty();
        assertThat(db.sessions().memory(session).count()).as("round %d", round).isZero();
        assertThat(db.sessions().get(session)).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
