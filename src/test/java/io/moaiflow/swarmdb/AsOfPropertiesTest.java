package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * As-of views against a model: several threads make random mutations (memory puts and deletes in
 * three scopes, agent registrations, transitions and heartbeats, session starts and ends) in an
 * interleaving the scheduler picks, while another thread appends events freely, so the writes'
 * numbers mix with events' on the one sequence. The model is built from what each successful call
 * returned, in the order the mutating threads took a shared lock (each call returns after its
 * commit, so that is seq order); the latest seq after each mutation is read under the same lock.
 * The view as of every k-th of those seqs, and as of the seq just before the next mutation, must
 * equal the model's state at that point, read through every list the read API offers; and after
 * retention prunes the history at the middle mutation's seq, every view from there on still does,
 * while views before it are refused naming the horizon; and so after retention to a budget one byte
 * under the history's size, from the horizon it chose.
 */
class AsOfPropertiesTest {
  static final int THREADS = 3;
  static final int OPS = 40;
  static final List<Scope> SCOPES =
      List.of(Scope.swarm(), Scope.agent("a1"), Scope.session("s1"), Scope.session("s2"));
  static final List<String> AGENTS = List.of("a1", "a2", "a3");
  static final List<String> SESSIONS = List.of("s1", "s2");

  @Property(tries = 12)
  void asOfEverySeqEqualsTheReplayedModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
    Path dir = Files.createTempDirectory("swarmdb-asof-");
    Path file = dir.resolve("swarm.db");
    List<SwarmDB> budgeted = new ArrayList<>();
    try (SwarmDB db = SwarmDB.open(file)) {
      check(
          db,
          seed,
          3,
          b -> {
            SwarmDB d = SwarmDB.open(SwarmDbConfig.builder(file).historyBudgetBytes(b).build());
            budgeted.add(d);
            return d;
          });
    } finally {
      budgeted.forEach(SwarmDB::close);
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The same check with fixed seeds on both backends. */
  @BackendTest
  void asOfEqualsTheModelOnEveryBackend(TestBackend backend) throws Exception {
    SwarmDB db = backend.open();
    check(db, 42, 5, b -> backend.open(c -> c.historyBudgetBytes(b)));
  }

  /** One model state: what every read of the view must show. */
  record State(
      Map<String, Agent> agents,
      Map<String, Session> sessions,
      Map<Scope, Map<String, MemoryEntry>> memory) {
    State copy() {
      Map<Scope, Map<String, MemoryEntry>> m = new TreeMap<>(Comparator.comparing(Scope::toString));
      memory.forEach((k, v) -> m.put(k, new TreeMap<>(v)));
      return new State(new TreeMap<>(agents), new TreeMap<>(sessions), m);
    }
  }

  private static void check(SwarmDB db, long seed, int every, LongFunction<SwarmDB> withBudget)
      throws Exception {
    State model =
        new State(
            new TreeMap<>(), new TreeMap<>(), new TreeMap<>(Comparator.comparing(Scope::toString)));
    for (Scope s : SCOPES) {
      model.memory().put(s, new TreeMap<>());
    }
    ReentrantLock order = new ReentrantLock();
    List<Long> seqs = new ArrayList<>();
    List<Long> before = new ArrayList<>();
    List<State> states = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch appending = new CountDownLatch(1);
    Thread appender =
        new Thread(
            () -> {
              int i = 0;
              while (!done.get()) {
                db.events().append(AgentEvent.of("tick", "bg", null, Map.of("i", i++)));
                appending.countDown();
              }
            });
    appender.start();
    appending.await();
    try {
      Concurrently.run(
          THREADS,
          thread -> {
            Random r = new Random(seed * 31 + thread);
            for (int i = 0; i < OPS; i++) {
              order.lock();
              try {
                before.add(latest(db)); // events may have come in since the last mutation
                mutate(db, r, model);
                seqs.add(latest(db));
                states.add(model.copy());
              } finally {
                order.unlock();
              }
            }
            return null;
          });
    } finally {
      done.set(true);
      appender.join();
    }
    assertViews(db, seqs, before, states, every, 0);
    // retention with snapshot: every view at or after the horizon reads as before, none before it
    int mid = seqs.size() / 2;
    long horizon = seqs.get(mid);
    assertThat(db.maintenance().pruneHistory(horizon)).isPositive();
    assertViews(db, seqs, before, states, every, mid);
    SwarmDbException refused =
        SwarmAssertions.assertFails(ErrorCode.INVALID_ARGUMENT, () -> db.asOf(horizon - 1));
    assertThat(refused.getMessage()).contains("before the history horizon, seq " + horizon);
    assertThat(db.maintenance().pruneHistory(horizon)).as("again: nothing left to prune").isZero();
    // retention to a budget one byte under the history: a later horizon, chosen by the budget,
    // and again every view from there on reads as before
    long bytes = db.inspect().history().bytes();
    HistoryPruneResult r = withBudget.apply(bytes - 1).maintenance().pruneHistoryToBudget();
    assertThat(r.withinBudget()).isTrue();
    assertThat(r.bytesAfter()).isEqualTo(db.inspect().history().bytes()).isLessThan(bytes);
    assertThat(r.horizon()).isGreaterThan(horizon);
    int from = mid;
    while (from < seqs.size() && seqs.get(from) < r.horizon()) {
      from++;
    }
    assertViews(db, seqs, before, states, every, from);
    assertThat(
            SwarmAssertions.assertFails(ErrorCode.INVALID_ARGUMENT, () -> db.asOf(r.horizon() - 1))
                .getMessage())
        .contains("before the history horizon, seq " + r.horizon());
  }

  private static void assertViews(
      SwarmDB db, List<Long> seqs, List<Long> before, List<State> states, int every, int from) {
    for (int i = from; i < seqs.size(); i++) {
      if (i % every == 0 || i == seqs.size() - 1) {
        assertView(db.asOf(seqs.get(i)), states.get(i), "after mutation " + i);
      }
      if (i + 1 < seqs.size() && before.get(i + 1) > seqs.get(i) && i % every == 1) {
        // just before the next mutation: only events came in between
        assertView(db.asOf(before.get(i + 1)), states.get(i), "before mutation " + (i + 1));
      }
    }
  }

  /** The latest seq: the view of the far future is as of it. */
  private static long latest(SwarmDB db) {
    return db.asOf(Instant.now().plusSeconds(86_400)).seq();
  }

  private static void mutate(SwarmDB db, Random r, State model) {
    try {
      switch (r.nextInt(8)) {
        case 0, 1, 2 -> {
          Scope s = SCOPES.get(r.nextInt(SCOPES.size()));
          String key = "k" + r.nextInt(3);
          MemoryEntry e = db.memory(s).put("t", key, Map.of("v", r.nextInt(100)));
          model.memory().get(s).put(key, e);
        }
        case 3 -> {
          Scope s = SCOPES.get(r.nextInt(SCOPES.size()));
          String key = "k" + r.nextInt(3);
          if (db.memory(s).delete("t", key)) {
            assertThat(model.memory().get(s).remove(key)).isNotNull();
          }
        }
        case 4 -> {
          String id = AGENTS.get(r.nextInt(AGENTS.size()));
          Agent a = db.agents().register(id, "w" + r.nextInt(2), null, Map.of("n", r.nextInt(9)));
          model.agents().put(id, a);
        }
        case 5 -> {
          String id = AGENTS.get(r.nextInt(AGENTS.size()));
          AgentStatus[] all = AgentStatus.values();
          Agent a =
              db.agents().transition(id, all[r.nextInt(all.length)], Map.of("t", r.nextInt(9)));
          model.agents().put(id, a);
        }
        case 6 -> {
          // a heartbeat is no state change: the model, like the history, keeps the agent as is
          db.agents().heartbeat(AGENTS.get(r.nextInt(AGENTS.size())));
        }
        default -> {
          String id = SESSIONS.get(r.nextInt(SESSIONS.size()));
          Session s =
              model.sessions().containsKey(id)
                  ? db.sessions().end(id)
                  : db.sessions().start(id, Map.of("u", r.nextInt(9)));
          model.sessions().put(id, s);
        }
      }
    } catch (SwarmDbException expected) {
      // a refused call (agent already registered, illegal transition, no such session) changes
      // nothing, in the database as in the model
      assertThat(expected.code())
          .isIn(
              ErrorCode.INVALID_ARGUMENT,
              ErrorCode.ALREADY_EXISTS,
              ErrorCode.ILLEGAL_TRANSITION,
              ErrorCode.NOT_FOUND);
    }
  }

  private static void assertView(SwarmState v, State want, String when) {
    assertThat(v.agents().page(null, null, null, 100))
        .as("agents " + when)
        .containsExactlyElementsOf(want.agents().values());
    for (String id : AGENTS) {
      assertThat(v.agents().get(id))
          .as(id + " " + when)
          .isEqualTo(java.util.Optional.ofNullable(want.agents().get(id)));
    }
    Map<AgentStatus, Long> counts = new TreeMap<>();
    for (AgentStatus s : AgentStatus.values()) {
      counts.put(s, want.agents().values().stream().filter(a -> a.status() == s).count());
    }
    assertThat(v.agents().countByStatus()).as("counts " + when).isEqualTo(counts);
    assertThat(v.agents().active())
        .as("active " + when)
        .containsExactlyInAnyOrderElementsOf(
            want.agents().values().stream().filter(a -> !a.status().isFinal()).toList());
    assertThat(v.sessions().page(false, null, 100))
        .as("sessions " + when)
        .containsExactlyInAnyOrderElementsOf(want.sessions().values());
    assertThat(v.sessions().count()).isEqualTo(want.sessions().size());
    for (Scope s : SCOPES) {
      Memory m = v.memory(s);
      Map<String, MemoryEntry> entries = want.memory().get(s);
      assertThat(m.keys("t")).as(s + " keys " + when).containsExactlyElementsOf(entries.keySet());
      assertThat(m.findByPrefix("t", "k"))
          .as(s + " entries " + when)
          .containsExactlyElementsOf(entries.values());
      for (int k = 0; k < 3; k++) {
        assertThat(m.entry("t", "k" + k))
            .as(s + " k" + k + " " + when)
            .isEqualTo(java.util.Optional.ofNullable(entries.get("k" + k)));
      }
    }
  }
}
