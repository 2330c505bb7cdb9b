package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The checks of a {@link Recall} query, each at limit - 1, limit and limit + 1. */
class RecallQueryTest {
  static final Recall Q = Recall.query("connection error");

  @Test
  void defaults() {
    assertThat(Q.text()).isEqualTo("connection error");
    assertThat(Q.words()).containsExactly("connection", "error");
    assertThat(Q.scopeFilter()).isEmpty();
    assertThat(Q.includesMemory()).isTrue();
    assertThat(Q.includesEvents()).isTrue();
    assertThat(Q.maxHits()).isEqualTo(10);
    assertThat(Q.weightList()).containsExactly(1.0, 1.0, 0.2);
    assertThat(Q.semanticSetting()).isNull();
    assertThat(Q.queryVector()).isNull();
    assertThat(Q.memoryTypeFilter()).isNull();
    assertThat(Q.agentFilter()).isNull();
    assertThat(Q.eventTypeFilter()).isNull();
    assertThat(Q.sinceFilter()).isNull();
    assertThat(Q.untilFilter()).isNull();
    assertThat(Q.candidates()).isEqualTo(50);
    assertThat(Q.memory().includesEvents()).isFalse();
    assertThat(Q.events().includesMemory()).isFalse();
    assertThat(Q.toString())
        .isEqualTo(
            "Recall[text=connection error, memory=true, events=true, limit=10, weights=[1.0, 1.0, 0.2]]");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Recall all =
        Q.scopes(Scope.swarm())
            .memory()
            .memoryType("semantic")
            .agent("a1")
            .eventType("error")
            .since(t)
            .until(t.plusSeconds(1))
            .limit(13)
            .weights(2, 0, 0)
            .semantic(true)
            .vector(new float[] {3, 4});
    assertThat(all.toString())
        .isEqualTo(
            "Recall[text=connection error, scopes=[swarm], memory=true, events=false,"
                + " memoryType=semantic, agent=a1, eventType=error, since=2026-01-01T00:00:00Z,"
                + " until=2026-01-01T00:00:01Z, limit=13, weights=[2.0, 0.0, 0.0], semantic=true,"
                + " vector=2 dimensions]");
    assertThat(all.candidates()).isEqualTo(52);
    assertThat(Q.limit(12).candidates()).isEqualTo(50);
    // the query is immutable: every method returned a new one
    assertThat(Q.maxHits()).isEqualTo(10);
    float[] v = {1, 2};
    Recall withV = Q.vector(v);
    v[0] = 9;
    assertThat(withV.queryVector()).containsExactly(1, 2);
    withV.queryVector()[1] = 7;
    assertThat(withV.queryVector()).containsExactly(1, 2);
  }

  @Test
  void wordsAreRunsOfLettersAndDigitsLowerCasedOnce() {
    assertThat(Recall.query("Which agent hit a \"connection\" error? AND agent-7 NEAR(x*)").words())
        .containsExactly(
            "which", "agent", "hit", "a", "connection", "error", "and", "7", "near", "x");
    assertThat(Recall.query("Café naïve 東京 \uD835\uDC00b").words())
        .containsExactly("café", "naïve", "東京", "\uD835\uDC00b");
    assertThat(Recall.query("\"*\" () : ^").words()).isEmpty();
  }

  @Test
  void limitFrom1To1000() {
    assertInvalid(() -> Q.limit(0), "limit is 0", "between 1 and 1000");
    assertThat(Q.limit(1).maxHits()).isEqualTo(1);
    assertThat(Q.limit(2).maxHits()).isEqualTo(2);
    assertThat(Q.limit(999).maxHits()).isEqualTo(999);
    assertThat(Q.limit(1000).maxHits()).isEqualTo(1000);
    assertInvalid(() -> Q.limit(1001), "limit is 1001");
    assertInvalid(() -> Q.limit(-1), "limit is -1");
  }

  @Test
  void weightsFrom0To10NotAllZero() {
    assertInvalid(() -> Q.weights(-0.001, 1, 1), "text weight is -0.001");
    assertThat(Q.weights(0, 1, 1).weightList()).containsExactly(0.0, 1.0, 1.0);
    assertThat(Q.weights(0.001, 1, 1).weightList()).containsExactly(0.001, 1.0, 1.0);
    assertThat(Q.weights(9.999, 10, 10).weightList()).containsExactly(9.999, 10.0, 10.0);
    assertInvalid(() -> Q.weights(1, 10.001, 1), "vector weight is 10.001", "from 0 to 10");
    assertInvalid(() -> Q.weights(1, 1, 10.001), "recency weight is 10.001");
    assertInvalid(() -> Q.weights(Double.NaN, 1, 1), "text weight is NaN");
    assertInvalid(() -> Q.weights(1, Double.NaN, 1), "vector weight is NaN");
    assertInvalid(() -> Q.weights(1, 1, Double.POSITIVE_INFINITY), "recency weight is Infinity");
    assertInvalid(() -> Q.weights(0, 0, 0), "all 0");
    assertThat(Q.weights(0, 0, 0.001).weightList()).containsExactly(0.0, 0.0, 0.001);
  }

  @Test
  void queryTextUpTo4096CharactersAnd64Words() {
    assertThat(Recall.query("a".repeat(4095)).words()).hasSize(1);
    assertThat(Recall.query("a".repeat(4096)).text()).hasSize(4096);
    assertInvalid(() -> Recall.query("a".repeat(4097)), "4097 characters", "limit is 4096");
    assertThat(Recall.query(words(63)).words()).hasSize(63);
    assertThat(Recall.query(words(64)).words()).hasSize(64);
    assertInvalid(() -> Recall.query(words(65)), "65 distinct words", "limit is 64");
    // repeated words count once
    assertThat(Recall.query(words(64) + " " + words(64)).words()).hasSize(64);
    assertInvalid(() -> Recall.query("a\u0000b"), "NUL character at index 1");
    assertInvalid(() -> Recall.query("a\uD800"), "unpaired surrogate at index 1");
    assertInvalid(() -> Recall.query("\uDC00a"), "unpaired surrogate at index 0");
    assertThatThrownBy(() -> Recall.query(null)).isInstanceOf(NullPointerException.class);
  }

  private static String words(int n) {
    return IntStream.range(0, n).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
  }

  @Test
  void scopesFrom1To100() {
    assertInvalid(() -> Q.scopes(), "got 0 scopes");
    assertThat(Q.scopes(scopes(1)).scopeFilter()).hasSize(1);
    assertThat(Q.scopes(scopes(99)).scopeFilter()).hasSize(99);
    assertThat(Q.scopes(scopes(100)).scopeFilter()).hasSize(100);
    assertInvalid(() -> Q.scopes(scopes(101)), "got 101 scopes", "1 to 100");
    assertThat(Q.scopes(Scope.swarm(), Scope.swarm()).scopeFilter()).containsExactly(Scope.swarm());
  }

  private static Scope[] scopes(int n) {
    return IntStream.range(0, n).mapToObj(i -> Scope.agent("a" + i)).toArray(Scope[]::new);
  }

  @Test
  void vectorsOf1To4096FiniteNonZeroNumbers() {
    assertInvalid(() -> Q.vector(new float[0]), "0 dimensions", "1 to 4096");
    assertThat(Q.vector(new float[] {1}).queryVector()).hasSize(1);
    assertThat(Q.vector(ones(4095)).queryVector()).hasSize(4095);
    assertThat(Q.vector(ones(4096)).queryVector()).hasSize(4096);
    assertInvalid(() -> Q.vector(ones(4097)), "4097 dimensions");
    assertInvalid(() -> Q.vector(new float[] {1, Float.NaN}), "NaN at dimension 1");
    assertInvalid(
        () -> Q.vector(new float[] {Float.NEGATIVE_INFINITY}), "-Infinity at dimension 0");
    assertInvalid(() -> Q.vector(new float[] {0, 0}), "all zeros");
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  @Test
  void typeAgentAndWindowChecks() {
    assertThat(Q.memoryType("a".repeat(64)).memoryTypeFilter()).hasSize(64);
    assertInvalid(() -> Q.memoryType("a".repeat(65)), "memoryType", "not a valid type name");
    assertInvalid(() -> Q.memoryType(""), "memoryType '' is not a valid type name");
    assertInvalid(() -> Q.eventType("-x"), "eventType '-x'");
    assertInvalid(() -> Q.eventType("a b"), "eventType 'a b'");
    assertInvalid(() -> Q.eventType("a\nb"), "eventType 'a?b'");
    assertThat(Q.eventType("tool.call:v2-x_y").eventTypeFilter()).isEqualTo("tool.call:v2-x_y");
    assertInvalid(() -> Q.agent(" "), "non-blank id");
    assertThat(Q.agent("a".repeat(511)).agentFilter()).hasSize(511);
    assertThat(Q.agent("a".repeat(512)).agentFilter()).hasSize(512);
    assertInvalid(() -> Q.agent("a".repeat(513)), "513 characters", "at most 512");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(Q.since(t).until(t.plusMillis(1)).untilFilter()).isEqualTo(t.plusMillis(1));
    assertInvalid(() -> Q.since(t).until(t), "is not before until");
    assertInvalid(() -> Q.until(t).since(t.plusMillis(1)), "is not before until");
    assertThat(Q.until(t).since(t.minusMillis(1)).sinceFilter()).isEqualTo(t.minusMillis(1));
  }

  @Test
  void hitsFitTheirKind() {
    MemoryEntry e =
        new MemoryEntry("s", "semantic", "k", "1", 1, Instant.EPOCH, Instant.EPOCH, null);
    RecallHit ok =
        new RecallHit(
            RecallHit.Kind.MEMORY,
            1,
            1,
            -1.0,
            null,
            1,
            Scope.session("s"),
            "semantic",
            "k",
            null,
            "k",
            e,
            null);
    assertThat(ok.entry()).isSameAs(e);
    assertThatThrownBy(
            () ->
                new RecallHit(
                    RecallHit.Kind.EVENT,
                    1,
                    1,
                    -1.0,
                    null,
                    1,
                    Scope.session("s"),
                    "semantic",
                    "k",
                    null,
                    "k",
                    e,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EVENT hit");
    assertThat(List.of(RecallHit.Kind.values())).hasSize(2);
  }
}
