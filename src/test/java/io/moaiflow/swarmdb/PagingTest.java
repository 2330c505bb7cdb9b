package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keyset pages list every session and agent, past the 10,000 a single call returns; memory counts.
 */
class PagingTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");
  static final int MAX = 10_000;
  static final int ROWS = MAX + 1;

  PagingTest() {
    super(T0);
  }

  /** Rows written behind SwarmDB's back in one transaction: 10,001 calls would take minutes. */
  private void insert(String sql, int rows) throws Exception {
    try (Connection c = backend.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < rows; i++) {
          ps.setString(1, String.format("id-%05d", i));
          ps.setLong(2, T0.toEpochMilli() + i / 7); // runs of seven ties: ordered by id
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    }
  }

  @BackendTest
  void sessionPagesListEverySessionPastTenThousand() throws Exception {
    insert(
        "INSERT INTO sessions (session_id, status, started_at, metadata)"
            + " VALUES (?, 'active', ?, '{}')",
        ROWS);
    assertThat(db.sessions().recent(MAX)).hasSize(MAX);
    assertInvalid(() -> db.sessions().recent(MAX + 1), "limit is 10001");
    assertInvalid(() -> db.sessions().page(false, null, MAX + 1), "limit is 10001");
    for (boolean activeOnly : List.of(false, true)) {
      List<Integer> sizes = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      String cursor = null;
      List<Session> page;
      do {
        page = db.sessions().page(activeOnly, cursor, MAX);
        sizes.add(page.size());
        page.forEach(s -> assertThat(seen.add(s.sessionId())).as(s.sessionId()).isTrue());
        cursor = page.isEmpty() ? cursor : page.get(page.size() - 1).sessionId();
      } while (page.size() == MAX);
      assertThat(sizes).containsExactly(MAX, 1);
      assertThat(seen).hasSize(ROWS);
      // the oldest run of ties comes last, in id order
      assertThat(cursor).isEqualTo("id-00006");
    }
    // limit - 1 and limit + 1 around the number of rows
    assertThat(db.sessions().page(false, null, MAX - 1)).hasSize(MAX - 1);
    assertThat(db.sessions().page(false, "id-00002", MAX))
        .extracting(Session::sessionId)
        .containsExactly("id-00003", "id-00004", "id-00005", "id-00006");
  }

  @BackendTest
  void agentPagesListEveryAgentPastTenThousand() throws Exception {
    insert(
        "INSERT INTO agents (agent_id, agent_type, status, spawned_at, updated_at, metadata)"
            + " VALUES (?, 'w', 'spawned', ?, 0, '{}')",
        ROWS);
    List<Agent> first = db.agents().page(null, null, null, MAX);
    assertThat(first).hasSize(MAX);
    List<Agent> second = db.agents().page(null, null, first.get(MAX - 1).agentId(), MAX);
    assertThat(second).extracting(Agent::agentId).containsExactly("id-10000");
    assertThat(db.agents().page(null, null, "id-10000", MAX)).isEmpty();
    assertThat(db.agents().page(AgentStatus.SPAWNED, null, "id-09998", MAX))
        .extracting(Agent::agentId)
        .containsExactly("id-09999", "id-10000");
    assertInvalid(() -> db.agents().page(null, null, null, MAX + 1), "limit is 10001");
  }

  @BackendTest
  void memoryCountsUnexpiredEntriesPerScopeAndType() {
    db.sessions().start("s");
    db.sessions().start("other");
    for (Memory m : List.of(db.sessions().memory("s"), db.memory(Scope.agent("a")))) {
      assertThat(m.count()).isZero();
      assertThat(m.count(Memory.SEMANTIC)).isZero();
      m.putAll(Memory.SEMANTIC, Map.of("a", 1, "b", 2), null);
      m.put(Memory.EPISODIC, "e", 3, Duration.ofSeconds(10));
      assertThat(m.count()).isEqualTo(3);
      assertThat(m.count(Memory.SEMANTIC)).isEqualTo(2);
      assertThat(m.count(Memory.EPISODIC)).isEqualTo(1);
      assertThat(m.count("unused")).isZero();
      assertInvalid(() -> m.count("bad type!"), "memoryType");
    }
    db.sessions().memory("other").put(Memory.SEMANTIC, "x", 1);
    clock.advance(Duration.ofSeconds(10)); // the episodic entries expire
    assertThat(db.sessions().memory("s").count()).isEqualTo(2);
    assertThat(db.sessions().memory("s").count(Memory.EPISODIC)).isZero();
    assertThat(db.memory(Scope.agent("a")).count()).isEqualTo(2);
    assertThat(db.sessions().memory("other").count()).isEqualTo(1);
  }
}
