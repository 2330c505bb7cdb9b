package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Causal links on both backends: explicit causes and reads recorded with the append, the checks
 * that write nothing, the limits, why and blast radius (by example and against a model graph),
 * reads recorded by an acting-as handle, and links deleted with their events by retention and
 * erasure.
 */
class CausalityTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  CausalityTest() {
    super(T0);
  }

  private AgentEvent event(String id, String agent) {
    return new AgentEvent(0, id, "step", agent, null, null, clock.instant(), Map.of());
  }

  private AgentEvent append(String id, String agent, CausalLinks links) {
    return db.events().append(event(id, agent), links);
  }

  private static List<String> ids(CausalGraph g) {
    return g.events().stream().map(n -> n.event().eventId()).toList();
  }

  private static List<Integer> depths(CausalGraph g) {
    return g.events().stream().map(CausalGraph.EventNode::depth).toList();
  }

  /**
   * How many causes and reads the stored rows hold, counted by the database's own JSON functions.
   */
  private long links() throws SQLException {
    String count =
        backend.isPostgres()
            ? "json_array_length(links::json -> 'c') + json_array_length(links::json -> 'r')"
            : "json_array_length(links, '$.c') + json_array_length(links, '$.r')";
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(sum("
                    + count
                    + "), 0) FROM agent_events WHERE links IS NOT NULL")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @BackendTest
  void whyFollowsCausesBackToTheRootsWithEveryReadAndItsDepth() {
    MemoryRef plan = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "plan", "v1"));
    append("root", "planner", CausalLinks.none());
    AgentEvent e1 = append("e1", "coder", new CausalLinks(List.of("root"), List.of(plan)));
    append("side", "tester", CausalLinks.none());
    append("e2", "reviewer", new CausalLinks(List.of("e1", "side"), List.of()));

    CausalGraph g = db.why("e2");
    assertThat(ids(g)).containsExactly("e2", "e1", "side", "root");
    assertThat(depths(g)).containsExactly(0, 1, 1, 2);
    assertThat(g.memory()).containsExactly(new CausalGraph.MemoryNode(plan, 2));
    assertThat(g.agents()).containsExactly("coder", "planner", "reviewer", "tester");
    assertThat(g.truncated()).isFalse();
    assertThat(g.events().get(1).event()).isEqualTo(e1);

    CausalGraph root = db.why("root");
    assertThat(ids(root)).containsExactly("root");
    assertThat(root.memory()).isEmpty();
    assertThat(assertFails(ErrorCode.NOT_FOUND, () -> db.why("ghost")).getMessage())
        .contains("ghost", "not in the log");
    // an event appended without links, as before: the record and its JSON are unchanged
    assertThat(db.events().get("side").orElseThrow().metadata()).isEmpty();
  }

  @BackendTest
  void blastRadiusReachesReadersTheirEffectsAndTheirAgentsLaterOwnMemory() {
    Memory swarm = db.memory(Scope.swarm());
    MemoryRef bad = MemoryRef.of(swarm.put("semantic", "fact", "wrong"));
    MemoryRef before = MemoryRef.of(db.memory(Scope.agent("a")).put("semantic", "early", 1));
    append("e1", "a", CausalLinks.reading(bad));
    clock.advance(Duration.ofSeconds(1));
    MemoryRef out = MemoryRef.of(db.memory(Scope.agent("a")).put("semantic", "out", 2));
    append("e2", "b", CausalLinks.causedBy("e1"));
    append("e3", "c", CausalLinks.reading(out));
    append("unrelated", "d", CausalLinks.reading(before));
    MemoryRef later = MemoryRef.of(swarm.put("semantic", "fact", "right"));

    CausalGraph g = db.blastRadius(bad);
    assertThat(g.memory())
        .containsExactly(new CausalGraph.MemoryNode(bad, 0), new CausalGraph.MemoryNode(out, 2));
    assertThat(ids(g)).containsExactly("e1", "e2", "e3");
    assertThat(depths(g)).containsExactly(1, 2, 3);
    assertThat(g.agents()).containsExactly("a", "b", "c");
    assertThat(g.truncated()).isFalse();
    // a version nothing read has only itself
    assertThat(db.blastRadius(later).events()).isEmpty();
    assertThat(db.blastRadius(later).memory())
        .containsExactly(new CausalGraph.MemoryNode(later, 0));
  }

  @BackendTest
  void badLinksAreRefusedAndWriteNothing() throws Exception {
    MemoryRef v1 = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "k", 1));
    append("cause", "a", CausalLinks.none());
    long events = db.events().count();

    SwarmDbException e =
        assertFails(
            ErrorCode.NOT_FOUND, () -> append("x", "a", CausalLinks.causedBy("cause", "ghost")));
    assertThat(e.getMessage()).contains("x", "ghost", "not in the log", "nothing was written");
    MemoryRef v9 = new MemoryRef(Scope.swarm(), "semantic", "k", 9);
    e = assertFails(ErrorCode.NOT_FOUND, () -> append("x", "a", CausalLinks.reading(v1, v9)));
    assertThat(e.getMessage()).contains("swarm semantic:k@9", "does not hold");
    assertInvalid(() -> append("x", "a", CausalLinks.causedBy("x")), "names itself");
    assertThat(db.events().get("x")).isEmpty();
    assertThat(db.events().count()).isEqualTo(events);
    assertThat(links()).isZero();

    // an idempotent retry writes nothing, links included
    append("x", "a", CausalLinks.causedBy("cause"));
    AgentEvent again = append("x", "a", new CausalLinks(List.of("cause"), List.of(v1)));
    assertThat(again.eventId()).isEqualTo("x");
    assertThat(db.why("x").memory()).isEmpty();
    assertThat(links()).isEqualTo(1);
  }

  @BackendTest
  void theLinkLimitsHoldAtTheLimit() throws Exception {
    List<String> causes = new ArrayList<>();
    for (int i = 0; i < CausalLinks.MAX_CAUSES; i++) {
      causes.add(append("c" + i, "a", CausalLinks.none()).eventId());
    }
    List<MemoryRef> reads = new ArrayList<>();
    Memory m = db.memory(Scope.agent("a"));
    for (int i = 0; i < CausalLinks.MAX_READS; i++) {
      reads.add(MemoryRef.of(m.put("semantic", "k" + i, i)));
    }
    append("all", "a", new CausalLinks(causes, reads));
    CausalGraph g = db.why("all");
    assertThat(g.events()).hasSize(CausalLinks.MAX_CAUSES + 1);
    assertThat(g.memory()).hasSize(CausalLinks.MAX_READS);
    assertThat(links()).isEqualTo(CausalLinks.MAX_CAUSES + CausalLinks.MAX_READS);
  }

  @BackendTest
  void whyAndBlastStopAtTheirLimit() {
    MemoryRef start = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "k", 0));
    append("n0", "a", CausalLinks.reading(start));
    for (int i = 1; i < 5; i++) {
      append("n" + i, "a", CausalLinks.causedBy("n" + (i - 1)));
    }
    // why(n4): n4..n0 and the read: 6 nodes
    assertThat(db.why("n4", 5).truncated()).isTrue();
    assertThat(db.why("n4", 5).events()).hasSize(5);
    assertThat(db.why("n4", 5).memory()).isEmpty();
    assertThat(db.why("n4", 6).truncated()).isFalse();
    assertThat(db.why("n4", 6).memory()).hasSize(1);
    assertThat(db.why("n4", 7)).isEqualTo(db.why("n4", 6));
    // blast(start): the version and n0..n4: 6 nodes
    assertThat(db.blastRadius(start, 5).truncated()).isTrue();
    assertThat(db.blastRadius(start, 5).events()).hasSize(4);
    assertThat(db.blastRadius(start, 6).truncated()).isFalse();
    assertThat(db.blastRadius(start, 7)).isEqualTo(db.blastRadius(start, 6));
    for (int bad : new int[] {0, CausalGraph.MAX_LIMIT + 1}) {
      assertInvalid(() -> db.why("n4", bad), "limit is " + bad, "between 1 and 10000");
      assertInvalid(() -> db.blastRadius(start, bad), "limit is " + bad);
    }
    assertThat(db.why("n4", CausalGraph.MAX_LIMIT).events()).hasSize(5);
  }

  /** Random DAGs: why returns exactly the model's ancestors, blast exactly its descendants. */
  @BackendTest
  void randomGraphsMatchAModel() {
    Random random = new Random(17);
    for (int round = 0; round < 3; round++) {
      int n = 25;
      List<Set<Integer>> parents = new ArrayList<>();
      MemoryRef seed =
          MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "seed" + round, round));
      Set<Integer> readers = new HashSet<>();
      for (int i = 0; i < n; i++) {
        Set<Integer> p = new TreeSet<>();
        for (int j = 0; j < i; j++) {
          if (random.nextInt(6) == 0) {
            p.add(j);
          }
        }
        parents.add(p);
        boolean reads = random.nextInt(5) == 0;
        if (reads) {
          readers.add(i);
        }
        int r = round;
        append(
            "r" + round + "-" + i,
            "agent-" + random.nextInt(4),
            new CausalLinks(
                p.stream().map(j -> "r" + r + "-" + j).toList(),
                reads ? List.of(seed) : List.of()));
      }
      for (int i = 0; i < n; i++) {
        Set<Integer> ancestors = new TreeSet<>();
        ancestors.add(i);
        for (int k = i; k >= 0; k--) {
          if (ancestors.contains(k)) {
            ancestors.addAll(parents.get(k));
          }
        }
        int r = round;
        CausalGraph g = db.why("r" + round + "-" + i);
        assertThat(ids(g))
            .containsExactlyInAnyOrderElementsOf(
                ancestors.stream().map(a -> "r" + r + "-" + a).toList());
        assertThat(g.memory().isEmpty()).isEqualTo(ancestors.stream().noneMatch(readers::contains));
      }
      Set<Integer> descendants = new TreeSet<>(readers);
      for (int k = 0; k < n; k++) {
        for (int p : parents.get(k)) {
          if (descendants.contains(p)) {
            descendants.add(k);
          }
        }
      }
      int r = round;
      assertThat(ids(db.blastRadius(seed)))
          .containsExactlyInAnyOrderElementsOf(
              descendants.stream().map(d -> "r" + r + "-" + d).toList());
    }
  }

  @BackendTest
  void anActingHandleAttachesWhatItReadToTheNextAppend() {
    Memory live = db.memory(Scope.swarm());
    live.put("semantic", "a", 1);
    live.put("semantic", "a", 2);
    live.put("semantic", "b", "x");
    live.put("semantic", "pre:1", true);
    db.memory(Scope.agent("w")).put("episodic", "own", 1);
    ActingAgent w = db.actingAs("w");
    assertThat(w.agentId()).isEqualTo("w");
    Memory m = w.memory(Scope.swarm());
    assertThat(m.scope()).isEqualTo(Scope.swarm());
    assertThat(m.get("semantic", "a", Integer.class)).contains(2);
    assertThat(m.entry("semantic", "b")).isPresent();
    assertThat(m.getAll("semantic", List.of("a", "b"))).hasSize(2); // a and b again: once each
    assertThat(m.findByPrefix("semantic", "pre:")).hasSize(1);
    assertThat(m.get("semantic", "missing", String.class)).isEmpty();
    assertThat(m.keys("semantic")).hasSize(3); // not a read of a version
    assertThat(w.memory(Scope.agent("w")).recent(10)).hasSize(1);
    MemoryRef a2 = new MemoryRef(Scope.swarm(), "semantic", "a", 2);
    MemoryRef b1 = new MemoryRef(Scope.swarm(), "semantic", "b", 1);
    MemoryRef pre = new MemoryRef(Scope.swarm(), "semantic", "pre:1", 1);
    MemoryRef own = new MemoryRef(Scope.agent("w"), "episodic", "own", 1);
    assertThat(w.pendingReads()).containsExactly(a2, b1, pre, own);

    assertInvalid(() -> w.append(event("other", "x")), "agent x", "acting as w");
    assertThat(w.pendingReads()).hasSize(4); // a failed append forgets nothing
    append("cause", "w", CausalLinks.none());
    AgentEvent stored =
        w.append(event("decided", "w"), new CausalLinks(List.of("cause"), List.of(a2)));
    assertThat(stored.isStored()).isTrue();
    assertThat(w.pendingReads()).isEmpty();
    CausalGraph g = db.why("decided");
    assertThat(ids(g)).containsExactly("decided", "cause");
    assertThat(g.memory())
        .extracting(CausalGraph.MemoryNode::ref)
        .containsExactlyInAnyOrder(a2, b1, pre, own);
    // a write through the handle records its writer (WriterTest), but no read
    m.put("semantic", "c", 1);
    assertThat(w.pendingReads()).isEmpty();
    assertThat(ids(db.why(w.append(event("next", "w")).eventId()))).containsExactly("next");
    assertThat(db.why("next").memory()).isEmpty();
  }

  @BackendTest
  void aHandleAppendsAtMostTheReadLimitAndForgetsNothingBeyondIt() {
    Memory live = db.memory(Scope.swarm());
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    for (int i = 0; i <= CausalLinks.MAX_READS; i++) {
      values.put(String.format("k%03d", i), i);
    }
    live.putAll("semantic", values, null);
    ActingAgent h = db.actingAs("w");
    Memory m = h.memory(Scope.swarm());
    // limit - 1 reads, then the limit: both append
    for (int n : new int[] {CausalLinks.MAX_READS - 1, CausalLinks.MAX_READS}) {
      for (int i = 0; i < n; i++) {
        m.entry("semantic", String.format("k%03d", i));
      }
      assertThat(h.pendingReads()).hasSize(n);
      h.append(event("at-" + n, "w"));
      assertThat(db.why("at-" + n).memory()).hasSize(n);
      assertThat(h.pendingReads()).isEmpty();
    }
    // limit + 1: refused, nothing written, nothing forgotten
    assertThat(m.findByPrefix("semantic", "k")).hasSize(CausalLinks.MAX_READS + 1);
    assertInvalid(() -> h.append(event("over", "w")), "257 memory reads; the limit is 256");
    assertThat(db.events().get("over")).isEmpty();
    assertThat(h.pendingReads()).hasSize(CausalLinks.MAX_READS + 1);
  }

  @BackendTest
  void everyMemoryCallThroughAHandleReachesTheLiveMemory() {
    ActingAgent h = db.actingAs("w");
    Memory m = h.memory(Scope.namespace("team"));
    Memory live = db.memory(Scope.namespace("team"));
    m.put("semantic", "a", 1, Duration.ofHours(1));
    assertThat(m.putIfVersion("semantic", "a", 2, null, 1).version()).isEqualTo(2);
    m.putAll("semantic", Map.of("b", 1, "c", 1), null);
    m.put("semantic", "v", "x", null, "test-model", new float[] {1, 0});
    clock.advance(Duration.ofSeconds(1)); // w is the newest entry
    m.putAll("semantic", Map.of("w", "y"), null, "test-model", Map.of("w", new float[] {0, 1}));
    assertThat(h.pendingReads()).as("writes record nothing").isEmpty();
    assertThat(m.count()).isEqualTo(live.count()).isEqualTo(5);
    assertThat(m.count("semantic")).isEqualTo(5);
    assertThat(m.keys("semantic")).containsExactlyElementsOf(live.keys("semantic"));
    assertThat(m.history("semantic", "a")).hasSize(2);
    assertThat(m.findByGlob("semantic", "[bc]")).hasSize(2);
    assertThat(m.recent(1, Object.class)).hasSize(1);
    String exported = m.exportJson();
    assertThat(m.delete("semantic", "a")).isTrue();
    assertThat(m.deleteAll("semantic", List.of("b"))).isEqualTo(1);
    assertThat(m.clear("semantic")).isEqualTo(3);
    assertThat(m.importJson(exported)).isEqualTo(5);
    assertThat(m.clear()).isEqualTo(5);
    assertThat(live.count()).isZero();
    assertThat(h.pendingReads()).hasSize(3); // c and b (glob), the newest entry (recent)
  }

  @BackendTest
  void readsFromManyThreadsAllReachTheNextAppend() throws Exception {
    int threads = 4;
    int keys = 25;
    Memory live = db.memory(Scope.swarm());
    for (int i = 0; i < threads * keys; i++) {
      live.put("semantic", "k" + i, i);
    }
    for (int round = 0; round < 20; round++) {
      ActingAgent h = db.actingAs("w");
      Concurrently.calls(
          threads,
          keys,
          (t, i) -> h.memory(Scope.swarm()).entry("semantic", "k" + (t * keys + i)).orElseThrow());
      assertThat(h.pendingReads()).hasSize(threads * keys);
      h.append(event("round" + round, "w"));
      assertThat(h.pendingReads()).isEmpty();
      assertThat(db.why("round" + round).memory()).hasSize(threads * keys);
    }
  }

  @BackendTest
  void retentionAndErasureDeleteTheLinksOfDeletedEvents() throws Exception {
    MemoryRef v = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "k", 1));
    db.events()
        .append(
            event("old", "a").withTimestamp(T0.minus(Duration.ofDays(30))), CausalLinks.reading(v));
    append("mid", "a", new CausalLinks(List.of("old"), List.of(v)));
    append("new", "a", CausalLinks.causedBy("mid"));
    assertThat(links()).isEqualTo(4);
    assertThat(db.maintenance().deleteEventsOlderThan(Duration.ofDays(7))).isEqualTo(1);
    // the old event's read went with its row; mid still names old's seq (never reused), which the
    // walks skip: mid is now a root
    assertThat(links()).isEqualTo(3);
    assertThat(ids(db.why("new"))).containsExactly("new", "mid");
    assertThat(ids(db.blastRadius(v))).containsExactly("mid", "new");

    db.sessions().start("s");
    db.agents().register("sa", "worker", "s", Map.of());
    db.events().append(event("in-s", "sa").withSessionId("s"), CausalLinks.causedBy("new"));
    append("after", "x", CausalLinks.causedBy("in-s"));
    assertThat(links()).isEqualTo(5);
    db.sessions().erase("s");
    // in-s and its link are gone; after still names in-s's seq, which why skips
    assertThat(links()).isEqualTo(4);
    assertThat(ids(db.why("after"))).containsExactly("after");
  }

  @BackendTest
  void theChecksReportAMissingLinksColumn() throws Exception {
    assertThat(db.maintenance().quickCheck().problems()).isEmpty();
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute("ALTER TABLE agent_events DROP COLUMN links");
    }
    assertThat(db.maintenance().quickCheck().problems())
        .anyMatch(p -> p.contains("column agent_events.links is missing"));
  }

  @BackendTest
  void damagedLinksAreCorruptNamingTheRow() throws Exception {
    MemoryRef v = MemoryRef.of(db.memory(Scope.swarm()).put("semantic", "k", 1));
    append("cause", "a", CausalLinks.none());
    AgentEvent e = append("effect", "a", CausalLinks.causedBy("cause"));
    for (String damaged :
        new String[] {
          "not json",
          "{\"c\": [1]}",
          "{\"c\": [\"x\"], \"r\": []}",
          "{\"c\": [], \"r\": [[1, 2]]}",
          "{\"c\": [], \"r\": [[\"nowhere:x\", \"semantic\", \"k\", 1]]}"
        }) {
      try (Connection c = backend.connect();
          java.sql.PreparedStatement ps =
              c.prepareStatement("UPDATE agent_events SET links = ? WHERE event_id = 'effect'")) {
        ps.setString(1, damaged);
        ps.executeUpdate();
      }
      SwarmDbException why = assertFails(ErrorCode.CORRUPT, () -> db.why("effect"));
      assertThat(why.getMessage()).contains("agent_events row (seq " + e.seq() + ")");
    }
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "UPDATE agent_events SET links = '{\"c\": [], \"r\": [[\"swarm\", \"semantic\", \"k\","
              + " 1]], \"x\": 0}' WHERE event_id = 'effect'");
    }
    assertThat(db.blastRadius(v).events())
        .extracting(n -> n.event().eventId())
        .containsExactly("effect");
  }

  @BackendTest
  void memoryRefsParseAndCheck() {
    MemoryRef r = MemoryRef.parse(Scope.agent("a"), "semantic", "user@example.com@12");
    assertThat(r).isEqualTo(new MemoryRef(Scope.agent("a"), "semantic", "user@example.com", 12));
    assertThat(r.toString()).isEqualTo("agent:a semantic:user@example.com@12");
    for (String bad :
        List.of("plan", "plan@", "@3", "plan@x", "plan@-1", "plan@1234567890123456789")) {
      assertInvalid(() -> MemoryRef.parse(Scope.swarm(), "semantic", bad), "KEY@VERSION");
    }
    assertInvalid(() -> new MemoryRef(Scope.swarm(), "semantic", "k", 0), "version of k is 0");
    assertInvalid(() -> new MemoryRef(Scope.swarm(), "bad type!", "k", 1), "memoryType");
  }

  @BackendTest
  void linkCountsAreCheckedAtTheLimit() {
    MemoryRef ref = new MemoryRef(Scope.swarm(), "semantic", "k", 1);
    for (int n : new int[] {CausalLinks.MAX_CAUSES - 1, CausalLinks.MAX_CAUSES}) {
      assertThat(new CausalLinks(causes(n), List.of()).causes()).hasSize(n);
    }
    assertInvalid(
        () -> new CausalLinks(causes(CausalLinks.MAX_CAUSES + 1), List.of()),
        "names 65 causes; the limit is 64");
    for (int n : new int[] {CausalLinks.MAX_READS - 1, CausalLinks.MAX_READS}) {
      assertThat(new CausalLinks(List.of(), reads(n)).reads()).hasSize(n);
    }
    assertInvalid(
        () -> new CausalLinks(List.of(), reads(CausalLinks.MAX_READS + 1)),
        "names 257 memory reads; the limit is 256");
    assertInvalid(() -> CausalLinks.causedBy("a", "a"), "names event a twice");
    assertInvalid(() -> CausalLinks.reading(ref, ref), "twice");
    assertInvalid(() -> CausalLinks.causedBy(""), "causes[0]");
    assertThat(CausalLinks.none().isEmpty()).isTrue();
    assertThat(CausalLinks.reading(ref).isEmpty()).isFalse();
  }

  private static List<String> causes(int n) {
    return IntStream.range(0, n).mapToObj(i -> "c" + i).toList();
  }

  private static List<MemoryRef> reads(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new MemoryRef(Scope.swarm(), "semantic", "k" + i, 1))
        .toList();
  }
}
