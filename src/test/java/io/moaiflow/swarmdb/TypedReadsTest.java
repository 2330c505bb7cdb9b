package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import com.fasterxml.jackson.core.type.TypeReference;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.SqliteOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Every memory read that returns JSON text has a typed twin that maps values as get does. */
class TypedReadsTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
  static final String T = Memory.SEMANTIC;

  record Fact(String name, int weight) {}

  TypedReadsTest() {
    super(T0);
  }

  private List<Memory> scopes() {
    db.sessions().start("s");
    return List.of(
        db.sessions().memory("s"), db.memory(Scope.agent("a")), db.memory(Scope.swarm()));
  }

  @BackendTest
  void typedReadsMapEveryValueToTheCallersType() {
    for (Memory m : scopes()) {
      m.put(T, "f:a", new Fact("alpha", 1));
      clock.advance(Duration.ofMillis(1));
      m.put(T, "f:b", new Fact("beta", 2));
      clock.advance(Duration.ofMillis(1));
      m.put(T, "g:c", new Fact("gamma", 3));
      clock.advance(Duration.ofMillis(1));

      MemoryValue<Fact> a = m.entry(T, "f:a", Fact.class).orElseThrow();
      assertThat(a.value()).isEqualTo(new Fact("alpha", 1));
      assertThat(a.key()).isEqualTo("f:a");
      assertThat(a.entry()).isEqualTo(m.entry(T, "f:a").orElseThrow());
      assertThat(m.entry(T, "missing", Fact.class)).isEmpty();

      assertThat(m.getAll(T, List.of("g:c", "missing", "f:a"), Fact.class))
          .containsOnlyKeys("g:c", "f:a")
          .extractingByKey("g:c")
          .extracting(MemoryValue::value)
          .isEqualTo(new Fact("gamma", 3));
      assertThat(m.getAll(T, List.of("g:c", "f:a"), Fact.class).keySet())
          .containsExactly("g:c", "f:a");
      assertThat(m.findByPrefix(T, "f:", Fact.class))
          .extracting(MemoryValue::value)
          .containsExactly(new Fact("alpha", 1), new Fact("beta", 2));
      assertThat(m.findByGlob(T, "?:[bc]", Fact.class))
          .extracting(MemoryValue::value)
          .containsExactly(new Fact("beta", 2), new Fact("gamma", 3));
      assertThat(m.recent(2, Fact.class))
          .extracting(MemoryValue::key)
          .containsExactly("g:c", "f:b"); // written a millisecond apart: newest first

      m.put(Memory.EPISODIC, "list", List.of(new Fact("x", 9), new Fact("y", 8)));
      assertThat(m.get(Memory.EPISODIC, "list", new TypeReference<List<Fact>>() {}))
          .contains(List.of(new Fact("x", 9), new Fact("y", 8)));
      assertThat(m.get(Memory.EPISODIC, "missing", new TypeReference<List<Fact>>() {})).isEmpty();
      m.put(Memory.EPISODIC, "null", null);
      assertThat(m.entry(Memory.EPISODIC, "null", Fact.class).orElseThrow().value()).isNull();
      assertThat(m.get(Memory.EPISODIC, "null", new TypeReference<List<Fact>>() {})).isEmpty();
      m.clear();
    }
  }

  @BackendTest
  void aValueThatDoesNotFitIsInvalidArgumentNamingTheEntry() {
    for (Memory m : scopes()) {
      m.put(T, "k", "just text");
      m.put(T, "n", Map.of("name", 1, "weight", "heavy"));
      assertInvalid(() -> m.entry(T, "k", Fact.class), "key 'k'", "cannot be read as Fact");
      assertInvalid(() -> m.getAll(T, List.of("k"), Fact.class), "cannot be read as Fact");
      assertInvalid(() -> m.findByPrefix(T, "", Fact.class), "key 'k'", "cannot be read as Fact");
      assertInvalid(() -> m.findByGlob(T, "n", Fact.class), "key 'n'", "cannot be read as Fact");
      assertInvalid(() -> m.recent(10, Fact.class), "cannot be read as Fact");
      assertInvalid(
          () -> m.get(T, "k", new TypeReference<List<Fact>>() {}),
          "key 'k'",
          "cannot be read as List");
      assertThatNullPointerException().isThrownBy(() -> m.entry(T, "k", (Class<Fact>) null));
      assertThatNullPointerException().isThrownBy(() -> m.recent(10, (Class<Fact>) null));
      assertThatNullPointerException().isThrownBy(() -> m.get(T, "k", (TypeReference<Fact>) null));
      m.clear();
    }
  }

  @BackendTest
  @SqliteOnly("PostgreSQL's JSONB column cannot hold damaged text")
  void damagedStoredTextIsCorruptForEveryTypedRead() throws Exception {
    db.sessions().start("s");
    Memory m = db.sessions().memory("s");
    m.put(T, "k", new Fact("alpha", 1));
    PlainSql.damage(
        backend.file(), "UPDATE session_memory SET value = '{\"name\": oops' WHERE key = 'k'");
    for (Runnable read :
        List.<Runnable>of(
            () -> m.entry(T, "k", Fact.class),
            () -> m.getAll(T, List.of("k"), Fact.class),
            () -> m.findByPrefix(T, "k", Fact.class),
            () -> m.findByGlob(T, "k", Fact.class),
            () -> m.recent(1, Fact.class),
            () -> m.get(T, "k", new TypeReference<Fact>() {}))) {
      assertThat(assertFails(ErrorCode.CORRUPT, read::run).getMessage())
          .contains("session_memory row session 's' type 'semantic' key 'k'", "damaged");
    }
  }
}
