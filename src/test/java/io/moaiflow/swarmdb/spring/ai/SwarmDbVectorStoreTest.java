package io.moaiflow.swarmdb.spring.ai;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static io.moaiflow.swarmdb.spring.ai.SwarmDbVectorStore.MEMORY_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.RefusedDeletes;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.ai.content.Media;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.util.MimeTypeUtils;

/** {@link SwarmDbVectorStore} on both backends, with a deterministic embedding model. */
class SwarmDbVectorStoreTest {
  final WordHashEmbeddingModel model = new WordHashEmbeddingModel(32);
  TestBackend backend;
  SwarmDB db;
  SwarmDbVectorStore store;

  @BeforeEach
  void open(TestBackend backend) {
    this.backend = backend;
    db = backend.open();
    store = SwarmDbVectorStore.builder(db, model).vectorModel("word-hash").build();
  }

  static Document doc(String id, String text, Map<String, Object> metadata) {
    return Document.builder().id(id).text(text).metadata(metadata).build();
  }

  /** The cosine similarity the word-hash model gives two texts. */
  double cosine(String a, String b) {
    float[] x = model.words.embed(a);
    float[] y = model.words.embed(b);
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      nx += x[i] * x[i];
      ny += y[i] * y[i];
    }
    return dot / Math.sqrt(nx * ny);
  }

  @BackendTest
  void nearestDocumentsComeFirstWithIdTextMetadataAndScore() {
    store.add(
        List.of(
            doc("cats", "cats purr and cats sleep", Map.of("kind", "pet", "legs", 4)),
            doc("dogs", "dogs bark", Map.of("kind", "pet", "legs", 4)),
            doc("cars", "engines and wheels", Map.of("kind", "machine"))));

    List<Document> hits =
        store.similaritySearch(SearchRequest.builder().query("sleepy cats").topK(2).build());

    assertThat(hits).extracting(Document::getId).startsWith("cats").hasSize(2);
    Document best = hits.get(0);
    assertThat(best.getText()).isEqualTo("cats purr and cats sleep");
    assertThat(best.getScore()).isCloseTo(cosine("sleepy cats", best.getText()), within(1e-5));
    assertThat(best.getMetadata())
        .containsEntry("kind", "pet")
        .containsEntry("legs", 4)
        .containsEntry("distance", 1 - best.getScore());
    assertThat(hits.get(0).getScore()).isGreaterThanOrEqualTo(hits.get(1).getScore());
    assertThat(store.similaritySearch("cats")).hasSize(3); // the default topK (4) over 3
    assertThat(store.<SwarmDB>getNativeClient()).containsSame(db);
    assertThat(store.getName()).isEqualTo("SwarmDbVectorStore");
  }

  @BackendTest
  void theThresholdLeavesOutFartherDocuments() {
    store.add(List.of(doc("a", "red apple", Map.of()), doc("b", "blue ocean", Map.of())));
    double appleScore = cosine("red apple", "red apple");
    List<Document> hits =
        store.similaritySearch(
            SearchRequest.builder().query("red apple").topK(10).similarityThreshold(0.9).build());
    assertThat(hits).extracting(Document::getId).containsExactly("a");
    assertThat(hits.get(0).getScore()).isCloseTo(appleScore, within(1e-5));
    assertThat(
            store.similaritySearch(
                SearchRequest.builder()
                    .query("red apple")
                    .topK(10)
                    .similarityThresholdAll()
                    .build()))
        .hasSize(2);
  }

  /** A filter whose matches rank far below topK still finds them (the store over-fetches). */
  @BackendTest
  void aSelectiveFilterFindsMatchesThatRankLow() {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      docs.add(doc("common-" + i, "alpha beta " + i, Map.of("rare", false, "n", i)));
    }
    for (int i = 0; i < 3; i++) {
      docs.add(doc("rare-" + i, "zeta " + i, Map.of("rare", true, "n", i)));
    }
    store.add(docs);
    SearchRequest.Builder q = SearchRequest.builder().query("alpha beta").topK(3);

    assertThat(store.similaritySearch(q.build()))
        .extracting(Document::getId)
        .allMatch(id -> id.startsWith("common-"));
    assertThat(store.similaritySearch(q.filterExpression("rare == true").build()))
        .extracting(Document::getId)
        .containsExactlyInAnyOrder("rare-0", "rare-1", "rare-2");
    FilterExpressionBuilder b = new FilterExpressionBuilder();
    assertThat(
            store.similaritySearch(
                q.filterExpression(b.and(b.eq("rare", false), b.in("n", 7, 250)).build()).build()))
        .extracting(Document::getId)
        .containsExactlyInAnyOrder("common-7", "common-250");
    assertThat(store.similaritySearch(q.filterExpression("n > 1000").build())).isEmpty();
  }

  /** Embeds a text "DEGREES" as the unit vector at that angle in the plane of dimensions 0, 1. */
  static final class PlaneModel implements EmbeddingModel {
    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
      List<Embedding> out = new ArrayList<>();
      for (String text : request.getInstructions()) {
        double r = Math.toRadians(Double.parseDouble(text));
        out.add(
            new Embedding(
                new float[] {(float) Math.cos(r), (float) Math.sin(r), 0, 0}, out.size()));
      }
      return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
      return embed(String.valueOf(document.getText()));
    }

    @Override
    public int dimensions() {
      return 4;
    }
  }

  /**
   * A store of {@code count} documents at growing angles from the query "0" (so ranked in id order,
   * every similarity positive), each with metadata {@code rank}; those {@code tagged} accepts also
   * have {@code tag=rare}.
   */
  SwarmDbVectorStore plane(int count, IntPredicate tagged) {
    SwarmDbVectorStore plane =
        SwarmDbVectorStore.builder(db, new PlaneModel()).vectorModel("plane-4").build();
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> metadata = new HashMap<>(Map.of("rank", i));
      if (tagged.test(i)) {
        metadata.put("tag", "rare");
      }
      docs.add(doc(String.format("d%05d", i), Double.toString(angle(i, count)), metadata));
    }
    plane.add(docs);
    return plane;
  }

  /** {@return the angle of document {@code i} of {@code count}: 0 to 80 degrees from the query} */
  static double angle(int i, int count) {
    return 80.0 * i / count;
  }

  static double cosineAt(int i, int count) {
    return Math.cos(Math.toRadians(angle(i, count)));
  }

  static SearchRequest nearest(int topK, @Nullable String filter) {
    SearchRequest.Builder b = SearchRequest.builder().query("0").topK(topK);
    return (filter == null ? b : b.filterExpression(filter)).build();
  }

  static List<String> ids(List<Document> documents) {
    return documents.stream().map(Document::getId).toList();
  }

  /**
   * The three documents a filter passes are the farthest of 1,200: past the 1,000 nearest recall
   * gives, so the store ranks the whole scope exactly and still finds all three, best first, with
   * their exact scores; the threshold applies there too.
   */
  @BackendTest
  void aSelectiveFilterFindsMatchesRankedPastAThousand() {
    SwarmDbVectorStore plane = plane(1_200, i -> i >= 1_197);
    List<Document> found = plane.similaritySearch(nearest(3, "tag == 'rare'"));
    assertThat(ids(found)).containsExactly("d01197", "d01198", "d01199");
    assertThat(found.get(2).getScore()).isCloseTo(cosineAt(1_199, 1_200), within(1e-6));
    assertThat(found.get(2).getMetadata())
        .containsEntry("rank", 1_199)
        .containsEntry("tag", "rare")
        .containsEntry("distance", 1 - found.get(2).getScore());
    assertThat(found.get(0).getScore()).isGreaterThan(found.get(1).getScore());
    assertThat(found.get(2).getText()).isEqualTo(Double.toString(angle(1_199, 1_200)));
    assertThat(ids(plane.similaritySearch(nearest(1, "tag == 'rare'")))).containsExactly("d01197");
    assertThat(ids(plane.similaritySearch(nearest(5, "tag == 'rare' && rank > 1197"))))
        .containsExactly("d01198", "d01199");
    // the threshold applies in the exact ranking as well: between ranks 1,197 and 1,198
    double between = (cosineAt(1_197, 1_200) + cosineAt(1_198, 1_200)) / 2;
    assertThat(
            ids(
                plane.similaritySearch(
                    SearchRequest.builder()
                        .query("0")
                        .topK(3)
                        .similarityThreshold(between)
                        .filterExpression("tag == 'rare'")
                        .build())))
        .containsExactly("d01197");
    assertThat(ids(plane.similaritySearch(nearest(2, null)))).containsExactly("d00000", "d00001");
  }

  /** Recall gives at most 1,000 hits; a larger topK, or too few matches, ranks exactly. */
  @BackendTest
  void topKAroundRecallsLimit() {
    SwarmDbVectorStore plane = plane(1_005, i -> i % 2 == 0);
    for (int topK : new int[] {999, 1_000, 1_001}) {
      List<String> found = ids(plane.similaritySearch(nearest(topK, null)));
      assertThat(found).as("topK %d", topK).hasSize(topK);
      assertThat(found.get(topK - 1)).isEqualTo(String.format("d%05d", topK - 1));
      assertThat(found).isSorted();
      List<String> even = ids(plane.similaritySearch(nearest(topK, "tag == 'rare'")));
      assertThat(even).as("503 pass the filter").hasSize(503).isSorted();
      assertThat(even.get(502)).isEqualTo("d01004");
    }
    assertThat(plane.similaritySearch(nearest(Integer.MAX_VALUE, null))).hasSize(1_005);
  }

  /** The stored value holds the embedding exactly as the model returned it. */
  @BackendTest
  void theExactEmbeddingIsStoredWithTheDocument() throws Exception {
    store.add(List.of(doc("a", "red apple", Map.of("k", 1))));
    JsonNode value =
        new ObjectMapper()
            .readTree(db.memory(store.scope()).entry(MEMORY_TYPE, "a").orElseThrow().valueJson());
    float[] stored = new float[value.get("embedding").size()];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = value.get("embedding").get(i).floatValue();
    }
    assertThat(stored).containsExactly(model.words.embed("red apple"));
    assertThat(value.get("text").asText()).isEqualTo("red apple");
    assertThat(value.get("metadata").get("k").asInt()).isEqualTo(1);
  }

  @BackendTest
  void deleteByIdsAndByFilterAndReplaceById() {
    store.add(
        List.of(
            doc("1", "one", Map.of("year", 2019)),
            doc("2", "two", Map.of("year", 2020)),
            doc("3", "three", Map.of("year", 2021)),
            doc("4", "four", Map.of())));
    store.delete(List.of("1", "unknown"));
    assertThat(ids()).containsExactly("2", "3", "4");

    store.delete(new FilterExpressionBuilder().gte("year", 2021).build());
    assertThat(ids()).containsExactly("2", "4");

    store.add(List.of(doc("2", "two again", Map.of("year", 2022))));
    List<Document> two =
        store.similaritySearch(
            SearchRequest.builder()
                .query("two again")
                .topK(1)
                .filterExpression("year == 2022")
                .build());
    assertThat(two).extracting(Document::getText).containsExactly("two again");
    store.delete("year == 2022"); // VectorStore's delete(String) takes a filter expression
    assertThat(ids()).containsExactly("4");
  }

  /**
   * A delete of ids, and one by filter of up to 10,000 matches, is one transaction: unknown ids are
   * skipped, and a failure part way (a refused row, a closed database) deletes nothing.
   */
  @BackendTest
  void aDeleteIsAllOrNothing() throws SQLException {
    store.add(
        List.of(
            doc("a", "one", Map.of("n", 1)),
            doc("b", "two", Map.of("n", 2)),
            doc("c", "three", Map.of("n", 3)),
            doc("refused", "four", Map.of("n", 4))));
    store.delete(List.of("a", "unknown", "a"));
    assertThat(ids()).containsExactly("b", "c", "refused");
    RefusedDeletes.refuse(backend, "refused");
    assertThat(
            catchThrowableOfType(
                SwarmDbException.class, () -> store.delete(List.of("b", "c", "refused"))))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(
            catchThrowableOfType(
                SwarmDbException.class,
                () -> store.delete(new FilterExpressionBuilder().gte("n", 2).build())))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(ids()).containsExactly("b", "c", "refused");
    db.close();
    assertFails(ErrorCode.CLOSED, () -> store.delete(List.of("b", "c")));
    db = backend.open();
    assertThat(ids()).containsExactly("b", "c", "refused");
  }

  /**
   * A filter delete of more than 10,000 matches goes in transactions of 10,000, in key order: a
   * failure in the second leaves the first's deletes (as the class description says).
   */
  @BackendTest
  void aFilterDeleteOfMoreThanTenThousandGoesInParts() throws SQLException {
    int max = SwarmDbVectorStore.MAX_DOCUMENTS;
    store.add(docs("a-", max));
    store.add(docs("b-", 2));
    RefusedDeletes.refuse(backend, "b-1");
    assertThat(
            catchThrowableOfType(
                SwarmDbException.class,
                () -> store.delete(new FilterExpressionBuilder().isNull("n").build())))
        .hasMessageContaining(RefusedDeletes.MESSAGE);
    assertThat(ids()).containsExactly("b-0", "b-1");
  }

  /** Each store keeps to its scope; another scope's documents are never hits or deleted. */
  @BackendTest
  void storesOfTwoScopesStayApart() {
    SwarmDbVectorStore agent =
        SwarmDbVectorStore.builder(db, model)
            .vectorModel("word-hash")
            .scope(Scope.agent("librarian"))
            .build();
    store.add(List.of(doc("x", "shared words", Map.of("k", 1))));
    agent.add(List.of(doc("x", "shared words", Map.of("k", 2))));
    assertThat(agent.scope()).isEqualTo(Scope.agent("librarian"));
    assertThat(store.scope()).isEqualTo(SwarmDbVectorStore.DEFAULT_SCOPE);

    agent.delete(new FilterExpressionBuilder().eq("k", 2).build());
    assertThat(agent.similaritySearch("shared words")).isEmpty();
    assertThat(store.similaritySearch("shared words"))
        .extracting(d -> d.getMetadata().get("k"))
        .containsExactly(1);
  }

  @BackendTest
  void anEmptyStoreFindsNothing() {
    assertThat(store.similaritySearch("anything")).isEmpty();
    int embedded = model.texts();
    store.add(List.of());
    assertThat(model.texts()).isEqualTo(embedded);
  }

  @BackendTest
  void badInputIsRefusedBeforeAnythingIsEmbeddedOrWritten() {
    Document a = doc("a", "text", Map.of());
    assertInvalid(
        () -> store.add(List.of(a, doc("b", "x", Map.of()), doc("a", "again", Map.of()))),
        "documents 0 and 2",
        "same id 'a'");
    Document media =
        Document.builder()
            .id("m")
            .media(Media.builder().mimeType(MimeTypeUtils.IMAGE_PNG).data(new byte[] {1}).build())
            .build();
    assertInvalid(() -> store.add(List.of(media)), "document 0 ('m') has no text");
    assertInvalid(
        () -> store.add(List.of(doc("x".repeat(Memory.MAX_KEY_LENGTH + 1), "t", Map.of()))), "key");
    assertThat(model.texts()).as("nothing embedded for refused calls").isZero();
    assertInvalid(
        () -> store.delete(List.of("ok", "x".repeat(Memory.MAX_KEY_LENGTH + 1))), "513", "512");
    assertInvalid(() -> store.delete(List.of("")), "0 characters");
    assertInvalid(
        () -> store.delete(new FilterExpressionBuilder().gt("flag", true).build()), "boolean");
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> store.add(List.of(doc("t", "x", Map.of("bad", new Object())))));
    assertThat(ids()).isEmpty();

    assertThat(store.similaritySearch(SearchRequest.builder().query("q").topK(0).build()))
        .isEmpty();
    store.add(List.of(a));
    for (int topK : new int[] {1_000, 1_001}) {
      assertThat(store.similaritySearch(SearchRequest.builder().query("q").topK(topK).build()))
          .hasSize(1);
    }
  }

  /** One model and dimension per database: another store's vectors are refused, nothing written. */
  @BackendTest
  void vectorsOfAnotherModelOrDimensionAreRefused() {
    store.add(List.of(doc("a", "first", Map.of())));
    SwarmDbVectorStore otherModel =
        SwarmDbVectorStore.builder(db, model).vectorModel("other").build();
    assertInvalid(
        () -> otherModel.add(List.of(doc("b", "second", Map.of()))), "other", "word-hash");
    SwarmDbVectorStore otherDimension =
        SwarmDbVectorStore.builder(db, new WordHashEmbeddingModel(16))
            .vectorModel("word-hash")
            .build();
    assertInvalid(() -> otherDimension.add(List.of(doc("b", "second", Map.of()))), "16", "32");
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> otherDimension.similaritySearch("first"));
    assertInvalid(
        () ->
            otherDimension.similaritySearch(
                SearchRequest.builder().query("first").topK(1_001).build()),
        "vector has 16 dimensions; this database stores vectors of 32");
    assertThat(ids()).containsExactly("a");
    // The default model id is the embedding model's class name.
    SwarmDbVectorStore unnamed = SwarmDbVectorStore.builder(db, model).build();
    assertInvalid(
        () -> unnamed.add(List.of(doc("c", "third", Map.of()))),
        WordHashEmbeddingModel.class.getName());
  }

  /** A model that loses a vector is an error, not a document stored without one. */
  @BackendTest
  void aModelReturningTooFewVectorsIsRefused() {
    WordHashEmbeddingModel lossy =
        new WordHashEmbeddingModel(32) {
          @Override
          public List<float[]> embed(
              List<Document> documents,
              org.springframework.ai.embedding.EmbeddingOptions options,
              org.springframework.ai.embedding.BatchingStrategy batching) {
            return List.of(words.embed("only one"));
          }
        };
    SwarmDbVectorStore s =
        SwarmDbVectorStore.builder(db, lossy)
            .vectorModel("word-hash")
            .batchingStrategy(documents -> List.of(documents))
            .build();
    assertInvalid(
        () -> s.add(List.of(doc("a", "x", Map.of()), doc("b", "y", Map.of()))),
        "returned 1 vectors for 2 documents");
    assertThat(ids()).isEmpty();
  }

  @BackendTest
  void aLimitOfTenThousandDocumentsACall() {
    int max = SwarmDbVectorStore.MAX_DOCUMENTS;
    store.add(docs("under-", max - 1));
    store.add(docs("at-", max));
    assertThat(db.memory(store.scope()).keys(MEMORY_TYPE)).hasSize(2 * max - 1);
    int embedded = model.texts();
    assertInvalid(() -> store.add(docs("over-", max + 1)), "10001 documents", "limit is 10000");
    assertThat(model.texts()).isEqualTo(embedded);
    // deletes: at most 10,000 ids, in one transaction
    List<String> tooMany = new ArrayList<>(ids().subList(0, max));
    tooMany.add("unknown");
    assertInvalid(
        () -> store.delete(tooMany),
        "delete got 10001 ids",
        "limit is 10000",
        "Nothing was deleted");
    assertThat(ids()).hasSize(2 * max - 1);
    store.delete(tooMany.subList(0, max)); // every "at-" document
    store.delete(ids()); // the 9,999 "under-" documents
    assertThat(ids()).isEmpty();
  }

  @BackendTest
  void damagedStoredDocumentsAreCorruptNamingTheRow() {
    store.add(List.of(doc("good", "fine text", Map.of())));
    db.memory(store.scope())
        .put(
            MEMORY_TYPE,
            "bad",
            "not a document",
            null,
            "word-hash",
            model.words.embed("fine text"));
    String message =
        assertFails(ErrorCode.CORRUPT, () -> store.similaritySearch("fine text")).getMessage();
    assertThat(message).contains("scoped_memory", "scope 'ns:spring-ai'", "key 'bad'");
    assertFails(
        ErrorCode.CORRUPT, () -> store.delete(new FilterExpressionBuilder().eq("a", 1).build()));
    assertThat(ids()).containsExactly("bad", "good");
    // the exact ranking reads every document's embedding
    SearchRequest all = SearchRequest.builder().query("fine text").topK(1_001).build();
    List<Object> zeros = new ArrayList<>(java.util.Collections.nCopies(32, 0));
    List<Object> word = new ArrayList<>(java.util.Collections.nCopies(32, 1));
    word.set(5, "x");
    Map<List<Object>, String> damaged = new LinkedHashMap<>();
    damaged.put(List.of(), "has no \"embedding\" array of numbers");
    damaged.put(
        List.of(1, 2, 3), "has an embedding of 3 numbers, but the database's vectors have 32");
    damaged.put(word, "has embedding[5] = \"x\", not a float");
    damaged.put(zeros, "has an embedding of zeros");
    damaged.forEach(
        (embedding, problem) -> {
          db.memory(store.scope())
              .put(
                  MEMORY_TYPE,
                  "bad",
                  Map.of("text", "t", "metadata", Map.of(), "embedding", embedding),
                  null,
                  "word-hash",
                  model.words.embed("fine text"));
          assertThat(assertFails(ErrorCode.CORRUPT, () -> store.similaritySearch(all)).getMessage())
              .contains("scoped_memory", "key 'bad'", problem, "delete the document");
        });
    store.delete(List.of("bad"));
    assertThat(ids(store.similaritySearch(all))).containsExactly("good");
  }

  private List<String> ids() {
    return db.memory(store.scope()).keys(MEMORY_TYPE);
  }

  private static List<Document> docs(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> doc(prefix + i, "text " + i, Map.of())).toList();
  }
}
