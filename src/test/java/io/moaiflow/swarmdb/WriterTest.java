package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Schema v5's writer of every memory version on both backends: every write and delete through an
 * agent's handle records the agent, plain writes record none (agent and session memory keep
 * reporting their owner), a plain change after a handle's does not inherit its writer, concurrent
 * plain writes are never stamped by a handle's delete, and blastRadius follows an agent's handle
 * writes in any scope.
 */
class WriterTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-07-01T10:00:00Z");

  WriterTest() {
    super(T0);
  }

  private static List<String> writers(Memory m, String type, String key) {
    return m.history(type, key).stream()
        .map(v -> (v.deleted() ? "-" : "+") + v.writerId())
        .toList();
  }

  private AgentEvent event(String id, String agent) {
    return new AgentEvent(0, id, "step", agent, null, null, clock.instant(), Map.of());
  }

  @BackendTest
  void everyWriteAndDeleteThroughAHandleRecordsTheAgent() {
    Memory m = db.actingAs("w").memory(Scope.namespace("team"));
    m.put("semantic", "a", 1, Duration.ofHours(1));
    m.putIfVersion("semantic", "a", 2, null, 1);
    m.putAll("semantic", Map.of("b", 1, "c", 1), null);
    m.put("semantic", "v", "x", null, "test-model", new float[] {1, 0});
    m.putAll("semantic", Map.of("u", "y"), null, "test-model", Map.of("u", new float[] {0, 1}));
    String exported = m.exportJson();
    assertThat(m.delete("semantic", "a")).isTrue();
    assertThat(m.deleteAll("semantic", List.of("b", "missing"))).isEqualTo(1);
    assertThat(m.clear("semantic")).isEqualTo(3);
    assertThat(m.importJson(exported)).isEqualTo(5);
    assertThat(m.clear()).isEqualTo(5);

    assertThat(writers(m, "semantic", "a")).containsExactly("+w", "+w", "-w", "+w", "-w");
    for (String key : List.of("b", "c", "v", "u")) {
      assertThat(writers(m, "semantic", key)).as(key).containsExactly("+w", "-w", "+w", "-w");
    }
    MemoryVersion first = m.history("semantic", "a").get(0);
    assertThat(first.writer()).contains(Scope.agent("w"));
    // a handle's delete that deletes nothing stamps nothing
    Memory live = db.memory(Scope.namespace("team"));
    live.put("semantic", "plain", 1);
    assertThat(m.delete("semantic", "none")).isFalse();
    assertThat(m.clear("other")).isZero();
    assertThat(writers(live, "semantic", "plain")).containsExactly("+null");
  }

  @BackendTest
  void plainWritesRecordNoWriterAndDoNotInheritOne() {
    ActingAgent w = db.actingAs("w");
    Memory swarm = db.memory(Scope.swarm());
    w.memory(Scope.swarm()).put("semantic", "k", 1);
    swarm.put("semantic", "k", 2);
    w.memory(Scope.swarm()).put("semantic", "k", 3);
    swarm.delete("semantic", "k");
    assertThat(writers(swarm, "semantic", "k")).containsExactly("+w", "+null", "+w", "-null");
    List<MemoryVersion> h = swarm.history("semantic", "k");
    assertThat(h.get(0).writer()).contains(Scope.agent("w"));
    assertThat(h.get(1).writer()).isEmpty();
    assertThat(h.get(3).writer()).as("a plain delete of the swarm's memory").isEmpty();

    // an agent's own memory written plainly reports the agent (derived, as before v5)
    Memory own = db.memory(Scope.agent("a"));
    own.put("semantic", "k", 1);
    w.memory(Scope.agent("a")).put("semantic", "k", 2);
    own.delete("semantic", "k");
    List<MemoryVersion> ownHistory = own.history("semantic", "k");
    assertThat(ownHistory)
        .extracting(MemoryVersion::writer)
        .containsExactly(
            Optional.of(Scope.agent("a")),
            Optional.of(Scope.agent("w")),
            Optional.of(Scope.agent("a")));
    assertThat(ownHistory).extracting(MemoryVersion::writerId).containsExactly(null, "w", null);

    // a session's memory written plainly reports the session; through a handle, the agent
    db.sessions().start("s1");
    Memory session = db.memory(Scope.session("s1"));
    session.put("semantic", "k", 1);
    w.memory(Scope.session("s1")).put("semantic", "k", 2);
    w.memory(Scope.session("s1")).delete("semantic", "k");
    assertThat(session.history("semantic", "k"))
        .extracting(MemoryVersion::writer)
        .containsExactly(
            Optional.of(Scope.session("s1")),
            Optional.of(Scope.agent("w")),
            Optional.of(Scope.agent("w")));
    // a refused handle write (missing session) writes nothing
    assertFails(ErrorCode.NOT_FOUND, () -> w.memory(Scope.session("gone")).put("semantic", "k", 1));
    assertThat(db.memory(Scope.session("gone")).history("semantic", "k")).isEmpty();
  }

  @BackendTest
  void theAsOfViewAndTheOldConstructorKeepTheWriter() {
    MemoryEntry e = db.actingAs("w").memory(Scope.swarm()).put("semantic", "k", 1);
    long seq = db.memory(Scope.swarm()).history("semantic", "k").get(0).seq();
    MemoryVersion v = db.asOf(seq).memory(Scope.swarm()).history("semantic", "k").get(0);
    assertThat(v.writerId()).isEqualTo("w");
    assertThat(v.version()).isEqualTo(e.version());
    MemoryVersion old = new MemoryVersion(Scope.swarm(), "t", "k", 1, T0, 1, "1", false, null);
    assertThat(old.writerId()).isNull();
    assertThat(old.writer()).isEmpty();
  }

  @BackendTest
  void aDamagedWriterIsCorruptNamingTheRow() throws Exception {
    db.actingAs("w").memory(Scope.swarm()).put("semantic", "k", 1);
    long seq = db.memory(Scope.swarm()).history("semantic", "k").get(0).seq();
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute("UPDATE memory_history SET writer = '' WHERE seq = " + seq);
    }
    SwarmDbException e =
        assertFails(ErrorCode.CORRUPT, () -> db.memory(Scope.swarm()).history("semantic", "k"));
    assertThat(e.getMessage()).contains("memory_history row seq " + seq, "writer");
  }

  @BackendTest
  void aDamagedScopeOfAHandleWriteIsCorruptInTheBlastRadius() throws Exception {
    MemoryRef bad = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "fact", "wrong"));
    db.events().append(event("e1", "a"), CausalLinks.reading(bad));
    db.actingAs("a").memory(Scope.swarm()).put("semantic", "out", 1);
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute("UPDATE memory_history SET scope = 'nowhere:x' WHERE key = 'out'");
    }
    SwarmDbException e = assertFails(ErrorCode.CORRUPT, () -> db.blastRadius(bad));
    assertThat(e.getMessage())
        .contains("memory_history row (scope nowhere:x, type semantic)", "damaged");
  }

  /**
   * A handle's deletes and plain writes from other threads interleave in the writer's batches (and
   * PostgreSQL's transactions): each delete stamps only its own tombstones.
   */
  @BackendTest
  void aHandleDeleteStampsOnlyItsOwnTombstonesUnderConcurrentPlainWrites() throws Exception {
    int rounds = 150;
    Memory handle = db.actingAs("deleter").memory(Scope.swarm());
    Memory plain = db.memory(Scope.swarm());
    for (int i = 0; i < rounds; i++) {
      plain.put("doomed", "k" + i, i);
    }
    Concurrently.calls(
        2,
        rounds,
        (thread, i) ->
            thread == 0 ? handle.delete("doomed", "k" + i) : plain.put("plain", "k" + i, i));
    for (int i = 0; i < rounds; i++) {
      assertThat(writers(plain, "doomed", "k" + i)).containsExactly("+null", "-deleter");
      assertThat(writers(plain, "plain", "k" + i)).containsExactly("+null");
    }
  }

  @BackendTest
  void blastRadiusFollowsAnAgentsHandleWritesInAnyScopeAfterItsEvent() {
    Memory swarm = db.memory(Scope.swarm());
    ActingAgent a = db.actingAs("a");
    MemoryRef bad = MemoryRef.of(swarm.put("semantic", "fact", "wrong"));
    MemoryRef before = MemoryRef.of(a.memory(Scope.swarm()).put("semantic", "early", 1));
    a.memory(Scope.swarm()).get("semantic", "fact", String.class);
    a.append(event("e1", "a"));
    clock.advance(Duration.ofSeconds(1));
    MemoryRef team = MemoryRef.of(a.memory(Scope.namespace("team")).put("semantic", "x", 1));
    MemoryRef plainLater = MemoryRef.of(swarm.put("semantic", "y", 1));
    MemoryRef ownPlain = MemoryRef.of(db.memory(Scope.agent("a")).put("semantic", "o", 1));
    MemoryRef ownByB =
        MemoryRef.of(db.actingAs("b").memory(Scope.agent("a")).put("semantic", "o", 2));
    a.memory(Scope.namespace("team")).delete("semantic", "x"); // a tombstone is no version
    // c reads a's namespace write, then writes through its handle
    ActingAgent c = db.actingAs("c");
    c.memory(Scope.namespace("team")).entry("semantic", "x");
    db.events().append(event("e2", "c"), CausalLinks.reading(team));
    MemoryRef cOut = MemoryRef.of(c.memory(Scope.session(start("s"))).put("semantic", "z", 1));

    CausalGraph g = db.blastRadius(bad);
    assertThat(g.events()).extracting(n -> n.event().eventId()).containsExactly("e1", "e2");
    assertThat(g.memory())
        .containsExactlyInAnyOrder(
            new CausalGraph.MemoryNode(bad, 0),
            new CausalGraph.MemoryNode(team, 2),
            new CausalGraph.MemoryNode(ownPlain, 2),
            new CausalGraph.MemoryNode(cOut, 4));
    assertThat(g.memory())
        .extracting(CausalGraph.MemoryNode::ref)
        .doesNotContain(before, plainLater, ownByB);
    assertThat(g.agents()).containsExactly("a", "c");
  }

  private String start(String session) {
    db.sessions().start(session);
    return session;
  }

  /**
   * Two dependent events of one agent: the versions after the earlier are found once, at the
   * smaller depth, and the later event's scan adds nothing new.
   */
  @BackendTest
  void anAgentsLaterWritesAreFoundOnceAtTheirSmallestDepth() {
    Memory swarm = db.memory(Scope.swarm());
    ActingAgent a = db.actingAs("a");
    MemoryRef bad = MemoryRef.of(swarm.put("semantic", "fact", "wrong"));
    db.events().append(event("first", "a"), CausalLinks.reading(bad));
    MemoryRef between = MemoryRef.of(a.memory(Scope.swarm()).put("semantic", "between", 1));
    db.events().append(event("mid", "m"), CausalLinks.reading(bad));
    db.events().append(event("second", "a"), CausalLinks.causedBy("mid"));
    MemoryRef after = MemoryRef.of(a.memory(Scope.swarm()).put("semantic", "after", 1));

    CausalGraph g = db.blastRadius(bad);
    assertThat(g.memory())
        .containsExactly(
            new CausalGraph.MemoryNode(bad, 0),
            new CausalGraph.MemoryNode(between, 2),
            new CausalGraph.MemoryNode(after, 2));
    assertThat(g.events())
        .extracting(n -> n.event().eventId() + "@" + n.depth())
        .containsExactly("first@1", "mid@1", "second@2");

    // the agent reached first through a later event (depth 1), then an earlier one (depth 3):
    // the second scan reads only the seqs between them
    MemoryRef bad2 = MemoryRef.of(swarm.put("semantic", "fact2", "wrong"));
    db.events().append(event("p1", "p"), CausalLinks.reading(bad2));
    MemoryRef v = MemoryRef.of(db.actingAs("p").memory(Scope.swarm()).put("semantic", "v", 1));
    db.events().append(event("early-a", "a"), CausalLinks.reading(v));
    MemoryRef x = MemoryRef.of(a.memory(Scope.swarm()).put("semantic", "x", 1));
    db.events().append(event("late-a", "a"), CausalLinks.reading(bad2));
    MemoryRef y = MemoryRef.of(a.memory(Scope.swarm()).put("semantic", "y", 1));
    CausalGraph h = db.blastRadius(bad2);
    assertThat(h.events())
        .extracting(n -> n.event().eventId() + "@" + n.depth())
        .containsExactly("p1@1", "late-a@1", "early-a@3");
    assertThat(h.memory())
        .containsExactly(
            new CausalGraph.MemoryNode(bad2, 0),
            new CausalGraph.MemoryNode(v, 2),
            new CausalGraph.MemoryNode(y, 2),
            new CausalGraph.MemoryNode(x, 4));
  }
}
