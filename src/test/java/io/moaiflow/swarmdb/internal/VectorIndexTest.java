package io.moaiflow.swarmdb.internal;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static io.moaiflow.swarmdb.internal.VectorSearchTest.MODEL;
import static io.moaiflow.swarmdb.internal.VectorSearchTest.NOW;
import static io.moaiflow.swarmdb.internal.VectorSearchTest.SCOPES;
import static io.moaiflow.swarmdb.internal.VectorSearchTest.spread;
import static io.moaiflow.swarmdb.internal.VectorSearchTest.unit;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import io.moaiflow.swarmdb.internal.VectorRows.Row;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-memory vector index on both backends: the same hits as the row scan, in step with writes
 * by this and another open database (puts, deletes, updates, erasure, many changes at once), a
 * transaction older than the index, the byte budget at its limit, damage, and searches while
 * another database writes.
 */
class VectorIndexTest {
  static final int Q8 = 0; // a threshold that forces the quantised path
  static final int ALL = Integer.MAX_VALUE; // and one that forces the exact one

  private TestBackend backend;
  private VectorRows rows;
  private VectorRows other;

  @BeforeEach
  void open(TestBackend backend) {
    this.backend = backend;
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    rows = VectorRows.open(backend, clock);
    other = VectorRows.open(backend, clock); // a second open database: another process's writes
  }

  @AfterEach
  void close() {
    rows.close();
    other.close();
  }

  /** {@return an index of the default budget, as an open database starts with} */
  private static VectorIndex fresh() {
    return new VectorIndex(SwarmDbConfig.DEFAULT_VECTOR_INDEX_BYTES);
  }

  /** Records the model on both open databases (their puts tag vectors with it). */
  private VectorRows record(int dim) {
    other.record(MODEL, dim);
    return rows.record(MODEL, dim);
  }

  /** Every search through the index equals the row scan's, quantised and exact. */
  private void assertSame(VectorIndex index, float[] q, Set<Scope> scopes, String type, int k) {
    assertThat(rows.search(index, q, scopes, type, k, Q8))
        .as("quantised, scopes %s type %s k %d", scopes, type, k)
        .isEqualTo(rows.search(q, scopes, type, k, Q8));
    assertThat(rows.search(index, q, scopes, type, k, ALL))
        .as("exact, scopes %s type %s k %d", scopes, type, k)
        .isEqualTo(rows.search(q, scopes, type, k, ALL));
  }

  @BackendTest
  void theIndexFindsWhatTheRowScanFinds() {
    Random r = new Random(3);
    List<Row> stored = spread(r, 3_000, 24);
    record(24).putAll(stored, MODEL);
    rows.putAll(List.of(new Row(Scope.swarm(), "semantic", "old", unit(r, 24), null)), "old-model");
    VectorIndex index = fresh();
    List<Set<Scope>> filters =
        List.of(
            Set.of(),
            Set.of(Scope.agent("coder-1")),
            Set.of(Scope.session("s2"), Scope.swarm()),
            new LinkedHashSet<>(SCOPES),
            Set.of(Scope.namespace("nobody")));
    for (int i = 0; i < 8; i++) {
      float[] q = unit(r, 24);
      for (Set<Scope> scopes : filters) {
        for (String type : Arrays.asList(null, "episodic", "none-such")) {
          for (int k : new int[] {1, 10, 50}) {
            assertSame(index, q, scopes, type, k);
          }
        }
      }
    }
    assertThat(index.builds()).as("built once, then read as it is").isEqualTo(1);
    assertThat(index.size()).as("every row of the model, expired ones too").isEqualTo(3_000);
    assertThat(index.offReason()).isNull();
  }

  @BackendTest
  void theIndexFollowsTheWritesOfEveryOpenDatabase() {
    Random r = new Random(5);
    record(16).putAll(spread(r, 600, 16), MODEL);
    VectorIndex index = fresh();
    float[] q = unit(r, 16);
    assertSame(index, q, Set.of(), null, 10);
    // a put by the other database: the query's own vector comes first
    other.put(Scope.namespace("late"), "semantic", "twin", q);
    List<VectorSearch.Hit> hits = rows.search(index, q, Set.of(), null, 10, Q8);
    assertThat(hits.get(0).key()).isEqualTo("twin");
    assertSame(index, q, Set.of(), null, 10);
    // an update that changes the version (as every put does) moves a row's vector
    String update =
        "UPDATE scoped_memory SET embedding = ?, embedding_q8 = ?, version = version + 1"
            + " WHERE scope = 'agent:coder-1' AND memory_type = 'semantic' AND key = 'k2'";
    other.db.write(
        "test.update",
        h -> {
          float[] near = VectorSearchTest.normal(Arrays.copyOf(q, 16));
          return h.prepare(update, Vectors.encode(near), Vectors.quantise(near)).executeUpdate();
        });
    assertThat(rows.search(index, q, Set.of(Scope.agent("coder-1")), null, 1, Q8).get(0).key())
        .isEqualTo("k2");
    assertSame(index, q, Set.of(), null, 10);
    // a delete
    other.db.write(
        "test.delete",
        h -> h.prepare("DELETE FROM scoped_memory WHERE key = 'twin'").executeUpdate());
    assertThat(rows.search(index, q, Set.of(), null, 10, Q8))
        .noneMatch(h -> h.key().equals("twin"));
    assertSame(index, q, Set.of(), null, 10);
    assertThat(index.builds()).as("changes applied, not rebuilt").isEqualTo(1);
    // erasing a session removes history: a new removal token, and the index is built again
    other.db.daos().sessions().erase("s1");
    assertSame(index, q, Set.of(), null, 10);
    assertSame(index, q, Set.of(Scope.session("s1")), null, 10);
    assertThat(rows.search(index, q, Set.of(Scope.session("s1")), null, 10, Q8)).isEmpty();
    assertThat(index.builds()).isEqualTo(2);
  }

  /**
   * {@link VectorIndex#MAX_CHANGES} - 1 and {@link VectorIndex#MAX_CHANGES} changes are applied;
   * one more and it is rebuilt.
   */
  @BackendTest
  void manyChangesAtOnceRebuildTheIndex() {
    Random r = new Random(7);
    record(4).putAll(spread(r, 50, 4), MODEL);
    VectorIndex index = fresh();
    float[] q = unit(r, 4);
    assertSame(index, q, Set.of(), null, 10);
    int max = VectorIndex.MAX_CHANGES;
    other.putAll(batch(r, "z", max - 1), MODEL);
    assertSame(index, q, Set.of(), null, 10);
    assertThat(index.builds()).isEqualTo(1);
    assertThat(index.size()).isEqualTo(50 + max - 1);
    other.putAll(batch(r, "a", max), MODEL);
    assertSame(index, q, Set.of(), null, 10);
    assertThat(index.builds()).isEqualTo(1);
    assertThat(index.size()).isEqualTo(50 + 2 * max - 1);
    other.putAll(batch(r, "b", max + 1), MODEL);
    assertSame(index, q, Set.of(), null, 10);
    assertThat(index.builds()).isEqualTo(2);
    assertThat(index.size()).isEqualTo(50 + 3 * max);
  }

  private static List<Row> batch(Random r, String prefix, int n) {
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Row(Scope.namespace("bulk"), "semantic", prefix + i, unit(r, 4), null));
    }
    return out;
  }

  /**
   * A search whose position is older than the index's does not use it: it reads the rows, at its
   * own position. Reads run statement by statement, so the test holds one snapshot explicitly (a
   * deferred transaction on SQLite, REPEATABLE READ on PostgreSQL) while another thread's search
   * moves the index past it.
   */
  @BackendTest
  void aTransactionOlderThanTheIndexReadsTheRows() {
    Random r = new Random(9);
    record(8).putAll(spread(r, 300, 8), MODEL);
    VectorIndex index = fresh();
    float[] q = unit(r, 8);
    List<VectorSearch.Hit> before = rows.search(index, q, Set.of(), null, 5, Q8);
    boolean pg = backend.isPostgres();
    List<List<VectorSearch.Hit>> seen =
        rows.db.read(
            "test.old",
            h -> {
              h.execute(pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
              try {
                List<VectorSearch.Hit> first =
                    VectorSearch.search(h, index, q, Set.of(), null, 5, Q8); // snapshot taken
                other.put(Scope.swarm(), "semantic", "newer", q);
                // another thread's search moves the index past this transaction
                List<VectorSearch.Hit> moved =
                    CompletableFuture.supplyAsync(
                            () -> rows.search(index, q, Set.of(), null, 5, Q8))
                        .orTimeout(30, TimeUnit.SECONDS)
                        .join();
                List<VectorSearch.Hit> again =
                    VectorSearch.search(h, index, q, Set.of(), null, 5, Q8);
                List<VectorSearch.Hit> scanned = VectorSearch.search(h, q, Set.of(), null, 5);
                return List.of(first, moved, again, scanned);
              } finally {
                h.execute("COMMIT");
              }
            });
    assertThat(seen.get(0)).isEqualTo(before);
    assertThat(seen.get(1).get(0).key()).isEqualTo("newer");
    assertThat(seen.get(2)).as("the old transaction's own snapshot").isEqualTo(before);
    assertThat(seen.get(3)).isEqualTo(before);
    assertThat(index.builds()).isEqualTo(1);
    assertThat(rows.search(index, q, Set.of(), null, 5, Q8).get(0).key()).isEqualTo("newer");
  }

  /** The bytes of {@code n} entries of {@code dim} dimensions keyed k0 to k(n-1). */
  private static long need(int n, int dim) {
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      bytes +=
          dim + VectorIndex.SLOT_OVERHEAD + 2L * ("k" + i).length() + VectorIndex.ENTRY_OVERHEAD;
    }
    return bytes;
  }

  @BackendTest
  void theBudgetHoldsAtItsLimit() {
    Random r = new Random(11);
    List<Row> stored = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      stored.add(new Row(Scope.swarm(), "semantic", "k" + i, unit(r, 8), null));
    }
    record(8).putAll(stored, MODEL);
    long need = need(100, 8);
    float[] q = unit(r, 8);
    VectorIndex under = new VectorIndex(need - 1);
    assertSame(under, q, Set.of(), null, 10); // the rows are read instead
    assertThat(under.offReason())
        .contains("vectorIndexBytes " + (need - 1), "at least " + need, "first 100 entries");
    assertThat(under.size()).isZero();
    for (long budget : new long[] {need, need + 1}) {
      VectorIndex fits = new VectorIndex(budget);
      assertSame(fits, q, Set.of(), null, 10);
      assertThat(fits.offReason()).isNull();
      assertThat(fits.bytes()).isEqualTo(need);
      assertThat(fits.size()).isEqualTo(100);
    }
    // the write side: one more entry, k100, put by another database, against budgets at the
    // limit the 101 entries need - 1, at it and + 1, and at what the 100 needed
    long more = need(101, 8);
    VectorIndex full = new VectorIndex(need);
    VectorIndex[] around = {
      new VectorIndex(more - 1), new VectorIndex(more), new VectorIndex(more + 1)
    };
    assertSame(full, q, Set.of(), null, 10);
    for (VectorIndex i : around) {
      assertSame(i, q, Set.of(), null, 10);
      assertThat(i.offReason()).isNull();
    }
    other.put(Scope.swarm(), "semantic", "k100", q);
    assertSame(full, q, Set.of(), null, 10);
    assertThat(full.offReason()).contains("vectorIndexBytes " + need);
    assertThat(rows.search(full, q, Set.of(), null, 1, Q8).get(0).key()).isEqualTo("k100");
    assertSame(around[0], q, Set.of(), null, 10);
    assertThat(around[0].offReason()).contains("vectorIndexBytes " + (more - 1));
    for (VectorIndex fits : new VectorIndex[] {around[1], around[2]}) {
      assertThat(rows.search(fits, q, Set.of(), null, 1, Q8).get(0).key()).isEqualTo("k100");
      assertThat(fits.offReason()).isNull();
      assertThat(fits.bytes()).isEqualTo(more);
      assertThat(fits.size()).isEqualTo(101);
      assertThat(fits.builds()).as("the entry was applied, not rebuilt").isEqualTo(1);
    }
    VectorIndex none = new VectorIndex(0);
    assertSame(none, q, Set.of(), null, 10);
    assertThat(none.offReason()).isEqualTo("vectorIndexBytes is 0");
    assertThat(none.builds()).isZero();
  }

  @BackendTest
  void theBudgetSettingIsChecked(@TempDir Path dir) {
    Path file = dir.resolve("x.db");
    assertThat(SwarmDbConfig.builder(file).build().vectorIndexBytes())
        .isEqualTo(SwarmDbConfig.DEFAULT_VECTOR_INDEX_BYTES)
        .isEqualTo(128L * 1024 * 1024);
    assertThat(SwarmDbConfig.builder(file).vectorIndexBytes(0).build().vectorIndexBytes()).isZero();
    assertThat(SwarmDbConfig.builder(file).vectorIndexBytes(1).build().toString())
        .contains("vectorIndexBytes=1");
    assertInvalid(
        () -> SwarmDbConfig.builder(file).vectorIndexBytes(-1).build(), "vectorIndexBytes", "-1");
  }

  @BackendTest
  void aDamagedInt8VectorFailsOnlyTheSearchesThatScoreIt() {
    Random r = new Random(13);
    record(4);
    rows.put(Scope.agent("a"), "semantic", "good", unit(r, 4));
    rows.put(Scope.agent("a"), "semantic", "bad", unit(r, 4));
    rows.put(Scope.swarm(), "semantic", "fine", unit(r, 4));
    rows.damage(Scope.agent("a"), "semantic", "bad", "embedding_q8", new byte[5]);
    VectorIndex index = fresh();
    float[] q = unit(r, 4);
    for (Set<Scope> scopes : List.of(Set.<Scope>of(), Set.of(Scope.agent("a")))) {
      SwarmDbException fromIndex =
          assertFails(ErrorCode.CORRUPT, () -> rows.search(index, q, scopes, null, 10, Q8));
      SwarmDbException fromRows =
          assertFails(ErrorCode.CORRUPT, () -> rows.search(q, scopes, null, 10, Q8));
      assertThat(fromIndex.getMessage())
          .isEqualTo(fromRows.getMessage())
          .contains("scope 'agent:a'", "key 'bad'", "embedding_q8 of 5 bytes", "need 8");
    }
    assertSame(index, q, Set.of(Scope.swarm()), null, 10);
    assertSame(index, q, Set.of(Scope.agent("a")), "episodic", 10);
    // the exact path does not read the int8 column
    assertThat(rows.search(index, q, Set.of(Scope.agent("a")), null, 10, ALL)).hasSize(2);
    // putting the entry again mends it
    other.put(Scope.agent("a"), "semantic", "bad2", unit(r, 4));
    other.db.write(
        "test.mend",
        h ->
            h.prepare(
                    "UPDATE scoped_memory SET embedding_q8 = ?, version = version + 1"
                        + " WHERE key = 'bad'",
                    Vectors.quantise(q))
                .executeUpdate());
    assertThat(rows.search(index, q, Set.of(Scope.agent("a")), null, 10, Q8)).hasSize(3);
    assertThat(index.builds()).isEqualTo(1);
  }

  /**
   * Searches on four threads while another database puts one entry a transaction: none fails, and
   * afterwards the index gives the row scan's hits. Five rounds.
   */
  @BackendTest
  void searchesWhileAnotherDatabaseWrites() throws Exception {
    Random r = new Random(17);
    record(8).putAll(spread(r, 400, 8), MODEL);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      for (int round = 0; round < 5; round++) {
        VectorIndex index = fresh();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        int from = round * 60;
        work.add(
            pool.submit(
                () -> {
                  start.await();
                  Random w = new Random(from);
                  for (int i = 0; i < 60; i++) {
                    other.put(Scope.namespace("live"), "semantic", "w" + (from + i), unit(w, 8));
                  }
                  return null;
                }));
        for (int t = 0; t < 4; t++) {
          long seed = round * 10L + t;
          work.add(
              pool.submit(
                  () -> {
                    start.await();
                    Random s = new Random(seed);
                    for (int i = 0; i < 40; i++) {
                      assertThat(rows.search(index, unit(s, 8), Set.of(), null, 10, Q8))
                          .hasSize(10);
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> f : work) {
          f.get(120, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 5; i++) {
          assertSame(index, unit(r, 8), Set.of(), null, 10);
        }
        assertThat(index.size()).isEqualTo(400 + (round + 1) * 60);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
