package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.RefusedDeletes;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;

/** {@code Memory.deleteAll}: several keys of one type in one transaction, or nothing. */
class DeleteAllTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-09-01T06:00:00Z");
  static final String T = Memory.SEMANTIC;
  static final int MAX = 10_000;

  DeleteAllTest() {
    super(T0);
  }

  List<Memory> scopes;

  @BeforeEach
  void openScopes() {
    db.sessions().start("s");
    db.sessions().start("other");
    scopes =
        List.of(
            db.memory(Scope.session("s")),
            db.memory(Scope.agent("a1")),
            db.memory(Scope.swarm()),
            db.memory(Scope.namespace("docs")));
  }

  @BackendTest
  void deletesTheKnownKeysOfItsScopeAndTypeOnly() {
    List<Memory> neighbours =
        List.of(
            db.memory(Scope.session("other")),
            db.memory(Scope.agent("a2")),
            db.memory(Scope.namespace("docs2")));
    for (Memory m : scopes) {
      m.putAll(T, Map.of("a", 1, "b", 2, "c", 3, "d", 4), null);
      m.put(Memory.EPISODIC, "a", "same key, other type");
    }
    for (Memory n : neighbours) {
      n.putAll(T, Map.of("a", 1, "b", 2), null);
    }
    for (Memory m : scopes) {
      // an unknown key is skipped, a duplicate deleted once
      assertThat(m.deleteAll(T, List.of("a", "unknown", "b", "a"))).as(m.toString()).isEqualTo(2);
      assertThat(m.keys(T)).containsExactly("c", "d");
      assertThat(m.keys(Memory.EPISODIC)).containsExactly("a");
      assertThat(m.deleteAll(T, List.of())).isZero();
      assertThat(m.deleteAll(T, List.of("a", "b"))).isZero();
      assertThat(m.deleteAll(T, new java.util.TreeSet<>(List.of("c", "d")))).isEqualTo(2);
      assertThat(m.count(T)).isZero();
    }
    for (Memory n : neighbours) {
      assertThat(n.keys(T)).as(n.toString()).containsExactly("a", "b");
    }
    assertThat(db.sessions().memory("ghost").deleteAll(T, List.of("a"))).isZero();
  }

  /** As {@code delete} does: an expired entry not purged yet is deleted and counted. */
  @BackendTest
  void anExpiredEntryIsDeletedAndCounted() {
    for (Memory m : scopes) {
      m.put(T, "soon", "x", Duration.ofSeconds(1));
      m.put(T, "kept", "y");
    }
    clock.advance(Duration.ofSeconds(2));
    for (Memory m : scopes) {
      assertThat(m.keys(T)).containsExactly("kept");
      assertThat(m.deleteAll(T, List.of("soon", "kept"))).as(m.toString()).isEqualTo(2);
      assertThat(m.deleteAll(T, List.of("soon"))).isZero();
    }
  }

  /** At most 10,000 keys a call: 9,999 and 10,000 are deleted, 10,001 refused with nothing done. */
  @BackendTest
  void tenThousandKeysACall() {
    Memory m = db.memory(Scope.namespace("docs"));
    List<String> keys = IntStream.rangeClosed(0, MAX).mapToObj(i -> "k" + i).toList();
    Map<String, Object> values = new LinkedHashMap<>();
    keys.subList(0, MAX).forEach(k -> values.put(k, 1));
    m.putAll(T, values, null);
    m.put(T, keys.get(MAX), 1);
    assertInvalid(
        () -> m.deleteAll(T, keys), "deleteAll got 10001 keys", "limit is 10000", "in parts");
    assertThat(m.count(T)).isEqualTo(MAX + 1);
    assertThat(m.deleteAll(T, keys.subList(0, MAX - 1))).isEqualTo(MAX - 1);
    assertThat(m.deleteAll(T, keys.subList(1, MAX + 1))).isEqualTo(2); // 10,000 keys
    assertThat(m.count(T)).isZero();
    assertInvalid(() -> m.getAll(T, keys), "getAll got 10001 keys", "limit is 10000", "in parts");
  }

  @BackendTest
  void badKeysAreRefusedBeforeAnythingIsDeleted() {
    for (Memory m : scopes) {
      m.putAll(T, Map.of("a", 1, "b", 2, "k".repeat(Memory.MAX_KEY_LENGTH), 3), null);
      assertInvalid(() -> m.deleteAll(T, Arrays.asList("a", "b", null)), "keys[2] is null");
      assertInvalid(() -> m.deleteAll(T, List.of("a", " ")), "keys[1] is blank");
      assertInvalid(() -> m.deleteAll(T, List.of("a", "")), "keys[1] is blank");
      assertInvalid(
          () -> m.deleteAll(T, List.of("a", "k".repeat(Memory.MAX_KEY_LENGTH + 1))),
          "keys[1] is 513 characters long; the limit is 512");
      assertInvalid(() -> m.deleteAll(T, List.of("a", "b\0")), "keys[1] contains a NUL");
      assertInvalid(() -> m.deleteAll("bad type!", List.of("a")), "memoryType");
      assertThatNullPointerException().isThrownBy(() -> m.deleteAll(T, null));
      assertThat(m.count(T)).as(m.toString()).isEqualTo(3);
      assertThat(
              m.deleteAll(T, List.of("a", "k".repeat(Memory.MAX_KEY_LENGTH - 1), "k".repeat(512))))
          .isEqualTo(2);
    }
  }

  /** The full-text rows go with the entries (SQLite's triggers); recall no longer finds them. */
  @BackendTest
  void theFullTextIndexFollows(TestBackend backend) throws SQLException {
    for (Memory m : scopes) {
      m.putAll(T, Map.of("gone", "vanishing words", "kept", "staying words"), null);
    }
    Map<String, Long> before = indexCounts(backend);
    for (Memory m : scopes) {
      assertThat(m.deleteAll(T, List.of("gone", "never"))).isEqualTo(1);
    }
    if (!backend.isPostgres()) { // PostgreSQL keeps its full-text vector in the row itself
      assertThat(indexCounts(backend))
          .containsEntry("memory_fts", before.get("memory_fts") - 4)
          .containsEntry("memory_docs", before.get("memory_docs") - 4);
    }
    for (Memory m : scopes) {
      assertThat(db.recall(Recall.query("vanishing").scopes(m.scope()).memory())).isEmpty();
      assertThat(db.recall(Recall.query("staying").scopes(m.scope()).memory())).hasSize(1);
    }
  }

  /** A trigger refuses the third key's delete: the two before it roll back. */
  @BackendTest
  void aFailureMidwayLeavesEveryEntry(TestBackend backend) throws SQLException {
    for (Memory m : scopes) {
      m.putAll(T, Map.of("a", 1, "b", 2, "refused", 3, "d", 4), null);
    }
    RefusedDeletes.refuse(backend, "refused");
    Map<String, Long> before = indexCounts(backend);
    for (Memory m : scopes) {
      SwarmDbException e =
          catchThrowableOfType(
              SwarmDbException.class, () -> m.deleteAll(T, List.of("a", "b", "refused", "d")));
      assertThat(e).as(m.toString()).hasMessageContaining(RefusedDeletes.MESSAGE);
      assertThat(m.keys(T)).containsExactly("a", "b", "d", "refused");
    }
    assertThat(indexCounts(backend)).isEqualTo(before);
  }

  @BackendTest
  void aClosedDatabaseDeletesNothing(TestBackend backend) {
    db.memory(Scope.swarm()).putAll(T, Map.of("a", 1, "b", 2), null);
    db.close();
    assertFails(ErrorCode.CLOSED, () -> db.memory(Scope.swarm()).deleteAll(T, List.of("a", "b")));
    assertThat(backend.open(clock).memory(Scope.swarm()).keys(T)).containsExactly("a", "b");
  }

  /**
   * Two databases' writers delete overlapping keys at once: every entry is deleted and counted
   * exactly once (PostgreSQL's second delete waits for the first's row locks, then skips the rows
   * it deleted).
   */
  @BackendTest
  void racingDeletesCountEachEntryOnce(TestBackend backend) throws Exception {
    SwarmDB other = backend.open(clock);
    Memory mine = db.memory(Scope.namespace("docs"));
    Memory theirs = other.memory(Scope.namespace("docs"));
    List<String> keys = IntStream.range(0, 20).mapToObj(i -> "k" + i).toList();
    for (int round = 0; round < 300; round++) { // enough to catch a 1 % race
      Map<String, Object> values = new LinkedHashMap<>();
      keys.forEach(k -> values.put(k, 1));
      mine.putAll(T, values, null);
      List<String> first = keys.subList(0, 15);
      List<String> second = new ArrayList<>(keys.subList(5, 20));
      java.util.Collections.reverse(second);
      List<Integer> deleted =
          Concurrently.run(2, t -> (t == 0 ? mine : theirs).deleteAll(T, t == 0 ? first : second));
      assertThat(deleted.get(0) + deleted.get(1)).as("round %d: %s", round, deleted).isEqualTo(20);
      assertThat(mine.count(T)).isZero();
    }
  }

  private static Map<String, Long> indexCounts(TestBackend backend) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    List<String> tables =
        backend.isPostgres()
            ? List.of("session_memory", "scoped_memory")
            : List.of("session_memory", "scoped_memory", "memory_fts", "memory_docs");
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      for (String t : tables) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
          rs.next();
          out.put(t, rs.getLong(1));
        }
      }
    }
    return out;
  }
}
