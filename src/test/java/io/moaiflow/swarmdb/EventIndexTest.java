package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The per-database switch of event indexing, recorded in the database for every process. */
class EventIndexTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

  EventIndexTest() {
    super(T0);
  }

  private static final Recall OUTAGE = Recall.query("outage").events();

  private static AgentEvent outage(String agent) {
    return RecallTest.event("error", agent, T0, Map.of("m", "an outage in " + agent));
  }

  @BackendTest
  void switchedOffNothingIsIndexedSwitchedOnEverythingIs() throws Exception {
    AgentEvent before = db.events().append(outage("a0"));
    assertThat(db.recall(OUTAGE)).extracting(RecallHit::seq).containsExactly(before.seq());
    assertThat(recorded()).isEqualTo("on");
    assertThat(trigger()).isEqualTo(backend.isPostgres()); // SQLite's event store indexes itself
    db.close();

    SwarmDB off = backend.open(b -> b.clock(clock).indexEvents(false));
    assertThat(recorded()).isEqualTo("off");
    assertThat(trigger()).isFalse();
    assertThat(indexed()).isZero();
    AgentEvent during = off.events().append(outage("a1"));
    assertThat(off.recall(OUTAGE)).isEmpty();
    // memory is indexed either way
    off.sessions().start("s");
    off.sessions().memory("s").put("semantic", "k", Map.of("t", "outage notes"));
    assertThat(off.recall(Recall.query("outage"))).extracting(RecallHit::key).containsExactly("k");
    // another SwarmDB opening without the setting agrees: its appends are not indexed either
    SwarmDB other = backend.open(b -> b.clock(clock));
    AgentEvent otherDuring = other.events().append(outage("a2"));
    assertThat(other.recall(OUTAGE)).isEmpty();
    assertThat(recorded()).isEqualTo("off");
    // asking again for what is recorded changes nothing
    backend.open(b -> b.clock(clock).indexEvents(false)).close();
    assertThat(recorded()).isEqualTo("off");
    other.close();
    off.close();

    SwarmDB on = backend.open(b -> b.clock(clock).indexEvents(true));
    assertThat(recorded()).isEqualTo("on");
    assertThat(trigger()).isEqualTo(backend.isPostgres()); // SQLite's event store indexes itself
    assertThat(on.recall(OUTAGE))
        .extracting(RecallHit::seq)
        .containsExactlyInAnyOrder(before.seq(), during.seq(), otherDuring.seq());
    AgentEvent after = on.events().append(outage("a3"));
    assertThat(on.recall(OUTAGE.agent("a3")))
        .extracting(RecallHit::seq)
        .containsExactly(after.seq());
    assertThat(indexed()).isEqualTo(4);
    SwarmDB again = backend.open(b -> b.clock(clock));
    assertThat(again.recall(OUTAGE)).hasSize(4);
    // retention removes events from the index with them
    clock.set(T0.plus(java.time.Duration.ofDays(30)));
    again.events().append(RecallTest.event("error", "a4", clock.instant(), Map.of("m", "outage")));
    assertThat(again.maintenance().deleteEventsOlderThan(java.time.Duration.ofDays(1)))
        .isEqualTo(4);
    assertThat(again.recall(OUTAGE)).extracting(h -> h.event().agentId()).containsExactly("a4");
    assertThat(indexed()).isEqualTo(1);
  }

  /**
   * The setting is read in every write transaction (once for all the appends a group commit
   * shares), not once per open database: a database kept open follows switches made by others
   * between its appends.
   */
  @BackendTest
  void anOpenDatabaseFollowsASwitchMadeByAnotherBetweenItsAppends() throws Exception {
    AgentEvent first = db.events().append(outage("a0"));
    backend.open(b -> b.clock(clock).indexEvents(false)).close();
    AgentEvent whileOff = db.events().append(outage("a1"));
    assertThat(db.recall(OUTAGE)).isEmpty();
    backend.open(b -> b.clock(clock).indexEvents(true)).close();
    AgentEvent whileOn = db.events().append(outage("a2"));
    List<AgentEvent> batch = db.events().appendAll(List.of(outage("a3"), outage("a4")));
    assertThat(db.recall(OUTAGE))
        .extracting(RecallHit::seq)
        .containsExactlyInAnyOrder(
            first.seq(), whileOff.seq(), whileOn.seq(), batch.get(0).seq(), batch.get(1).seq());
    backend.open(b -> b.clock(clock).indexEvents(false)).close();
    db.events().append(outage("a5"));
    assertThat(indexed()).isZero();
  }

  /**
   * Every way an event is appended indexes exactly the events it stored, in its transaction: one,
   * async, a batch, a batch whose middle row is a retry of a stored event (it inserts nothing), and
   * single appends group-committed from several threads.
   */
  @BackendTest
  void everyAppendPathIndexesExactlyWhatItStored() throws Exception {
    AgentEvent one = db.events().append(outage("one"));
    AgentEvent async = db.events().appendAsync(outage("async")).get();
    List<AgentEvent> batch = List.of(outage("b0"), outage("b1"), outage("b2"));
    db.events().appendAll(batch);
    db.events()
        .appendAll(List.of(outage("c0"), batch.get(1), outage("c2"))); // b1 again: no new row
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<AgentEvent>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        AgentEvent e = outage("t" + i);
        fs.add(pool.submit(() -> db.events().append(e)));
      }
      for (var f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(db.events().count()).isEqualTo(1 + 1 + 3 + 2 + 40);
    assertThat(indexed()).isEqualTo(db.events().count());
    assertThat(db.recall(OUTAGE.limit(1_000))).hasSize(47);
    assertThat(db.recall(OUTAGE.agent(one.agentId())))
        .extracting(RecallHit::seq)
        .containsExactly(one.seq());
    assertThat(db.recall(OUTAGE.agent(async.agentId())))
        .extracting(RecallHit::seq)
        .containsExactly(async.seq());
  }

  @BackendTest
  void theSwitchRecreatesTheTriggerOfTheMigration() throws Exception {
    String script = schemaTrigger();
    db.close();
    backend.open(b -> b.clock(clock).indexEvents(false)).close();
    backend.open(b -> b.clock(clock).indexEvents(true)).close();
    assertThat(schemaTrigger()).isEqualTo(script);
  }

  private String recorded() throws Exception {
    return query("SELECT value FROM swarm_settings WHERE name = 'event_index'").get(0);
  }

  private boolean trigger() throws Exception {
    return !schemaTrigger().isEmpty();
  }

  /** The trigger's definition as the database holds it, or empty. */
  private String schemaTrigger() throws Exception {
    List<String> rows =
        query(
            backend.isPostgres()
                ? "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'agent_events'::regclass AND tgname ="
                    + " 'agent_events_search'"
                : "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name ="
                    + " 'event_fts_insert'");
    return rows.isEmpty() ? "" : rows.get(0);
  }

  private long indexed() throws Exception {
    return Long.parseLong(
        query(
                backend.isPostgres()
                    ? "SELECT count(*) FROM agent_events WHERE search IS NOT NULL"
                    : "SELECT count(*) FROM event_fts")
            .get(0));
  }

  private List<String> query(String sql) throws Exception {
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }
}
