package io.moaiflow.swarmdb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.offset;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.WordHashEmbedder;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.RefusedDeletes;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SwarmDbEmbeddingStore} adds to LangChain4j's contract ({@code
 * SwarmDbEmbeddingStoreContractTest}): filters whose matches rank far down, limits, scopes, the
 * one-model rule and damaged entries.
 */
class SwarmDbEmbeddingStoreTest {

  /** A unit vector in the plane of dimensions 0 and 1, at {@code degrees} from the query. */
  static Embedding at(double degrees) {
    double r = Math.toRadians(degrees);
    return Embedding.from(new float[] {(float) Math.cos(r), (float) Math.sin(r), 0, 0});
  }

  static EmbeddingSearchRequest nearest(int maxResults, Filter filter) {
    return EmbeddingSearchRequest.builder()
        .queryEmbedding(at(0))
        .maxResults(maxResults)
        .filter(filter)
        .build();
  }

  static SwarmDbEmbeddingStore store(SwarmDB db) {
    return SwarmDbEmbeddingStore.builder(db).vectorModel("plane-4").build();
  }

  /**
   * {@code count} segments at growing angles from the query (so ranked in id order), each with
   * metadata {@code rank}; those whose rank {@code tagged} accepts also carry {@code tag=rare}.
   */
  static void fill(SwarmDbEmbeddingStore store, int count, IntPredicate tagged) {
    List<String> ids = new ArrayList<>();
    List<Embedding> embeddings = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("e%05d", i));
      embeddings.add(at(170.0 * i / count));
      Metadata m = new Metadata().put("rank", i);
      if (tagged.test(i)) {
        m.put("tag", "rare");
      }
      segments.add(TextSegment.from("segment " + i, m));
    }
    store.addAll(ids, embeddings, segments);
  }

  static List<String> ids(List<EmbeddingMatch<TextSegment>> matches) {
    return matches.stream().map(EmbeddingMatch::embeddingId).toList();
  }

  /**
   * The three segments a filter passes are the farthest of 1,200: past the 1,000 nearest recall
   * gives, so the store ranks the whole store exactly, and still finds all three, best first.
   */
  @BackendTest
  void aSelectiveFilterFindsMatchesThatRankLast(TestBackend backend) {
    SwarmDbEmbeddingStore store = store(backend.open());
    fill(store, 1_200, i -> i >= 1_197);
    List<EmbeddingMatch<TextSegment>> found =
        store.search(nearest(3, metadataKey("tag").isEqualTo("rare"))).matches();
    assertThat(ids(found)).containsExactly("e01197", "e01198", "e01199");
    assertThat(found.get(0).embedded().metadata().getInteger("rank")).isEqualTo(1_197);
    assertThat(found.get(0).score()).isGreaterThan(found.get(1).score());
    assertThat(found.get(2).score())
        .isCloseTo((Math.cos(Math.toRadians(170.0 * 1_199 / 1_200)) + 1) / 2, offset(1e-6));

    // within recall's reach after over-fetching (ranks 300 and 700), and the nearest unfiltered
    fill(store, 1_200, i -> i == 300 || i == 700);
    assertThat(ids(store.search(nearest(2, metadataKey("tag").isEqualTo("rare"))).matches()))
        .containsExactly("e00300", "e00700");
    assertThat(ids(store.search(nearest(1, metadataKey("tag").isEqualTo("rare"))).matches()))
        .containsExactly("e00300");
    // minScore stops the over-fetch: nothing at rank 300 scores 0.99
    assertThat(
            store
                .search(
                    EmbeddingSearchRequest.builder()
                        .queryEmbedding(at(0))
                        .maxResults(2)
                        .minScore(0.99)
                        .filter(metadataKey("tag").isEqualTo("rare"))
                        .build())
                .matches())
        .isEmpty();
    assertThat(ids(store.search(nearest(2, null)).matches())).containsExactly("e00000", "e00001");
  }

  /** Recall gives at most 1,000 hits; more results than that come from the exact ranking. */
  @Test
  void maxResultsAroundRecallsLimit(@TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbEmbeddingStore store = store(db);
      fill(store, 1_005, i -> i % 2 == 0);
      for (int max : new int[] {999, 1_000, 1_001}) {
        List<String> found = ids(store.search(nearest(max, null)).matches());
        assertThat(found).hasSize(max);
        assertThat(found.get(max - 1)).isEqualTo(String.format("e%05d", max - 1));
        List<String> even =
            ids(store.search(nearest(max, metadataKey("tag").isEqualTo("rare"))).matches());
        assertThat(even).as("503 pass the filter").hasSize(Math.min(max, 503));
        assertThat(even.get(even.size() - 1)).isEqualTo("e01004");
      }
    }
  }

  @Test
  void addAllTakesUpTo10000EmbeddingsInOneTransaction(@TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbEmbeddingStore store = store(db);
      for (int n : new int[] {9_999, 10_000}) {
        store.addAll(Collections.nCopies(n, at(n)));
      }
      List<Embedding> tooMany = Collections.nCopies(10_001, at(1));
      assertInvalid(() -> store.addAll(tooMany), "putAll got 10001 values; the limit is 10000");
      assertThat(db.memory(SwarmDbEmbeddingStore.DEFAULT_SCOPE).keys("embedding")).hasSize(19_999);
    }
  }

  /** {@code count} entries {@code prefix00000...} with metadata {@code n} = their index. */
  static List<String> fillNamed(SwarmDbEmbeddingStore store, String prefix, int count) {
    List<String> ids = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("%s%05d", prefix, i));
      segments.add(TextSegment.from("segment " + i, new Metadata().put("n", i)));
    }
    store.addAll(ids, Collections.nCopies(count, at(1)), segments);
    return ids;
  }

  /**
   * {@code removeAll(ids)}, and {@code removeAll(filter)} of up to 10,000 matches, is one
   * transaction: unknown ids are skipped, and a failure part way (a refused row, a closed database)
   * removes nothing.
   */
  @BackendTest
  void removeAllIsAllOrNothing(TestBackend backend) throws SQLException {
    SwarmDB db = backend.open();
    SwarmDbEmbeddingStore store = store(db);
    fillNamed(store, "e", 4);
    store.removeAll(List.of("e00000", "unknown", "e00000"));
    List<String> left = List.of("e00001", "e00002", "e00003");
    assertThat(db.memory(store.scope()).keys("embedding")).isEqualTo(left);
    RefusedDeletes.refuse(backend, "e00003");
    assertThat(catchThrowableOfType(SwarmDbException.class, () -> store.removeAll(left)))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(
            catchThrowableOfType(
                SwarmDbException.class,
                () -> store.removeAll(metadataKey("n").isGreaterThanOrEqualTo(1))))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(db.memory(store.scope()).keys("embedding")).isEqualTo(left);
    db.close();
    assertFails(ErrorCode.CLOSED, () -> store.removeAll(List.of("e00001")));
    assertThat(backend.open().memory(store.scope()).keys("embedding")).isEqualTo(left);
  }

  /**
   * A filter matching more than 10,000 entries removes them in transactions of 10,000, in id order:
   * a failure in the second leaves the first's removals (as documented).
   */
  @BackendTest
  void removeAllByAFilterOfMoreThan10000GoesInParts(TestBackend backend) throws SQLException {
    SwarmDB db = backend.open();
    SwarmDbEmbeddingStore store = store(db);
    fillNamed(store, "a", 10_000);
    fillNamed(store, "b", 2);
    RefusedDeletes.refuse(backend, "b00001");
    assertThat(
            catchThrowableOfType(
                SwarmDbException.class,
                () -> store.removeAll(metadataKey("n").isGreaterThanOrEqualTo(0))))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(db.memory(store.scope()).keys("embedding")).containsExactly("b00000", "b00001");
  }

  /**
   * At most 10,000 ids a removeAll (one transaction): 9,999 and 10,000 remove, 10,001 is refused.
   */
  @Test
  void removeAllTakesUpTo10000Ids(@TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbEmbeddingStore store = store(db);
      List<String> ids = new ArrayList<>(fillNamed(store, "a", 10_000));
      ids.addAll(fillNamed(store, "b", 9_999));
      List<String> tooMany = new ArrayList<>(ids.subList(0, 10_000));
      tooMany.add("unknown");
      assertInvalid(
          () -> store.removeAll(tooMany),
          "removeAll got 10001 ids; the limit is 10000",
          "Nothing was removed");
      assertThat(db.memory(store.scope()).count("embedding")).isEqualTo(19_999);
      store.removeAll(tooMany.subList(0, 10_000));
      store.removeAll(ids.subList(10_000, 19_999));
      assertThat(db.memory(store.scope()).count("embedding")).isZero();
    }
  }

  @BackendTest
  void badInputIsRefusedBeforeAnyWrite(TestBackend backend) {
    SwarmDB db = backend.open();
    SwarmDbEmbeddingStore store = store(db);
    store.add("kept", at(0));
    Embedding e = at(1);
    assertInvalid(
        () -> store.addAll(List.of("a", "b", "a"), List.of(e, e, e), null),
        "id 'a' is given twice (the second time at 2)",
        "Nothing was written");
    assertInvalid(
        () -> store.addAll(List.of("a", "b"), List.of(e), null), "2 ids, 1 embeddings and no");
    assertInvalid(
        () ->
            store.addAll(
                List.of("a"), List.of(e), List.of(TextSegment.from("x"), TextSegment.from("y"))),
        "1 ids, 1 embeddings and 2 segments");
    assertInvalid(
        () -> store.addAll(List.of("a", "b"), Arrays.asList(e, null), null),
        "embedding 1 of 2 is null");
    assertInvalid(
        () ->
            store.addAll(
                List.of("a", "b"), List.of(e, Embedding.from(new float[] {1, 0, 0})), null),
        "dimension");
    assertInvalid(() -> store.add("a", Embedding.from(new float[] {0, 0, 0, 0})), "all zero");
    assertInvalid(() -> store.add("a", Embedding.from(new float[] {Float.NaN, 0, 0, 0})), "NaN");
    assertInvalid(() -> store.add("a", Embedding.from(new float[] {1, 0, 0})), "dimension");
    assertInvalid(
        () ->
            store.search(
                EmbeddingSearchRequest.builder()
                    .queryEmbedding(Embedding.from(new float[] {1, 0, 0}))
                    .build()),
        "3 dimensions");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> store.add(" ", e))
        .withMessage("id cannot be null or blank");
    // the ids' length: SwarmDB's key limit of 512 characters
    store.add("i".repeat(511), e);
    store.add("i".repeat(512), e);
    assertInvalid(() -> store.add("i".repeat(513), e), "513 characters long; the limit is 512");
    assertInvalid(() -> store.removeAll(List.of("kept", "i".repeat(513))), "513 characters long");
    assertThat(db.memory(SwarmDbEmbeddingStore.DEFAULT_SCOPE).keys("embedding"))
        .as("nothing removed: every id is checked first")
        .containsExactlyInAnyOrder("kept", "i".repeat(511), "i".repeat(512));
    store.removeAll(List.of("kept", "i".repeat(512), "never-added"));
    assertThat(db.memory(SwarmDbEmbeddingStore.DEFAULT_SCOPE).keys("embedding"))
        .containsExactly("i".repeat(511));
  }

  @BackendTest
  void anIdAddedAgainIsReplacedAndStoresInOtherScopesAreApart(TestBackend backend) {
    SwarmDB db = backend.open();
    SwarmDbEmbeddingStore docs = store(db);
    SwarmDbEmbeddingStore notes =
        SwarmDbEmbeddingStore.builder(db).vectorModel("plane-4").scope(Scope.agent("a1")).build();
    assertThat(docs.scope()).isEqualTo(Scope.namespace("langchain4j"));
    assertThat(notes).hasToString("SwarmDbEmbeddingStore[agent:a1, plane-4]");
    db.memory(Scope.namespace("langchain4j")).put(Memory.SEMANTIC, "other", "kept");

    docs.add("x", at(10));
    docs.add(at(10), TextSegment.from("second"));
    docs.addAll(List.of("x"), List.of(at(0)), List.of(TextSegment.from("replaced")));
    notes.add("x", at(90));
    assertThat(docs.search(nearest(5, null)).matches())
        .extracting(m -> m.embedded() == null ? null : m.embedded().text())
        .containsExactly("replaced", "second");
    assertThat(ids(notes.search(nearest(5, null)).matches())).containsExactly("x");

    docs.removeAll();
    assertThat(docs.search(nearest(5, null)).matches()).isEmpty();
    assertThat(ids(notes.search(nearest(5, null)).matches())).containsExactly("x");
    assertThat(
            db.memory(Scope.namespace("langchain4j")).get(Memory.SEMANTIC, "other", String.class))
        .contains("kept");
  }

  @BackendTest
  void metadataReadsBackWithItsOwnTypesExactly(TestBackend backend) {
    SwarmDbEmbeddingStore store = store(backend.open());
    UUID uuid = UUID.randomUUID();
    Metadata m =
        new Metadata()
            .put("s", "")
            .put("u", uuid)
            .put("i", Integer.MIN_VALUE)
            .put("l", 1_746_714_878_034_235_396L)
            .put("f", 0.1f)
            .put("fmax", -Float.MAX_VALUE)
            .put("fmin", Float.MIN_VALUE)
            .put("d", 0.1)
            .put("dmax", Double.MAX_VALUE)
            .put("dmin", Double.MIN_VALUE)
            .put("one", 1.0);
    Embedding e = Embedding.from(new float[] {0.1f, 1e-30f, -3.4028235e38f, 7});
    store.addAll(List.of("m"), List.of(e), List.of(TextSegment.from("typed", m)));
    EmbeddingMatch<TextSegment> match =
        store.search(EmbeddingSearchRequest.builder().queryEmbedding(e).build()).matches().get(0);
    assertThat(match.embedded().metadata()).isEqualTo(m);
    assertThat(match.embedded().metadata().toMap()).isEqualTo(m.toMap());
    assertThat(match.embedding().vector())
        .as("the embedding as given, not normalised")
        .containsExactly(e.vector());
  }

  @Test
  void theVectorModelIsTheEmbeddersOrTheCallers(@TempDir Path dir) {
    try (SwarmDB plain = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("plain.db")).build())) {
      SwarmDbEmbeddingStore.Builder b = SwarmDbEmbeddingStore.builder(plain);
      assertInvalid(b::build, "needs the id of the model", "vectorModel(\"...\")");
      assertInvalid(() -> b.vectorModel(" ").build(), "vector model is blank");
      SwarmDbEmbeddingStore one = SwarmDbEmbeddingStore.builder(plain).vectorModel("m1").build();
      one.add(at(0));
      SwarmDbEmbeddingStore other =
          SwarmDbEmbeddingStore.builder(plain).vectorModel("m2").scope(Scope.swarm()).build();
      assertInvalid(() -> other.add(at(0)), "m2", "m1");
    }
    WordHashEmbedder words = new WordHashEmbedder("word-hash", 4);
    try (SwarmDB withEmbedder =
        SwarmDB.open(SwarmDbConfig.builder(dir.resolve("embedder.db")).embedder(words).build())) {
      SwarmDbEmbeddingStore store = SwarmDbEmbeddingStore.builder(withEmbedder).build();
      assertThat(store.vectorModel()).isEqualTo("word-hash");
      store.add(at(0), TextSegment.from("hello"));
      assertThat(words.calls()).as("the store's vector, not the embedder's").isZero();
      SwarmDbEmbeddingStore wrong =
          SwarmDbEmbeddingStore.builder(withEmbedder).vectorModel("other").build();
      assertInvalid(() -> wrong.add(at(0)), "other");
    }
  }

  @BackendTest
  void aDamagedEntryIsCorruptNamingItsRow(TestBackend backend) {
    SwarmDB db = backend.open();
    SwarmDbEmbeddingStore store = store(db);
    store.addAll(List.of("good"), List.of(at(0)), List.of(TextSegment.from("fine")));
    Memory memory = db.memory(SwarmDbEmbeddingStore.DEFAULT_SCOPE);
    memory.put(
        "embedding",
        "bad",
        Map.of("embedding", List.of(1, "x")),
        null,
        "plane-4",
        new float[] {1, 0, 0, 0});
    SwarmDbException e = assertFails(ErrorCode.CORRUPT, () -> store.search(nearest(5, null)));
    assertThat(e.getMessage())
        .contains(
            "scoped_memory row scope 'ns:langchain4j' type 'embedding' key 'bad'",
            "embedding[1] is \"x\", not a number",
            "remove(id)");
    for (Object damaged :
        List.<Object>of(
            Map.of(),
            Map.of("embedding", List.of()),
            Map.of("embedding", List.of(1), "segment", Map.of("text", 3)),
            Map.of("embedding", List.of(1), "segment", Map.of("text", "t", "metadata", List.of())),
            Map.of(
                "embedding",
                List.of(1),
                "segment",
                Map.of("text", "t", "metadata", Map.of("int", Map.of("k", "v")))))) {
      memory.put("embedding", "bad", damaged, null, "plane-4", new float[] {1, 0, 0, 0});
      assertFails(ErrorCode.CORRUPT, () -> store.removeAll(metadataKey("k").isEqualTo("v")));
    }
    // the exact ranking (more than 1,000 results) reads every stored embedding
    memory.put(
        "embedding", "bad", Map.of("embedding", List.of(1, 0, 0)), null, "plane-4", at(0).vector());
    assertThat(
            assertFails(ErrorCode.CORRUPT, () -> store.search(nearest(1_001, null))).getMessage())
        .contains("key 'bad'", "has 3 numbers, but the database's vectors have 4", "remove(id)");
    assertInvalid(
        () ->
            store.search(
                EmbeddingSearchRequest.builder()
                    .queryEmbedding(Embedding.from(new float[] {1, 0, 0}))
                    .maxResults(1_001)
                    .build()),
        "3 dimensions");
    store.remove("bad");
    assertThat(ids(store.search(nearest(5, null)).matches())).containsExactly("good");
    assertThat(ids(store.search(nearest(1_001, null)).matches())).containsExactly("good");
  }
}
