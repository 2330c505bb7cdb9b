package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ActingAgent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Linked appends that take their links as remembered ({@link KnownLinks}), on both backends: they
 * store what the lookup stores; a cause erased, deleted by retention or appended again by another
 * open database, and a version pruned or erased by one, are found out in the append's own
 * transaction through the removal token; what a failed append named is not remembered; one cause
 * and the most an event may name; an acting-as handle's reads; and the bounded maps themselves.
 */
class KnownLinksTest {
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  /** The remembered links of an open database (its backend is a private field of SwarmDB). */
  static KnownLinks known(SwarmDB db) {
    try {
      for (Field f : SwarmDB.class.getDeclaredFields()) {
        if (Backend.class.isAssignableFrom(f.getType())) {
          f.setAccessible(true);
          return ((Backend) f.get(db)).known();
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("SwarmDB has no Backend field");
  }

  private static AgentEvent event(String id, String agent, String session) {
    return new AgentEvent(0, id, "step", agent, null, session, T0, Map.of());
  }

  private static AgentEvent append(SwarmDB db, String id, CausalLinks links) {
    return db.events().append(event(id, "worker", null), links);
  }

  private static List<String> ids(CausalGraph g) {
    return g.events().stream().map(n -> n.event().eventId()).toList();
  }

  private static SwarmDbException notFound(Runnable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call::run);
    assertThat(t).isInstanceOf(SwarmDbException.class);
    SwarmDbException e = (SwarmDbException) t;
    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    return e;
  }

  @BackendTest
  void rememberedLinksAreStoredAsTheLookupStoresThem(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      MemoryRef plan = MemoryRef.of(a.memory(Scope.swarm()).put("t", "plan", "v1"));
      append(a, "c1", CausalLinks.none());
      append(a, "c2", CausalLinks.none());
      // the first read is checked in the database (no removal token known yet) and remembered
      append(a, "warm", CausalLinks.reading(plan));
      long before = known(a).trustedAppends();
      AgentEvent fast = append(a, "fast", new CausalLinks(List.of("c2", "c1"), List.of(plan)));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
      // b saw none of it: it looks every link up
      AgentEvent looked = append(b, "looked", new CausalLinks(List.of("c2", "c1"), List.of(plan)));
      assertThat(known(b).trustedAppends()).isZero();

      Map<Long, CausalLinks> stored = a.events().links(0, looked.seq());
      assertThat(stored.get(fast.seq())).isEqualTo(stored.get(looked.seq()));
      assertThat(stored.get(fast.seq()).causes()).containsExactly("c1", "c2");
      assertThat(stored.get(fast.seq()).reads()).containsExactly(plan);
      assertThat(ids(a.why("fast"))).containsExactly("fast", "c1", "c2");
      assertThat(b.why("fast")).isEqualTo(a.why("fast"));
      assertThat(a.blastRadius(plan).events().stream().map(n -> n.event().eventId()))
          .contains("warm", "fast", "looked");
    }
  }

  @BackendTest
  void aCauseErasedByAnotherDatabaseIsNotFoundAndNothingIsWritten(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      a.sessions().start("s");
      a.events().append(event("gone", "worker", "s"));
      long count = a.events().count();
      b.sessions().erase("s");
      long before = known(a).trustedAppends();
      SwarmDbException e = notFound(() -> append(a, "e", CausalLinks.causedBy("gone")));
      assertThat(known(a).trustedAppends())
          .as("the remembered seq was tried")
          .isEqualTo(before + 1);
      assertThat(e.getMessage()).contains("names cause gone, which is not in the log");
      assertThat(a.events().count()).isEqualTo(count - 1);
      assertThat(a.events().get("e")).isEmpty();
      // and all that was remembered is forgotten: the next try looks the id up
      notFound(() -> append(a, "e", CausalLinks.causedBy("gone")));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
    }
  }

  @BackendTest
  void aCauseDeletedByRetentionElsewhereIsNotFound(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      append(a, "old", CausalLinks.none()); // timed T0, months before now
      assertThat(b.maintenance().deleteEventsOlderThan(java.time.Duration.ofDays(1))).isEqualTo(1);
      long before = known(a).trustedAppends();
      notFound(() -> append(a, "e", CausalLinks.causedBy("old")));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
      assertThat(a.events().count()).isZero();
    }
  }

  @BackendTest
  void aCauseAppendedAgainByAnotherDatabaseIsLinkedToItsNewSeq(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      a.sessions().start("s");
      AgentEvent first = a.events().append(event("again", "worker", "s"));
      b.sessions().erase("s");
      AgentEvent second = b.events().append(event("again", "worker", null));
      assertThat(second.seq()).isGreaterThan(first.seq());

      AgentEvent e = append(a, "e", CausalLinks.causedBy("again"));
      CausalGraph why = a.why("e");
      assertThat(ids(why)).containsExactly("e", "again");
      assertThat(why.events().get(1).event().seq()).isEqualTo(second.seq());
      assertThat(a.events().links(0, e.seq()).get(e.seq()).causes()).containsExactly("again");
      // remembered anew: the next link to it is taken as remembered, and holds
      long before = known(a).trustedAppends();
      append(a, "f", CausalLinks.causedBy("again"));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
      assertThat(a.why("f").events().get(1).event().seq()).isEqualTo(second.seq());
    }
  }

  @BackendTest
  void aVersionPrunedByAnotherDatabaseIsNotFound(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      MemoryRef v1 = MemoryRef.of(a.memory(Scope.swarm()).put("t", "k", "one"));
      append(a, "warm", CausalLinks.reading(v1)); // checked in the database: the token is known
      MemoryRef v2 = MemoryRef.of(a.memory(Scope.swarm()).put("t", "k", "two"));
      long before = known(a).trustedAppends();
      append(a, "e1", CausalLinks.reading(v1));
      append(a, "e2", CausalLinks.reading(v2));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 2);

      long latest = b.asOf(Instant.now().plusSeconds(86_400)).seq();
      assertThat(b.maintenance().pruneHistory(latest)).isPositive();
      long count = a.events().count();
      SwarmDbException e = notFound(() -> append(a, "e3", CausalLinks.reading(v1)));
      assertThat(e.getMessage()).contains("names read " + v1);
      assertThat(a.events().count()).isEqualTo(count);
      // the version at the horizon stays; it is checked again and remembered under the new token
      append(a, "e4", CausalLinks.reading(v2));
      long after = known(a).trustedAppends();
      append(a, "e5", CausalLinks.reading(v2));
      assertThat(known(a).trustedAppends()).isEqualTo(after + 1);
    }
  }

  @BackendTest
  void aVersionErasedByAnotherDatabaseIsNotFound(TestBackend backend) {
    try (SwarmDB a = backend.open();
        SwarmDB b = backend.open()) {
      a.sessions().start("s");
      MemoryRef kept = MemoryRef.of(a.memory(Scope.swarm()).put("t", "kept", 1));
      append(a, "warm", CausalLinks.reading(kept));
      MemoryRef note = MemoryRef.of(a.sessions().memory("s").put("t", "note", "x"));
      long before = known(a).trustedAppends();
      append(a, "e1", CausalLinks.reading(note));
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
      b.sessions().erase("s");
      notFound(() -> append(a, "e2", CausalLinks.reading(note)));
      assertThat(a.events().get("e2")).isEmpty();
    }
  }

  @BackendTest
  void whatAFailedAppendNamedIsNotRemembered(TestBackend backend) {
    try (SwarmDB a = backend.open()) {
      notFound(() -> append(a, "e", CausalLinks.causedBy("never")));
      notFound(() -> append(a, "f", CausalLinks.causedBy("e")));
      notFound(
          () -> append(a, "g", CausalLinks.reading(new MemoryRef(Scope.swarm(), "t", "k", 1))));
      assertThat(known(a).trustedAppends()).isZero();
      assertThat(a.events().count()).isZero();
    }
  }

  @BackendTest
  void oneCauseAndTheMostAnEventMayNameAreTakenAsRemembered(TestBackend backend) {
    try (SwarmDB a = backend.open()) {
      List<String> causes = new ArrayList<>();
      for (int i = 0; i < CausalLinks.MAX_CAUSES; i++) {
        causes.add(append(a, "c" + i, CausalLinks.none()).eventId());
      }
      for (int n : List.of(1, CausalLinks.MAX_CAUSES - 1, CausalLinks.MAX_CAUSES)) {
        long before = known(a).trustedAppends();
        List<String> named = causes.subList(causes.size() - n, causes.size());
        AgentEvent e = append(a, "e" + n, new CausalLinks(named, List.of()));
        assertThat(known(a).trustedAppends()).as("%d causes", n).isEqualTo(before + 1);
        assertThat(a.events().links(e.seq() - 1, e.seq()).get(e.seq()).causes())
            .containsExactlyElementsOf(named);
      }
    }
  }

  @BackendTest
  void anActingHandlesReadsAreRemembered(TestBackend backend) {
    try (SwarmDB a = backend.open()) {
      MemoryEntry plan = a.memory(Scope.swarm()).put("t", "plan", "v1");
      append(a, "warm", CausalLinks.reading(MemoryRef.of(plan)));
      a.memory(Scope.swarm()).put("t", "plan", "v2");
      ActingAgent agent = a.actingAs("worker");
      assertThat(agent.memory(Scope.swarm()).get("t", "plan", String.class)).contains("v2");
      long before = known(a).trustedAppends();
      AgentEvent e = agent.append(event("e", "worker", null), CausalLinks.none());
      assertThat(known(a).trustedAppends()).isEqualTo(before + 1);
      assertThat(a.events().links(e.seq() - 1, e.seq()).get(e.seq()).reads())
          .containsExactly(new MemoryRef(Scope.swarm(), "t", "plan", 2));
    }
  }

  @Test
  void theMapsHoldTheirCapacityAndForgetTheLeastRecentlyUsed() {
    KnownLinks k = new KnownLinks();
    int cap = KnownLinks.CAPACITY;
    List<AgentEvent> events =
        IntStream.rangeClosed(1, cap + 1)
            .mapToObj(i -> new AgentEvent(i, "e" + i, "t", "a", null, null, T0, Map.of()))
            .toList();
    k.appended(events.subList(0, 1), k.generation());
    assertThat(k.sizes()[0]).as("nothing is remembered before the token is known").isZero();
    k.start("t1");
    k.appended(events.subList(0, cap - 1), k.generation());
    assertThat(k.sizes()[0]).isEqualTo(cap - 1);
    k.appended(events.subList(cap - 1, cap), k.generation());
    assertThat(k.sizes()[0]).isEqualTo(cap);
    assertThat(k.knownUnder(List.of("e1"), List.of()).causeSeqs).containsExactly(1L);
    k.appended(events.subList(cap, cap + 1), k.generation()); // e1 was used last: e2 goes
    assertThat(k.sizes()[0]).isEqualTo(cap);
    assertThat(k.knownUnder(List.of("e1", "e" + (cap + 1)), List.of()).causeSeqs)
        .containsExactly(1L, (long) cap + 1);
    assertThat(k.knownUnder(List.of("e2"), List.of())).as("the least recently used went").isNull();
    // a longer list than the capacity: its last CAPACITY events
    KnownLinks all = new KnownLinks();
    all.start("t1");
    all.appended(events, all.generation());
    assertThat(all.knownUnder(List.of("e1"), List.of())).isNull();
    assertThat(all.knownUnder(List.of("e2", "e" + (cap + 1)), List.of()).causeSeqs)
        .containsExactly(2L, (long) cap + 1);

    MemoryRef r = new MemoryRef(Scope.swarm(), "t", "k", 1);
    long g = k.generation();
    k.reset("t2");
    k.seen(List.of(r), g);
    k.appended(events.subList(0, 1), g);
    assertThat(k.knownUnder(List.of(), List.of(r))).as("seen before the token changed").isNull();
    assertThat(k.sizes()).containsExactly(0, 0);
    k.seen(List.of(r), k.generation());
    assertThat(k.knownUnder(List.of(), List.of(r)).token).isEqualTo("t2");
    // the links' JSON is what the lookup path binds, escapes included, in the order named
    MemoryRef odd = new MemoryRef(Scope.session("s\"1"), "t", "k\\ü\u2028", 7);
    k.seen(List.of(odd), k.generation());
    assertThat(k.knownUnder(List.of(), List.of(odd, r)).readsJson)
        .isEqualTo(Causality.readsJson(new CausalLinks(List.of(), List.of(odd, r))));
    // and that is the one JSON array of the reads as Jackson writes it whole
    assertThat(Causality.readsJson(new CausalLinks(List.of(), List.of(odd, r))))
        .isEqualTo(
            Json.write(
                "reads",
                List.of(
                    List.of(odd.scope().toString(), odd.memoryType(), odd.key(), odd.version()),
                    List.of(r.scope().toString(), r.memoryType(), r.key(), r.version()))));
    k.reset("t2");
    assertThat(k.knownUnder(List.of(), List.of(r))).as("the same token keeps them").isNotNull();
    k.checked("t3", List.of("x"), new long[] {9}, List.of(), events.get(2));
    assertThat(k.knownUnder(List.of(), List.of(r))).as("a new token forgets them").isNull();
    assertThat(k.knownUnder(List.of("x", "e3"), List.of()).causeSeqs)
        .as("what was checked under it, and the event appended")
        .containsExactly(9L, 3L);
    for (int i = 1; i <= cap + 1; i++) {
      k.seen(List.of(new MemoryRef(Scope.swarm(), "t", "k", i)), k.generation());
    }
    assertThat(k.sizes()[1]).isEqualTo(cap);
    assertThat(k.knownUnder(List.of(), List.of(r))).isNull();
    assertThat(
            k.knownUnder(List.of(), List.of(new MemoryRef(Scope.swarm(), "t", "k", cap + 1))).token)
        .isEqualTo("t3");
  }

  /**
   * A SQLite write transaction reads the token once, beside the event-index switch; a removal by
   * the same transaction (an erasure in the same group commit as a linked append) is what the
   * transaction reads after it, not the token it read first.
   */
  @Test
  void aRemovalInTheSameTransactionIsWhatItReadsAfter(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("unit.db");
    SwarmDB.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      c.setAutoCommit(false);
      try (StatementCache cache = new StatementCache(c)) {
        Handle h = new Handle(c, cache, 0);
        assertThat(EventIndex.removalTokenInThisTransaction(h)).as("nothing removed yet").isEmpty();
        assertThat(EventIndex.isOnInThisTransaction(h)).isTrue();
        History.recordRemoval(h);
        String token = EventIndex.removalTokenInThisTransaction(h);
        assertThat(token).isNotEmpty();
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery(History.SELECT_REMOVAL_TOKEN)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(token);
        }
        // a new unit of work reads it again
        assertThat(EventIndex.removalTokenInThisTransaction(new Handle(c, cache, 0)))
            .isEqualTo(token);
      }
      c.rollback();
    }
  }
}
