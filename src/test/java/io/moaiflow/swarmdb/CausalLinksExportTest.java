package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The public API export and import use for causal links, on both backends: {@link EventStore#links}
 * reads a seq range's links (causes as ids, reads as recorded) within its limit, and {@link
 * EventStore#appendAsRecorded} restores them, recording reads as given and refusing unknown causes
 * before any write.
 */
class CausalLinksExportTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-08-01T10:00:00Z");

  CausalLinksExportTest() {
    super(T0);
  }

  private AgentEvent event(String id) {
    return new AgentEvent(0, id, "step", "agent", null, null, clock.instant(), Map.of());
  }

  /** The events that carry links (schema v6 keeps them in the event's row). */
  private long linkedRows() throws Exception {
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT count(*) FROM agent_events WHERE links IS NOT NULL")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @BackendTest
  void linksOfARangeAreReadAsRecorded() {
    MemoryRef b = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "b", 1));
    MemoryRef a = MemoryRef.of(db.memory(Scope.namespace("n")).put("semantic", "a", 1));
    AgentEvent c1 = db.events().append(event("c1"));
    AgentEvent c2 = db.events().append(event("c2"));
    AgentEvent linked =
        db.events().append(event("linked"), new CausalLinks(List.of("c2", "c1"), List.of(b, a)));
    AgentEvent readsOnly = db.events().append(event("reads-only"), CausalLinks.reading(b));
    AgentEvent plain = db.events().append(event("plain"));

    Map<Long, CausalLinks> all = db.events().links(0, plain.seq());
    assertThat(all.keySet()).containsExactly(linked.seq(), readsOnly.seq());
    // causes in the order of their seqs, reads in scope order ("namespace:n" before "swarm")
    assertThat(all.get(linked.seq()))
        .isEqualTo(new CausalLinks(List.of("c1", "c2"), List.of(a, b)));
    assertThat(all.get(readsOnly.seq())).isEqualTo(CausalLinks.reading(b));
    // the range's ends: exclusive start, inclusive end
    assertThat(db.events().links(linked.seq(), plain.seq())).containsOnlyKeys(readsOnly.seq());
    assertThat(db.events().links(c1.seq(), linked.seq())).containsOnlyKeys(linked.seq());
    assertThat(db.events().links(c2.seq(), c2.seq())).isEmpty();
    assertThat(db.events().links(0, 0)).isEmpty();
    assertInvalid(() -> db.events().links(-1, 5), "seq -1");
    assertInvalid(() -> db.events().links(5, 4), "end at or after the start");
  }

  @BackendTest
  void appendAsRecordedKeepsReadsAsGivenAndChecksCauses() throws Exception {
    db.events().append(event("cause"));
    MemoryRef elsewhere = new MemoryRef(Scope.swarm(), "semantic", "never-here", 7);
    // append checks reads against this history; appendAsRecorded records them as given
    assertFails(
        ErrorCode.NOT_FOUND,
        () -> db.events().append(event("checked"), CausalLinks.reading(elsewhere)));
    AgentEvent restored =
        db.events()
            .appendAsRecorded(
                event("restored"), new CausalLinks(List.of("cause"), List.of(elsewhere)));
    assertThat(db.why("restored").memory())
        .containsExactly(new CausalGraph.MemoryNode(elsewhere, 1));
    assertThat(db.events().links(restored.seq() - 1, restored.seq()).get(restored.seq()))
        .isEqualTo(new CausalLinks(List.of("cause"), List.of(elsewhere)));
    long links = linkedRows();
    long events = db.events().count();
    // an unknown cause or the event itself: refused, nothing written
    assertFails(
        ErrorCode.NOT_FOUND,
        () -> db.events().appendAsRecorded(event("orphan"), CausalLinks.causedBy("missing")));
    assertInvalid(
        () -> db.events().appendAsRecorded(event("self"), CausalLinks.causedBy("self")),
        "names itself");
    // a retry of a stored event writes nothing, links included
    assertThat(
            db.events().appendAsRecorded(event("restored"), CausalLinks.reading(elsewhere)).seq())
        .isEqualTo(restored.seq());
    assertThat(db.events().count()).isEqualTo(events);
    assertThat(linkedRows()).isEqualTo(links);
  }

  @BackendTest
  void aDamagedLinkRowIsCorruptNamingIt() throws Exception {
    AgentEvent e = db.events().appendAsRecorded(event("e"), CausalLinks.reading(ref("k")));
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "UPDATE agent_events SET links = '{\"c\": [], \"r\": [[\"nowhere:x\", \"semantic\","
              + " \"k\", 1]]}' WHERE seq = "
              + e.seq());
    }
    SwarmDbException x = assertFails(ErrorCode.CORRUPT, () -> db.events().links(0, e.seq()));
    assertThat(x.getMessage()).contains("agent_events row (seq " + e.seq() + ")", "damaged");
  }

  private static MemoryRef ref(String key) {
    return new MemoryRef(Scope.swarm(), "semantic", key, 1);
  }

  @BackendTest
  void aRangeHoldsAtMostTheLimitOfLinkedEvents() {
    MemoryRef r = new MemoryRef(Scope.swarm(), "semantic", "k", 1);
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i <= EventQuery.MAX_LIMIT; i++) {
      seqs.add(db.events().appendAsRecorded(event("e" + i), CausalLinks.reading(r)).seq());
    }
    assertThat(db.events().links(0, seqs.get(EventQuery.MAX_LIMIT - 2)))
        .hasSize(EventQuery.MAX_LIMIT - 1);
    assertThat(db.events().links(0, seqs.get(EventQuery.MAX_LIMIT - 1)))
        .hasSize(EventQuery.MAX_LIMIT);
    assertInvalid(
        () -> db.events().links(0, seqs.get(EventQuery.MAX_LIMIT)),
        "more than 10000 events",
        "pass a smaller range");
    assertThat(db.events().links(seqs.get(0), seqs.get(EventQuery.MAX_LIMIT)))
        .hasSize(EventQuery.MAX_LIMIT);
  }
}
