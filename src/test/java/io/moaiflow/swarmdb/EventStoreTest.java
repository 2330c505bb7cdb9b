package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;

class EventStoreTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  EventStore events;

  EventStoreTest() {
    super(T0);
  }

  @BeforeEach
  void openEvents() {
    events = db.events();
  }

  /** Counts appended events, and calls per operation (with ":CODE" when one failed). */
  static final class CountingListener implements SwarmDbListener {
    final AtomicInteger appended = new AtomicInteger();
    final Map<String, AtomicInteger> ops = new ConcurrentHashMap<>();

    @Override
    public void onEventsAppended(String eventType, int count) {
      appended.addAndGet(count);
    }

    @Override
    public void onOperation(String operation, long nanos, ErrorCode error) {
      ops.computeIfAbsent(operation + (error == null ? "" : ":" + error), k -> new AtomicInteger())
          .incrementAndGet();
    }

    int operations() {
      return ops.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  static AgentEvent event(String id, String type, String agent, String session, long tsOffset) {
    return new AgentEvent(
        0,
        id,
        type,
        agent,
        "worker",
        session,
        T0.plusMillis(tsOffset),
        Map.of("n", (int) tsOffset));
  }

  /** The sidecar's database-wide event counter: a grouped count, then seq deltas. */
  @BackendTest
  void countByTypeAfterCountsEachEventOnceAcrossCalls() {
    assertThat(events.countByTypeAfter(0)).isEqualTo(new EventCounts(0, Map.of()));
    List<AgentEvent> first =
        events.appendAll(
            List.of(
                event("c-1", "spawn", "a", null, 0),
                event("c-2", "spawn", "b", null, 0),
                event("c-3", "run", "a", null, 0)));
    EventCounts all = events.countByTypeAfter(0);
    assertThat(all.byType()).containsExactlyInAnyOrderEntriesOf(Map.of("spawn", 2L, "run", 1L));
    assertThat(all.lastSeq()).isEqualTo(first.get(2).seq());
    assertThat(all.total()).isEqualTo(3);
    AgentEvent later = events.append(event("c-4", "complete", "a", null, 0));
    EventCounts next = events.countByTypeAfter(all.lastSeq());
    assertThat(next).isEqualTo(new EventCounts(later.seq(), Map.of("complete", 1L)));
    // nothing newer: the cursor stays, nothing is counted twice
    assertThat(events.countByTypeAfter(next.lastSeq()))
        .isEqualTo(new EventCounts(later.seq(), Map.of()));
    // the cursor at limit - 1, limit, limit + 1 of the newest seq
    assertThat(events.countByTypeAfter(later.seq() - 1).byType()).isEqualTo(Map.of("complete", 1L));
    assertThat(events.countByTypeAfter(later.seq() + 1))
        .isEqualTo(new EventCounts(later.seq() + 1, Map.of()));
    assertThat(assertFails(ErrorCode.INVALID_ARGUMENT, () -> events.countByTypeAfter(-1)))
        .hasMessageContaining("afterSeq is -1");
  }

  @BackendTest
  void appendReturnsStoredRowWithSeqAndDefaultsToUuidV7() {
    AgentEvent given = AgentEvent.of("spawn", "agent-1", "expert", "s1", Map.of("k", "v"));
    assertThat(given.eventId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab].{3}-.{12}");
    AgentEvent stored = events.append(given);
    assertThat(stored.seq()).isEqualTo(1);
    assertThat(stored.isStored()).isTrue();
    assertThat(stored.sameContent(given)).isTrue();
    assertThat(events.get(given.eventId())).contains(stored);
    assertThat(events.get("missing")).isEmpty();
  }

  record Detail(String name, long size) {}

  @BackendTest
  void appendReturnsMetadataExactlyAsQueriesReadItBack() {
    Map<String, Object> meta =
        Map.of("small", 7L, "big", 1L << 40, "pojo", new Detail("x", 3), "list", List.of(1, "a"));
    AgentEvent stored = events.append(new AgentEvent(0, "m", "run", "a", null, null, T0, meta));
    assertThat(events.get("m")).contains(stored);
    assertThat(stored.metadata())
        .containsEntry("small", 7)
        .containsEntry("big", 1L << 40)
        .containsEntry("pojo", Map.of("name", "x", "size", 3))
        .containsEntry("list", List.of(1, "a"));
    List<AgentEvent> all =
        events.appendAll(List.of(new AgentEvent(0, "m2", "run", "a", null, null, T0, meta)));
    assertThat(events.get("m2")).contains(all.get(0));
    assertThat(db.agents().register("a", "w", null, meta)).isEqualTo(db.agents().get("a").get());
    assertThat(db.agents().transition("a", AgentStatus.RUNNING, Map.of("more", 5L)))
        .isEqualTo(db.agents().get("a").get());
    assertThat(db.sessions().start("s", meta)).isEqualTo(db.sessions().get("s").get());
  }

  @BackendTest
  void appendingAnExistingEventIdReturnsTheExistingRowAndWritesNothing() {
    AgentEvent first = events.append(event("e-1", "spawn", "a", "s", 0));
    AgentEvent retry =
        new AgentEvent(0, "e-1", "other", "b", null, null, T0.plusSeconds(9), Map.of("x", 2));
    AgentEvent got = events.append(retry);
    assertThat(got).isEqualTo(first);
    assertThat(got.eventType()).isEqualTo("spawn");
    assertThat(events.count()).isEqualTo(1);
    assertThat(events.appendAsync(retry).join()).isEqualTo(first);
    assertThat(events.appendAll(List.of(retry))).containsExactly(first);
    assertThat(events.count()).isEqualTo(1);
    assertThat(events.lastSeq()).isEqualTo(first.seq());
  }

  @BackendTest
  void appendAllStoresInOrderWithIncreasingSeqs() {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(event("b-" + i, "run", "a" + (i % 3), null, i));
    }
    List<AgentEvent> stored = events.appendAll(batch);
    assertThat(stored).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(stored.get(i).sameContent(batch.get(i))).isTrue();
      assertThat(stored.get(i).seq()).isEqualTo(i + 1L);
    }
    assertThat(events.since(0, 100)).containsExactlyElementsOf(stored);
    assertThat(events.appendAll(List.of())).isEmpty();
  }

  @BackendTest
  void appendAllWithKnownAndDuplicateIdsReturnsStoredRows() {
    AgentEvent old = events.append(event("x-0", "spawn", "a", null, 0));
    List<AgentEvent> stored =
        events.appendAll(
            List.of(
                event("x-1", "run", "a", null, 1),
                event("x-0", "run", "zzz", null, 2),
                event("x-1", "run", "zzz", null, 3),
                event("x-2", "run", "a", null, 4)));
    assertThat(stored.get(1)).isEqualTo(old);
    assertThat(stored.get(2)).isEqualTo(stored.get(0));
    assertThat(stored.get(0).agentId()).isEqualTo("a");
    assertThat(stored.get(3).seq()).isGreaterThan(stored.get(0).seq());
    assertThat(events.count()).isEqualTo(3);
    assertThat(events.since(0, 10)).containsExactly(old, stored.get(0), stored.get(3));
  }

  @BackendTest
  void appendAllIsAllOrNothingWhenTheDatabaseRejectsOneRow() throws Exception {
    events.append(event("keep", "spawn", "a", null, 0));
    // the same rejection on both backends: a trigger that fails the insert of one row
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      if (backend.isPostgres()) {
        st.execute(
            "CREATE FUNCTION reject_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.event_type = 'boom' THEN"
                + " RAISE EXCEPTION 'boom rejected' USING ERRCODE = 'check_violation'; END IF;"
                + " RETURN NEW; END $$");
        st.execute(
            "CREATE TRIGGER reject_boom BEFORE INSERT ON agent_events FOR EACH ROW"
                + " EXECUTE FUNCTION reject_boom()");
      } else {
        st.execute(
            "CREATE TRIGGER reject_boom BEFORE INSERT ON agent_events WHEN NEW.event_type = 'boom'"
                + " BEGIN SELECT RAISE(ABORT, 'boom rejected'); END");
      }
    }
    List<AgentEvent> batch =
        List.of(
            event("ok-1", "run", "a", null, 1),
            event("ok-2", "run", "a", null, 2),
            event("bad", "boom", "a", null, 3),
            event("ok-3", "run", "a", null, 4));
    SwarmDbException e = assertFails(ErrorCode.INVALID_ARGUMENT, () -> events.appendAll(batch));
    assertThat(e.getMessage()).contains("boom rejected");
    assertThat(events.count()).isEqualTo(1);
    assertThat(events.get("ok-1")).isEmpty();
    assertThat(events.append(event("after", "run", "a", null, 5)).seq()).isGreaterThan(1);
  }

  @BackendTest
  void appendAllRejectsBadInputBeforeWriting() {
    assertInvalid(
        () -> events.appendAll(Collections.nCopies(100_001, event("n", "t", "a", null, 0))),
        "100001",
        "100000");
    List<AgentEvent> withBadMetadata = new ArrayList<>();
    withBadMetadata.add(event("g-1", "run", "a", null, 1));
    withBadMetadata.add(
        new AgentEvent(0, "g-2", "run", "a", null, null, T0, Map.of("x", new Object())));
    assertInvalid(() -> events.appendAll(withBadMetadata), "metadata");
    assertThat(events.count()).isZero();
  }

  List<AgentEvent> seedForQueries() {
    // 3 agents x 2 types x 2 sessions, several events sharing a timestamp
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      batch.add(
          event(
              "q-" + i,
              i % 2 == 0 ? "spawn" : "run",
              "agent-" + (i % 3),
              "session-" + (i % 4 < 2 ? "A" : "B"),
              (i / 4) * 10L));
    }
    return events.appendAll(batch);
  }

  static final Comparator<AgentEvent> NEWEST_FIRST =
      Comparator.comparing(AgentEvent::timestamp).thenComparingLong(AgentEvent::seq).reversed();

  @BackendTest
  void queryFiltersNewestFirstWithLimits() {
    List<AgentEvent> all = seedForQueries();
    assertQuery(all, EventQuery.agent("agent-1"), e -> e.agentId().equals("agent-1"));
    assertQuery(all, EventQuery.type("run"), e -> e.eventType().equals("run"));
    assertQuery(all, EventQuery.session("session-B"), e -> "session-B".equals(e.sessionId()));
    Instant from = T0.plusMillis(100);
    Instant to = T0.plusMillis(300);
    assertQuery(
        all,
        EventQuery.between(from, to),
        e -> !e.timestamp().isBefore(from) && e.timestamp().isBefore(to));
    assertQuery(
        all,
        EventQuery.agent("agent-2").withType("spawn").withSession("session-A").withWindow(from, to),
        e ->
            e.agentId().equals("agent-2")
                && e.eventType().equals("spawn")
                && "session-A".equals(e.sessionId())
                && !e.timestamp().isBefore(from)
                && e.timestamp().isBefore(to));
    assertThat(events.query(EventQuery.all())).hasSize(EventQuery.DEFAULT_LIMIT);
    assertThat(events.query(EventQuery.all().limit(7)))
        .containsExactlyElementsOf(all.stream().sorted(NEWEST_FIRST).limit(7).toList());
    assertThat(events.query(EventQuery.agent("nobody"))).isEmpty();
  }

  private void assertQuery(
      List<AgentEvent> all, EventQuery q, java.util.function.Predicate<AgentEvent> filter) {
    List<AgentEvent> expected = all.stream().filter(filter).sorted(NEWEST_FIRST).toList();
    assertThat(expected).isNotEmpty();
    assertThat(events.query(q.limit(EventQuery.MAX_LIMIT))).containsExactlyElementsOf(expected);
    assertThat(events.count(q)).isEqualTo(expected.size());
    assertThat(events.query(q.limit(3))).containsExactlyElementsOf(expected.subList(0, 3));
  }

  @BackendTest
  void keysetPagingVisitsEveryRowOnceEvenWithTiesAndConcurrentAppends() {
    List<AgentEvent> all = seedForQueries();
    List<AgentEvent> expected =
        all.stream().filter(e -> e.agentId().equals("agent-0")).sorted(NEWEST_FIRST).toList();
    List<AgentEvent> seen = new ArrayList<>();
    EventQuery q = EventQuery.agent("agent-0").limit(7);
    int pages = 0;
    while (true) {
      List<AgentEvent> page = events.query(q);
      if (page.isEmpty()) {
        break;
      }
      pages++;
      seen.addAll(page);
      // newer rows arriving between pages must not shift the pages
      events.append(event("late-" + pages, "run", "agent-0", null, 100_000 + pages));
      q = q.after(page.get(page.size() - 1));
    }
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(pages).isEqualTo((expected.size() + 6) / 7);
    assertInvalid(
        () -> EventQuery.all().after(event("never", "run", "a", null, 0)), "never stored");
  }

  @BackendTest
  void streamReadsThousandsOfRowsInOrderAndHonoursLimit() {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 3_001; i++) {
      batch.add(event("s-" + i, "run", "agent-" + (i % 2), null, i / 3));
    }
    List<AgentEvent> stored = events.appendAll(batch);
    List<AgentEvent> expected = stored.stream().sorted(NEWEST_FIRST).toList();
    try (Stream<AgentEvent> s = events.stream(EventQuery.all())) {
      assertThat(s.toList()).containsExactlyElementsOf(expected);
    }
    try (Stream<AgentEvent> s = events.stream(EventQuery.all().limit(1234))) {
      assertThat(s.toList()).containsExactlyElementsOf(expected.subList(0, 1234));
    }
    try (Stream<AgentEvent> s = events.stream(EventQuery.agent("agent-1").limit(500))) {
      assertThat(s.map(AgentEvent::seq).collect(Collectors.toList())).hasSize(500);
    }
    try (Stream<AgentEvent> s = events.stream(EventQuery.agent("nobody"))) {
      assertThat(s.iterator().hasNext()).isFalse();
    }
    var it = events.stream(EventQuery.agent("agent-0").limit(1)).iterator();
    assertThat(it.next().agentId()).isEqualTo("agent-0");
    assertThat(it.hasNext()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(it::next)
        .isInstanceOf(java.util.NoSuchElementException.class);
  }

  @BackendTest
  void sinceTailsInCommitOrder() {
    assertThat(events.since(0, 10)).isEmpty();
    assertThat(events.lastSeq()).isZero();
    List<AgentEvent> stored = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // timestamps deliberately out of order: tailing follows seq, not ts
      stored.add(events.append(event("t-" + i, "run", "a", null, 1000 - i)));
    }
    List<AgentEvent> tailed =
        EventTail.readAll(
            cursor -> {
              List<AgentEvent> next = events.since(cursor, 10);
              assertThat(next.size()).isLessThanOrEqualTo(10);
              return next;
            });
    assertThat(tailed).containsExactlyElementsOf(stored);
    assertThat(events.lastSeq()).isEqualTo(tailed.get(tailed.size() - 1).seq());
    assertInvalid(() -> events.since(-1, 10), "seq is -1");
    assertInvalid(() -> events.since(0, 0), "limit is 0");
    assertInvalid(() -> events.since(0, 10_001), "10000");
  }

  @BackendTest
  void countsByTypeAndTotal() {
    seedForQueries();
    assertThat(events.count()).isEqualTo(240);
    assertThat(events.countByType())
        .containsExactly(Map.entry("run", 120L), Map.entry("spawn", 120L));
    assertThat(events.count(EventQuery.agent("agent-0").withType("spawn"))).isEqualTo(40);
  }

  @BackendTest
  void appendAsyncCompletesWithTheStoredRow() {
    List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(events.appendAsync(event("async-" + i, "run", "a", null, i)));
    }
    Set<Long> seqs = new HashSet<>();
    for (CompletableFuture<AgentEvent> f : futures) {
      seqs.add(f.join().seq());
    }
    assertThat(seqs).hasSize(100);
    assertThat(events.count()).isEqualTo(100);
  }

  @BackendTest
  void eventQueryRejectsBadFilters() {
    assertInvalid(() -> EventQuery.all().limit(0), "limit is 0");
    assertInvalid(() -> EventQuery.all().limit(10_001), "10000", "stream()");
    assertInvalid(() -> EventQuery.between(T0.plusSeconds(1), T0), "swap the bounds");
    assertInvalid(
        () -> new EventQuery(null, null, null, null, null, null, null, -1), "beforeSeq is -1");
    assertInvalid(() -> EventQuery.agent(" "), "agentId is blank");
    assertInvalid(() -> EventQuery.type("no spaces"), "eventType");
    assertInvalid(() -> EventQuery.session("x\0y"), "NUL");
    assertInvalid(() -> EventQuery.between(Instant.MIN, T0), "epoch milliseconds");
    assertThat(EventQuery.all().effectiveLimit()).isEqualTo(100);
    assertThat(EventQuery.all().limit(5).effectiveLimit()).isEqualTo(5);
  }

  @BackendTest
  void listenersCountOnlyFreshAppends() {
    List<String> appended = new CopyOnWriteArrayList<>();
    List<String> ops = new CopyOnWriteArrayList<>();
    List<Integer> commits = new CopyOnWriteArrayList<>();
    SwarmDbListener listener =
        new SwarmDbListener() {
          @Override
          public void onEventsAppended(String eventType, int count) {
            appended.add(eventType + "x" + count);
          }

          @Override
          public void onOperation(String operation, long nanos, ErrorCode error) {
            ops.add(operation + (error == null ? "" : ":" + error));
          }

          @Override
          public void onCommit(int writes, long nanos) {
            commits.add(writes);
          }
        };
    db.addListener(listener);
    AgentEvent e = events.append(event("l-1", "spawn", "a", null, 0));
    events.append(e); // idempotent retry: not a new event
    events.appendAsync(event("l-2", "run", "a", null, 1)).join();
    events.appendAsync(e).join();
    events.appendAll(
        List.of(event("l-3", "run", "a", null, 2), e, event("l-4", "stop", "a", null, 3)));
    events.query(EventQuery.all());
    assertFails(ErrorCode.NOT_FOUND, () -> db.agents().transition("ghost", AgentStatus.RUNNING));
    assertThat(appended).containsExactlyInAnyOrder("spawnx1", "runx1", "runx1", "stopx1");
    assertThat(ops)
        .contains("events.append", "events.appendAsync", "events.appendAll", "events.query")
        .contains("agents.transition:NOT_FOUND");
    assertThat(commits).isNotEmpty();
    db.removeListener(listener);
    events.append(event("l-5", "run", "a", null, 4));
    assertThat(appended).hasSize(4);
  }

  @BackendTest
  void everyAppendCallIsOneOperationEvenWhenGroupCommitted() throws Exception {
    CountingListener counts = new CountingListener();
    db.addListener(counts);
    int threads = 8;
    int perThread = 25;
    Concurrently.run(
        threads,
        thread -> {
          List<CompletableFuture<AgentEvent>> async = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            events.append(event("g-" + thread + "-" + i, "run", "a", null, i));
            async.add(events.appendAsync(event("h-" + thread + "-" + i, "run", "a", null, i)));
          }
          async.forEach(CompletableFuture::join);
          return null;
        });
    // concurrent appends share commits (group commit on both backends), yet each call is reported
    assertThat(events.count()).isEqualTo(2L * threads * perThread);
    assertThat(counts.appended.get()).isEqualTo(2 * threads * perThread);
    assertThat(counts.ops.get("events.append")).hasValue(threads * perThread);
    assertThat(counts.ops.get("events.appendAsync")).hasValue(threads * perThread);
  }

  @BackendTest
  void aThrowingListenerDoesNotBreakWrites() {
    db.addListener(
        new SwarmDbListener() {
          @Override
          public void onEventsAppended(String eventType, int count) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onCommit(int writes, long nanos) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onOperation(String operation, long nanos, ErrorCode error) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onBusyRetry() {
            throw new IllegalStateException("listener bug");
          }
        });
    assertThat(events.append(event("x", "run", "a", null, 0)).seq()).isEqualTo(1);
    assertThat(events.count()).isEqualTo(1);
  }

  @BackendTest
  void timestampsKeepMillisecondPrecisionAndNullableFields() {
    AgentEvent e =
        new AgentEvent(0, "p", "run", "a", null, null, T0.plusNanos(1_234_567), Map.of());
    assertThat(e.timestamp()).isEqualTo(T0.plusMillis(1));
    AgentEvent stored = events.append(e);
    assertThat(events.get("p")).contains(stored);
    assertThat(stored.agentType()).isNull();
    assertThat(stored.sessionId()).isNull();
    assertThat(stored.metadata()).isEmpty();
    AgentEvent moved = e.withTimestamp(T0).withSessionId("s").withEventId("p2");
    assertThat(moved.sessionId()).isEqualTo("s");
    assertThat(moved.timestamp()).isEqualTo(T0);
    assertThat(Duration.between(T0, moved.timestamp())).isZero();
    assertInvalid(() -> new AgentEvent(-1, "p", "run", "a", null, null, T0, Map.of()), "seq is -1");
  }

  /** An event of BackendContractTest's shape at {@code ts}. */
  private static AgentEvent eventAt(String type, String agent, String session, Instant ts) {
    return AgentEvent.of(type, agent, "expert", session, Map.of("n", 1, "s", "x"))
        .withTimestamp(ts);
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void appendIsIdempotentAndReturnsTheStoredRow() throws Exception {
    AgentEvent e = eventAt("spawn", "a1", "s1", T0);
    AgentEvent stored = db.events().append(e);
    assertThat(stored.seq()).isPositive();
    assertThat(stored.sameContent(e)).isTrue();
    AgentEvent again = db.events().append(e.withEventId(e.eventId()));
    assertThat(again.seq()).isEqualTo(stored.seq());
    assertThat(db.events().count()).isEqualTo(1);
    assertThat(db.events().get(e.eventId())).contains(stored);
    assertThat(db.events().get("missing")).isEmpty();
    assertThat(db.events().lastSeq()).isEqualTo(stored.seq());
    AgentEvent async = db.events().appendAsync(eventAt("run", "a1", "s1", T0)).get();
    assertThat(async.seq()).isGreaterThan(stored.seq());
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void appendAllIsOneTransactionInOrderAndSkipsStoredIds() throws Exception {
    AgentEvent first = db.events().append(eventAt("spawn", "a0", null, T0));
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(eventAt("run", "a" + (i % 5), "s" + (i % 2), T0.plusMillis(i)));
    }
    batch.add(first.withEventId(first.eventId()));
    batch.add(batch.get(3).withEventId(batch.get(3).eventId()));
    List<AgentEvent> stored = db.events().appendAll(batch);
    assertThat(stored).hasSize(52);
    assertThat(stored.subList(0, 50))
        .extracting(AgentEvent::seq)
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(stored.get(0).seq()).isGreaterThan(first.seq());
    assertThat(stored.get(50)).isEqualTo(first);
    assertThat(stored.get(51)).isEqualTo(stored.get(3));
    for (int i = 0; i < 50; i++) {
      assertThat(stored.get(i).sameContent(batch.get(i))).isTrue();
    }
    assertThat(db.events().count()).isEqualTo(51);
    assertThat(db.events().appendAll(List.of())).isEmpty();
    // a batch with one bad event writes nothing
    AgentEvent bad = AgentEvent.of("x", "a", null, Map.of("o", new Object()));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> db.events().appendAll(List.of(eventAt("x", "a", null, T0), bad)));
    assertThat(db.events().count()).isEqualTo(51);
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void queriesAnswerEveryFilterNewestFirstWithKeysetPaging() throws Exception {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(
          eventAt(i % 3 == 0 ? "spawn" : "run", "a" + (i % 3), "s" + (i % 2), T0.plusSeconds(i)));
    }
    db.events().appendAll(batch);
    List<AgentEvent> a1 = db.events().query(EventQuery.agent("a1").limit(4));
    assertThat(a1).hasSize(4).allMatch(e -> e.agentId().equals("a1"));
    assertThat(a1).extracting(AgentEvent::timestamp).isSortedAccordingTo((x, y) -> y.compareTo(x));
    assertThat(db.events().query(EventQuery.type("spawn"))).hasSize(10);
    assertThat(db.events().query(EventQuery.session("s0"))).hasSize(15);
    assertThat(db.events().query(EventQuery.between(T0, T0.plusSeconds(10)))).hasSize(10);
    assertThat(
            db.events()
                .query(EventQuery.agent("a0").withType("spawn").withSession("s0").limit(100)))
        .hasSize(5);
    List<AgentEvent> page2 = db.events().query(EventQuery.all().limit(4).after(a1.get(3)));
    assertThat(page2).hasSize(4);
    assertThat(page2.get(0).timestamp()).isBefore(a1.get(3).timestamp());
    try (Stream<AgentEvent> s = db.events().stream(EventQuery.all())) {
      assertThat(s.count()).isEqualTo(30);
    }
    try (Stream<AgentEvent> s = db.events().stream(EventQuery.all().limit(7))) {
      assertThat(s.count()).isEqualTo(7);
    }
    assertThat(db.events().count(EventQuery.type("run"))).isEqualTo(20);
    assertThat(db.events().countByType())
        .containsExactly(Map.entry("run", 20L), Map.entry("spawn", 10L));
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void sinceTailsInSeqOrder() throws Exception {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(eventAt("run", "a", null, T0));
    }
    List<AgentEvent> stored = db.events().appendAll(batch);
    assertThat(EventTail.readAll(cursor -> db.events().since(cursor, 10)))
        .containsExactlyElementsOf(stored);
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> db.events().since(-1, 10));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> db.events().since(0, 0));
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void listenersSeeAppendsAndOperations() throws Exception {
    CountingListener l = new CountingListener();
    db.addListener(l);
    db.events().append(eventAt("spawn", "a", null, T0));
    db.events().appendAll(List.of(eventAt("run", "a", null, T0), eventAt("run", "a", null, T0)));
    db.events().appendAsync(eventAt("run", "a", null, T0)).get();
    db.events().count();
    assertThat(l.appended.get()).isEqualTo(4);
    assertThat(l.operations()).isGreaterThanOrEqualTo(4);
    db.removeListener(l);
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void maintenanceDeletesOldEventsAndExpiredMemory() throws Exception {
    List<AgentEvent> batch = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      batch.add(eventAt("run", "a", null, T0.minus(Duration.ofDays(40))));
    }
    batch.add(eventAt("run", "a", null, T0));
    db.events().appendAll(batch);
    assertThat(db.maintenance().deleteEventsOlderThan(Duration.ofDays(30))).isEqualTo(2_500);
    assertThat(db.events().count()).isEqualTo(1);
    db.sessions().start("s");
    db.sessions().memory("s").put("semantic", "old", 1, Duration.ofSeconds(1));
    db.sessions().memory("s").put("semantic", "keep", 1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(db.maintenance().purgeExpiredMemory()).isEqualTo(1);
    assertThat(db.maintenance().quickCheck().ok()).isTrue();
    assertThat(db.maintenance().integrityCheck().ok()).isTrue();
    assertThat(db.maintenance().vacuum()).isPositive();
  }

  // from BackendContractTest, now on both backends through @BackendTest
  @BackendTest
  void inspectionReportsTheTwelveIndexesCountsAndHealth() throws Exception {
    db.events().append(eventAt("spawn", "a", null, T0));
    db.sessions().start("s");
    DatabaseInfo info = db.inspect().info();
    assertThat(info.indexes())
        .containsExactlyElementsOf(SchemaV2.indexes(backend.isPostgres()))
        .hasSize(backend.isPostgres() ? 16 : 12);
    assertThat(info.missingIndexes()).isEmpty();
    assertThat(info.unexpectedIndexes()).isEmpty();
    assertThat(info.schemaVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(info.latestSchemaVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(info.rowCounts())
        .containsEntry("agent_events", 1L)
        .containsEntry("sessions", 1L)
        .containsEntry("agents", 0L)
        .containsEntry("session_memory", 0L)
        .containsEntry("scoped_memory", 0L)
        .containsEntry("swarm_settings", 1L)
        .containsEntry("schema_history", (long) SchemaV7.LATEST)
        .doesNotContainKeys("event_causes", "event_reads")
        .containsEntry("session_history", 1L)
        .containsEntry("agent_history", 0L)
        .containsEntry("memory_history", 0L);
    assertThat(info.pageSize()).isPositive();
    assertThat(db.inspect().sizeBytes()).isPositive();
    assertThat(db.inspect().walSizeBytes()).isNotNegative();
    HealthReport h = db.inspect().health();
    assertThat(h.healthy()).as(h.problems().toString()).isTrue();
    assertThat(h.database()).isEqualTo("connected");
    assertThat(h.writable()).isTrue();
    assertThat(h.schemaVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(db.inspect().writerStats().transactions()).isPositive();
    assertThat(db.migrator().status())
        .extracting(s -> s.state())
        .containsOnly(MigrationState.APPLIED)
        .hasSize(SchemaV7.LATEST);
    assertThat(db.migrator().pending()).isEmpty();
    assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
    assertThat(db.migrator().latestVersion()).isEqualTo(SchemaV7.LATEST);
    db.migrator().validate();
    assertThat(db.migrator().migrate().applied()).isEmpty();
  }
}
