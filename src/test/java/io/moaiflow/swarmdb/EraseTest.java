package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** {@code sessions().erase}: everything a session owns, in one transaction, or nothing. */
class EraseTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-08-01T07:00:00Z");
  static final List<String> TABLES =
      List.of("sessions", "agents", "agent_events", "session_memory", "scoped_memory");
  static final List<String> SQLITE_INDEX = List.of("memory_fts", "memory_docs", "event_fts");

  EraseTest() {
    super(T0);
  }

  @BeforeEach
  void swarm() {
    db.sessions().start("s1");
    db.sessions().start("s2");
    db.agents().register("a1", "coder", "s1", Map.of());
    db.agents().register("a2", "tester", "s1", Map.of());
    db.agents().register("a3", "coder", "s2", Map.of());
    db.events()
        .appendAll(
            List.of(
                AgentEvent.of("spawn", "a1", "coder", Map.of("note", "alpha")).withSessionId("s1"),
                AgentEvent.of("tool", "a1", "coder", Map.of("note", "beta")).withSessionId("s1"),
                AgentEvent.of("tool", "a2", "tester", Map.of("note", "gamma")), // no session
                AgentEvent.of("tool", "outsider", "x", Map.of("note", "delta")).withSessionId("s1"),
                AgentEvent.of("tool", "a3", "coder", Map.of("note", "kept")).withSessionId("s2")));
    Memory m1 = db.sessions().memory("s1");
    m1.put(Memory.SEMANTIC, "fact", "private words");
    m1.put(Memory.EPISODIC, "step", "more words");
    m1.put(Memory.CONTEXT_HINT, "soon", "expiring", Duration.ofSeconds(1));
    db.sessions().memory("s2").put(Memory.SEMANTIC, "fact", "kept words");
    db.memory(Scope.agent("a1")).put(Memory.SEMANTIC, "a", "agent words");
    db.memory(Scope.agent("a2")).put(Memory.SEMANTIC, "b", "agent words", Duration.ofHours(1));
    db.memory(Scope.agent("a3")).put(Memory.SEMANTIC, "c", "kept agent words");
    clock.advance(Duration.ofSeconds(5)); // the hint has expired, and is erased all the same
  }

  @BackendTest
  void eraseDeletesTheSessionWithEverythingItOwnsAndNothingElse() throws Exception {
    Map<String, Long> before = counts(backend);
    EraseResult r = db.sessions().erase("s1");
    assertThat(r).isEqualTo(new EraseResult("s1", 3, 2, 2, 4));
    assertThat(db.sessions().get("s1")).isEmpty();
    assertThat(db.agents().get("a1")).isEmpty();
    assertThat(db.agents().get("a2")).isEmpty();
    assertThat(db.agents().bySession("s1")).isEmpty();
    assertThat(db.events().query(EventQuery.session("s1").limit(100))).isEmpty();
    assertThat(db.events().query(EventQuery.agent("a2").limit(100))).isEmpty();
    assertThat(db.sessions().memory("s1").recent(100)).isEmpty();
    assertThat(db.memory(Scope.agent("a1")).recent(100)).isEmpty();
    // the rest is untouched
    assertThat(db.agents().get("a3")).isPresent();
    assertThat(db.events().query(EventQuery.session("s2").limit(100))).hasSize(1);
    assertThat(db.sessions().memory("s2").keys(Memory.SEMANTIC)).containsExactly("fact");
    assertThat(db.memory(Scope.agent("a3")).keys(Memory.SEMANTIC)).containsExactly("c");
    Map<String, Long> after = counts(backend);
    assertThat(after)
        .containsEntry("sessions", before.get("sessions") - 1)
        .containsEntry("agents", before.get("agents") - 2)
        .containsEntry("agent_events", before.get("agent_events") - 4)
        .containsEntry("session_memory", before.get("session_memory") - 3)
        .containsEntry("scoped_memory", before.get("scoped_memory") - 2);
    if (!backend.isPostgres()) { // PostgreSQL keeps its full-text vector in the row itself
      assertThat(after)
          .containsEntry("memory_fts", before.get("memory_fts") - 5)
          .containsEntry("memory_docs", before.get("memory_docs") - 5)
          .containsEntry("event_fts", before.get("event_fts") - 4);
    }
    // the past goes too (schema v3's history): no version of the session, its agents or their
    // memory is left, not even the deletes' tombstones, so no view of the past shows them
    assertThat(historyRows("session:s1", "s1", "a1", "a2")).isZero();
    assertThat(historyRows("session:s2", "s2", "a3", "a3")).isPositive();
    assertThat(db.asOf(clock.instant()).sessions().get("s1")).isEmpty();
    assertThat(db.sessions().startIfAbsent("s1", Map.of()).created()).isTrue(); // a new session
  }

  /** History rows of a session's memory, the session, and two agents with their memory. */
  private long historyRows(String sessionScope, String session, String agent1, String agent2)
      throws SQLException {
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      return count(
              st,
              "memory_history WHERE scope IN ('"
                  + sessionScope
                  + "', 'agent:"
                  + agent1
                  + "', 'agent:"
                  + agent2
                  + "')")
          + count(st, "session_history WHERE session_id = '" + session + "'")
          + count(st, "agent_history WHERE agent_id IN ('" + agent1 + "', '" + agent2 + "')");
    }
  }

  @BackendTest
  void anUnknownSessionIsNotFoundAndNothingIsDeleted() throws Exception {
    db.events().append(AgentEvent.of("tool", "x", "x", Map.of()).withSessionId("ghost"));
    Map<String, Long> before = counts(backend);
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> db.sessions().erase("ghost")).getMessage())
        .contains("session 'ghost' does not exist");
    assertInvalid(() -> db.sessions().erase(""), "sessionId");
    assertThat(counts(backend)).isEqualTo(before);
  }

  /** A trigger refuses the last delete (the session row): every earlier delete rolls back. */
  @BackendTest
  void aFailureMidwayLeavesEverything() throws Exception {
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      if (backend.isPostgres()) {
        st.execute(
            "CREATE FUNCTION refuse_erase() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE EXCEPTION 'erase refused by the test'; END $$");
        st.execute(
            "CREATE TRIGGER refuse_erase BEFORE DELETE ON sessions"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_erase()");
      } else {
        st.execute(
            "CREATE TRIGGER refuse_erase BEFORE DELETE ON sessions"
                + " BEGIN SELECT RAISE(ABORT, 'erase refused by the test'); END");
      }
    }
    Map<String, Long> before = counts(backend);
    SwarmDbException e =
        catchThrowableOfType(SwarmDbException.class, () -> db.sessions().erase("s1"));
    assertThat(e).hasMessageContaining("erase refused by the test");
    assertThat(counts(backend)).isEqualTo(before);
    assertThat(db.agents().bySession("s1")).hasSize(2);
    assertThat(db.sessions().memory("s1").keys(Memory.SEMANTIC)).containsExactly("fact");
  }

  private static Map<String, Long> counts(TestBackend backend) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      for (String t : TABLES) {
        out.put(t, count(st, t));
      }
      if (!backend.isPostgres()) {
        for (String t : SQLITE_INDEX) {
          out.put(t, count(st, t));
        }
      }
    }
    return out;
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
