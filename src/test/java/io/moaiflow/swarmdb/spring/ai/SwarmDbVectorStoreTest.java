package io.moaiflow.swarmdb.spring.ai;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static io.moaiflow.swarmdb.spring.ai.SwarmDbVectorStore.MEMORY_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.ai.content.Media;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.util.MimeTypeUtils;

/** {@link SwarmDbVectorStore} on both backends, with a deterministic embedding model. */
class SwarmDbVectorStoreTest {
  final WordHashEmbeddingModel model = new WordHashEmbeddingModel(32);
  SwarmDB db;
  SwarmDbVectorStore store;

  @BeforeEach
  void open(TestBackend backend) {
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

  /**
   * The over-fetch stops at Recall.MAX_LIMIT candidates: a match ranked 1,000th is found, one
   * ranked 1,001st is not (as the class description says).
   */
  @BackendTest
  void theFilterSeesTheNearestThousandCandidates() {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 999; i++) {
      docs.add(doc("near-" + i, "alpha", Map.of("match", false)));
    }
    docs.add(doc("far-1", "omega", Map.of("match", true)));
    store.add(docs);
    SearchRequest matches =
        SearchRequest.builder().query("alpha").topK(1).filterExpression("match == true").build();
    assertThat(store.similaritySearch(matches))
        .extracting(Document::getId)
        .containsExactly("far-1");

    store.add(List.of(doc("near-999", "alpha", Map.of("match", false))));
    assertThat(store.similaritySearch(matches)).isEmpty();
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
        () -> store.similaritySearch(SearchRequest.builder().query("q").topK(1_001).build()),
        "topK is 1001",
        "at most 1000");
    assertInvalid(
        () -> store.delete(new FilterExpressionBuilder().gt("flag", true).build()), "boolean");
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> store.add(List.of(doc("t", "x", Map.of("bad", new Object())))));
    assertThat(ids()).isEmpty();

    assertThat(store.similaritySearch(SearchRequest.builder().query("q").topK(0).build()))
        .isEmpty();
    store.add(List.of(a));
    assertThat(store.similaritySearch(SearchRequest.builder().query("q").topK(1_000).build()))
        .hasSize(1);
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
  }

  private List<String> ids() {
    return db.memory(store.scope()).keys(MEMORY_TYPE);
  }

  private static List<Document> docs(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> doc(prefix + i, "text " + i, Map.of())).toList();
  }
}
