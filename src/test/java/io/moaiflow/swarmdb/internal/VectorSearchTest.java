package io.moaiflow.swarmdb.internal;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import io.moaiflow.swarmdb.internal.VectorRows.Row;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Vector search on both backends: exact top k against a brute-force reference, the quantised path's
 * recall, scope and type filters, expiry, the model and dimension checks and damaged vectors.
 */
class VectorSearchTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final String MODEL = "test-model";
  static final int ALL = Integer.MAX_VALUE; // a threshold that forces the exact path
  static final int Q8 = 0; // and one that forces the quantised path

  private VectorRows rows;

  @BeforeEach
  void open(TestBackend backend) {
    rows = VectorRows.open(backend, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    rows.close();
  }

  /** A random unit vector. */
  static float[] unit(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return normal(v);
  }

  static float[] normal(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    float n = (float) Math.sqrt(s);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / n;
    }
    return out;
  }

  /** The reference: every row scored, fully sorted, best first, ties by scope, type, key. */
  static List<VectorSearch.Hit> bruteForce(
      List<Row> stored, float[] q, Set<Scope> scopes, @Nullable String type, int k) {
    List<VectorSearch.Hit> all = new ArrayList<>();
    for (Row r : stored) {
      if ((scopes.isEmpty() || scopes.contains(r.scope()))
          && (type == null || type.equals(r.memoryType()))
          && (r.expiresAt() == null || r.expiresAt() > NOW.toEpochMilli())) {
        float s = 0;
        for (int i = 0; i < q.length; i++) {
          s += r.unit()[i] * q[i];
        }
        all.add(new VectorSearch.Hit(r.scope(), r.memoryType(), r.key(), s));
      }
    }
    all.sort(
        Comparator.comparingDouble(VectorSearch.Hit::similarity)
            .reversed()
            .thenComparing(h -> h.scope().toString())
            .thenComparing(VectorSearch.Hit::memoryType)
            .thenComparing(VectorSearch.Hit::key));
    return all.subList(0, Math.min(k, all.size()));
  }

  static final List<Scope> SCOPES =
      List.of(
          Scope.session("s1"),
          Scope.session("s2"),
          Scope.agent("coder-1"),
          Scope.swarm(),
          Scope.namespace("user:alice"));

  /** Rows spread over the scopes and two types, a tenth of them expired, a tenth expiring later. */
  static List<Row> spread(Random r, int n, int dim) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Long expires = null;
      if (i % 10 == 3) {
        expires = NOW.toEpochMilli(); // expired at this very millisecond
      } else if (i % 10 == 7) {
        expires = NOW.toEpochMilli() + 60_000;
      }
      out.add(
          new Row(
              SCOPES.get(i % SCOPES.size()),
              i % 3 == 0 ? "episodic" : "semantic",
              "k" + i,
              unit(r, dim),
              expires));
    }
    return out;
  }

  @BackendTest
  void exactTopKIsTheBruteForceTopK() {
    Random r = new Random(7);
    List<Row> stored = spread(r, 600, 32);
    rows.record(MODEL, 32).putAll(stored, MODEL);
    List<Set<Scope>> filters =
        List.of(
            Set.of(),
            Set.of(Scope.agent("coder-1")),
            Set.of(Scope.session("s2"), Scope.swarm()),
            new LinkedHashSet<>(SCOPES));
    for (int q = 0; q < 10; q++) {
      float[] query = unit(r, 32);
      for (Set<Scope> scopes : filters) {
        for (String type : Arrays.asList(null, "episodic")) {
          for (int k : new int[] {1, 10, 119, 120, 121, 10_000}) {
            List<VectorSearch.Hit> expected = bruteForce(stored, query, scopes, type, k);
            assertThat(rows.search(query, scopes, type, k, ALL))
                .as("scopes %s type %s k %d", scopes, type, k)
                .isEqualTo(expected);
            assertThat(rows.search(query, scopes, type, k))
                .as("below the threshold the public search is the exact one")
                .isEqualTo(expected);
          }
        }
      }
    }
    // the expired tenth is never found, the later-expiring tenth is
    List<VectorSearch.Hit> every = rows.search(unit(r, 32), Set.of(), null, 10_000, ALL);
    assertThat(every).hasSize(540);
    assertThat(every).noneMatch(h -> Integer.parseInt(h.key().substring(1)) % 10 == 3);
    assertThat(every).anyMatch(h -> Integer.parseInt(h.key().substring(1)) % 10 == 7);
  }

  @BackendTest
  void theQuantisedPathOnASmallSetFindsTheExactTopTen() {
    Random r = new Random(11);
    List<Row> stored = spread(r, 600, 64);
    rows.record(MODEL, 64).putAll(stored, MODEL);
    for (int q = 0; q < 20; q++) {
      float[] query = unit(r, 64);
      for (Set<Scope> scopes : List.of(Set.<Scope>of(), Set.of(Scope.swarm()))) {
        List<VectorSearch.Hit> exact = rows.search(query, scopes, null, 10, ALL);
        List<VectorSearch.Hit> quantised = rows.search(query, scopes, null, 10, Q8);
        // 100 candidates re-ranked out of at most 540: the same hits, scored exactly
        assertThat(quantised).isEqualTo(exact);
      }
    }
  }

  /**
   * The quantised path against the exact one on 20,000 vectors of 384 dimensions in 20 clusters of
   * about 1,000 (so that near neighbours are close and int8 rounding matters), 100 queries near the
   * clusters.
   */
  @BackendTest
  void quantisedRecallAtTenIsAtLeast99Percent(TestBackend backend) {
    int n = 20_000;
    int dim = 384;
    Random r = new Random(20_261_201);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 20; c++) {
      centres.add(unit(r, dim));
    }
    List<Row> stored = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      stored.add(
          new Row(
              SCOPES.get(i % SCOPES.size()),
              "semantic",
              "note-" + i,
              near(r, centres.get(r.nextInt(centres.size())), 0.35f),
              null));
    }
    rows.record(MODEL, dim);
    for (int from = 0; from < n; from += 2_000) {
      rows.putAll(stored.subList(from, from + 2_000), MODEL);
    }
    int found = 0;
    long exactNanos = 0;
    long quantisedNanos = 0;
    for (int q = 0; q < 100; q++) {
      float[] query = near(r, centres.get(r.nextInt(centres.size())), 0.35f);
      long t0 = System.nanoTime();
      List<VectorSearch.Hit> exact = rows.search(query, Set.of(), null, 10, ALL);
      long t1 = System.nanoTime();
      List<VectorSearch.Hit> quantised = rows.search(query, Set.of(), null, 10, Q8);
      long t2 = System.nanoTime();
      exactNanos += t1 - t0;
      quantisedNanos += t2 - t1;
      assertThat(exact).hasSize(10);
      Set<String> want = new HashSet<>();
      exact.forEach(h -> want.add(h.scope() + "/" + h.key()));
      for (VectorSearch.Hit h : quantised) {
        if (want.contains(h.scope() + "/" + h.key())) {
          found++;
        }
      }
    }
    double recall = found / 1_000.0;
    System.out.printf(
        "[%s] quantised recall@10 over %d x %d, 100 queries: %.4f; mean exact %.1f ms,"
            + " quantised %.1f ms%n",
        backend.kind().label(), n, dim, recall, exactNanos / 100 / 1e6, quantisedNanos / 100 / 1e6);
    assertThat(recall).isGreaterThanOrEqualTo(0.99);
  }

  /** A unit vector near {@code centre}: the centre plus Gaussian noise of {@code spread} a norm. */
  static float[] near(Random r, float[] centre, float spread) {
    float[] v = new float[centre.length];
    double scale = spread / Math.sqrt(centre.length);
    for (int i = 0; i < v.length; i++) {
      v[i] = centre[i] + (float) (r.nextGaussian() * scale);
    }
    return normal(v);
  }

  /**
   * The public search takes the quantised path above {@link VectorSearch#QUANTISED_THRESHOLD}
   * candidates, seen through a damaged int8 vector that only that path reads: at the threshold - 1
   * and at it the exact scan answers, one row more and the quantised scan reports the damage. The
   * candidates are the searched scope's rows: other scopes do not count.
   */
  @BackendTest
  void thePublicSearchTurnsQuantisedOneRowAboveTheThreshold() {
    int t = VectorSearch.QUANTISED_THRESHOLD;
    Random r = new Random(13);
    rows.record(MODEL, 4);
    Scope big = Scope.namespace("big");
    List<Row> batch = new ArrayList<>();
    for (int i = 0; i < t - 1; i++) {
      batch.add(new Row(big, "semantic", "k" + i, unit(r, 4), null));
      batch.add(new Row(Scope.swarm(), "semantic", "k" + i, unit(r, 4), null));
    }
    rows.putAll(batch, MODEL);
    rows.damage(big, "semantic", "k0", "embedding_q8", new byte[3]);
    // the row scan, and the in-memory index (its own count of live candidates decides; built
    // after the damage, it keeps it as damage)
    VectorIndex index = new VectorIndex(SwarmDbConfig.DEFAULT_VECTOR_INDEX_BYTES);
    float[] q = unit(r, 4);
    assertThat(rows.search(q, Set.of(big), null, 10)).hasSize(10); // t - 1 candidates
    assertThat(rows.search(index, q, Set.of(big), null, 10, t)).hasSize(10);
    rows.put(big, "semantic", "one-more", unit(r, 4));
    assertThat(rows.search(q, Set.of(big), null, 10)).hasSize(10); // t
    assertThat(rows.search(index, q, Set.of(big), null, 10, t)).hasSize(10);
    assertThat(rows.search(q, Set.of(big), "semantic", 10)).hasSize(10);
    rows.put(big, "semantic", "and-another", unit(r, 4));
    for (SwarmDbException e :
        List.of(
            assertFails(ErrorCode.CORRUPT, () -> rows.search(q, Set.of(big), null, 10)), // t + 1
            assertFails(
                ErrorCode.CORRUPT, () -> rows.search(index, q, Set.of(big), null, 10, t)))) {
      assertThat(e.getMessage()).contains("scope 'ns:big'", "key 'k0'", "embedding_q8 of 3 bytes");
    }
    // another type of the same scope is not a candidate
    rows.put(big, "episodic", "e", unit(r, 4));
    assertThat(rows.search(q, Set.of(big), "episodic", 10)).hasSize(1);
  }

  @BackendTest
  void aFilteredSearchReturnsOnlyItsScopesAndType() {
    float[] v = normal(new float[] {1, 0, 0, 0});
    rows.record(MODEL, 4);
    for (Scope s : SCOPES) {
      rows.put(s, "semantic", "same", v);
      rows.put(s, "episodic", "same", v);
    }
    for (Scope s : SCOPES) {
      for (int threshold : new int[] {ALL, Q8}) {
        assertThat(rows.search(v, Set.of(s), null, 10, threshold))
            .extracting(VectorSearch.Hit::scope, VectorSearch.Hit::memoryType)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(s, "episodic"),
                org.assertj.core.groups.Tuple.tuple(s, "semantic"));
        assertThat(rows.search(v, Set.of(s), "semantic", 10, threshold))
            .extracting(VectorSearch.Hit::scope, VectorSearch.Hit::memoryType)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(s, "semantic"));
      }
    }
    // ties are broken by scope (its written form), then type, then key
    assertThat(rows.search(v, Set.of(), "semantic", 10))
        .extracting(h -> h.scope().toString())
        .containsExactly("agent:coder-1", "ns:user:alice", "session:s1", "session:s2", "swarm");
    assertThat(rows.search(v, Set.of(Scope.agent("nobody"), Scope.session("none")), null, 10))
        .isEmpty();
    assertThat(rows.search(v, Set.of(), null, 10).get(0).similarity()).isCloseTo(1.0, within(1e-6));
  }

  @BackendTest
  void onlyTheRecordedModelsVectorsAreSearched() {
    Random r = new Random(3);
    float[] v = unit(r, 8);
    assertThat(rows.search(v, Set.of(), null, 10))
        .as("no model recorded: nothing stored")
        .isEmpty();
    rows.record(MODEL, 8);
    rows.put(Scope.swarm(), "semantic", "mine", v);
    rows.putAll(List.of(new Row(Scope.swarm(), "semantic", "theirs", v, null)), "other-model");
    rows.putAll(List.of(new Row(Scope.session("s1"), "semantic", "theirs", v, null)), "other");
    for (int threshold : new int[] {ALL, Q8}) {
      assertThat(rows.search(v, Set.of(), null, 10, threshold))
          .extracting(VectorSearch.Hit::key)
          .containsExactly("mine");
    }
    SwarmDbException e =
        assertInvalid(
            () -> rows.search(unit(r, 9), Set.of(), null, 10), "9 dimensions", "test-model", "8");
    assertThat(e.getMessage()).contains("embed the query with that model");
  }

  @BackendTest
  void dimensionsFromOneTo4096AreSearched() {
    rows.record(MODEL, 1);
    rows.put(Scope.swarm(), "semantic", "plus", new float[] {1});
    rows.put(Scope.swarm(), "semantic", "minus", new float[] {-1});
    assertThat(rows.search(new float[] {-1}, Set.of(), null, 10))
        .extracting(VectorSearch.Hit::key, VectorSearch.Hit::similarity)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("minus", 1.0),
            org.assertj.core.groups.Tuple.tuple("plus", -1.0));
    Random r = new Random(5);
    float[] big = unit(r, Vectors.MAX_DIMENSION);
    rows.record(MODEL + "-4096", Vectors.MAX_DIMENSION);
    rows.put(Scope.agent("a"), "semantic", "big", big);
    rows.put(Scope.agent("a"), "semantic", "other", unit(r, Vectors.MAX_DIMENSION));
    for (int threshold : new int[] {ALL, Q8}) {
      assertThat(rows.search(big, Set.of(Scope.agent("a")), null, 1, threshold))
          .extracting(VectorSearch.Hit::key)
          .containsExactly("big");
    }
    assertInvalid(
        () -> rows.search(new float[Vectors.MAX_DIMENSION + 1], Set.of(), null, 10),
        "4097 dimensions",
        "1 to 4096");
    assertInvalid(() -> rows.search(new float[0], Set.of(), null, 10), "0 dimensions");
  }

  @BackendTest
  void badArgumentsAreRefusedBeforeAnyRead() {
    float[] v = normal(new float[] {1, 2, 3, 4});
    rows.record(MODEL, 4);
    rows.put(Scope.swarm(), "semantic", "k", v);
    assertThat(rows.search(v, Set.of(), null, Checks.MAX_LIMIT)).hasSize(1);
    assertThat(rows.search(v, Set.of(), null, Checks.MAX_LIMIT - 1)).hasSize(1);
    assertInvalid(() -> rows.search(v, Set.of(), null, Checks.MAX_LIMIT + 1), "limit is 10001");
    assertInvalid(() -> rows.search(v, Set.of(), null, 0), "limit is 0");
    assertInvalid(
        () -> rows.search(new float[] {1, 1, 0, 0}, Set.of(), null, 10),
        "length 1.41",
        "normalise it first");
    assertInvalid(
        () -> rows.search(new float[] {Float.NaN, 0, 0, 0}, Set.of(), null, 10),
        "NaN at dimension 0");
    assertInvalid(() -> rows.search(v, Set.of(), "bad type!", 10), "memoryType");
    Set<Scope> many = new HashSet<>();
    for (int i = 0; i < VectorSearch.MAX_SCOPES - 1; i++) {
      many.add(Scope.namespace("n" + i));
    }
    many.add(Scope.swarm());
    assertThat(rows.search(v, many, null, 10)).hasSize(1); // at the limit
    many.remove(Scope.swarm());
    assertThat(rows.search(v, many, null, 10)).isEmpty(); // one below it
    many.add(Scope.swarm());
    many.add(Scope.agent("one-more"));
    assertInvalid(() -> rows.search(v, many, null, 10), "1001 scopes", "limit is 1000");
    Set<Scope> withNull = new HashSet<>(Arrays.asList(Scope.swarm(), null));
    assertInvalid(() -> rows.search(v, withNull, null, 10), "null");
  }

  @BackendTest
  void aDamagedVectorIsCorruptNamingItsRow() {
    float[] v = normal(new float[] {1, 2, 3, 4});
    rows.record(MODEL, 4);
    rows.put(Scope.agent("a"), "semantic", "good", v);
    rows.put(Scope.agent("a"), "semantic", "bad", v);
    rows.put(Scope.session("s1"), "semantic", "bad", v);
    rows.damage(Scope.agent("a"), "semantic", "bad", "embedding", new byte[10]);
    SwarmDbException e =
        assertFails(
            ErrorCode.CORRUPT, () -> rows.search(v, Set.of(Scope.agent("a")), null, 10, ALL));
    assertThat(e.getMessage())
        .contains(
            "scoped_memory row scope 'agent:a' type 'semantic' key 'bad'",
            "10 bytes",
            "4 dimensions need 16");
    // the quantised scan reads the other column; the re-ranking then finds the damage
    e =
        assertFails(
            ErrorCode.CORRUPT, () -> rows.search(v, Set.of(Scope.agent("a")), null, 10, Q8));
    assertThat(e.getMessage()).contains("scoped_memory row scope 'agent:a'", "key 'bad'");
    rows.damage(Scope.agent("a"), "semantic", "bad", "embedding", null);
    e =
        assertFails(
            ErrorCode.CORRUPT, () -> rows.search(v, Set.of(Scope.agent("a")), null, 10, ALL));
    assertThat(e.getMessage()).contains("key 'bad'", "no embedding");
    rows.damage(Scope.session("s1"), "semantic", "bad", "embedding_q8", new byte[7]);
    e =
        assertFails(
            ErrorCode.CORRUPT, () -> rows.search(v, Set.of(Scope.session("s1")), null, 10, Q8));
    assertThat(e.getMessage())
        .contains(
            "session_memory row session 's1' type 'semantic' key 'bad'",
            "embedding_q8 of 7 bytes",
            "need 8");
    rows.damage(Scope.session("s1"), "semantic", "bad", "embedding_q8", null);
    e =
        assertFails(
            ErrorCode.CORRUPT, () -> rows.search(v, Set.of(Scope.session("s1")), null, 10, Q8));
    assertThat(e.getMessage()).contains("embedding_q8 of no bytes");
    // the exact path does not read the damaged int8 column
    assertThat(rows.search(v, Set.of(Scope.session("s1")), null, 10, ALL)).hasSize(1);
  }

  @BackendTest
  void damagedSettingsOrScopesAreCorrupt() {
    float[] v = normal(new float[] {1, 2, 3, 4});
    rows.record(MODEL, 4);
    rows.put(Scope.swarm(), "semantic", "k", v);
    for (String bad : new String[] {"four", "0", "4097"}) {
      rows.setting("embedding_dimension", bad);
      SwarmDbException e = assertFails(ErrorCode.CORRUPT, () -> rows.search(v, Set.of(), null, 10));
      assertThat(e.getMessage()).contains("embedding_dimension '" + bad + "'", "test-model");
    }
    rows.db.write(
        "test.setting",
        h ->
            h.prepare("DELETE FROM swarm_settings WHERE name = 'embedding_dimension'")
                .executeUpdate());
    assertThat(assertFails(ErrorCode.CORRUPT, () -> rows.search(v, Set.of(), null, 10)))
        .hasMessageContaining("embedding_dimension missing");
    rows.record(MODEL, 4);
    rows.db.write(
        "test.scope",
        h -> h.prepare("UPDATE scoped_memory SET scope = 'nonsense'").executeUpdate());
    SwarmDbException e = assertFails(ErrorCode.CORRUPT, () -> rows.search(v, Set.of(), null, 10));
    assertThat(e.getMessage()).contains("scoped_memory row scope 'nonsense'", "agent:ID");
    rows.db.write(
        "test.scope",
        h -> h.prepare("UPDATE scoped_memory SET scope = 'session:x'").executeUpdate());
    e = assertFails(ErrorCode.CORRUPT, () -> rows.search(v, Set.of(), null, 10));
    assertThat(e.getMessage()).contains("scope 'session:x'");
  }
}
