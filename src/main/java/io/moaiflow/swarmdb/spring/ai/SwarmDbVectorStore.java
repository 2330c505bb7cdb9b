package io.moaiflow.swarmdb.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.filter.Filter;

/**
 * Spring AI's {@link VectorStore} over SwarmDB memory and recall. Each document is one memory entry
 * of one scope (default {@link #DEFAULT_SCOPE}), type {@value #MEMORY_TYPE}, keyed by the
 * document's id, whose value is {@code {"text": ..., "metadata": {...}, "embedding": [...]}}: the
 * embedding exactly as the model returned it (SwarmDB's own copy of the vector is stored
 * normalised). The vector is computed by the application's {@link EmbeddingModel} (from {@link
 * EmbeddingModel#getEmbeddingContent}, in batches of the {@link BatchingStrategy}) and stored with
 * the entry, tagged with the builder's {@code vectorModel}. A database holds vectors of one model
 * and dimension: adding vectors of another model id or length fails with {@link
 * ErrorCode#INVALID_ARGUMENT}, and so does one that differs from the SwarmDB configuration's own
 * {@code Embedder}, when it has one.
 *
 * <p><b>Search.</b> {@link #similaritySearch(SearchRequest)} embeds the query and recalls the
 * scope's documents by vector alone ({@code Recall.query("").vector(...)} with weights 0, 1, 0:
 * nearest first, by cosine similarity). A document's score is that similarity (-1 to 1; 1 is the
 * same direction), its metadata also holds {@code distance} = 1 - score, as Spring AI's stores
 * report. Documents scored below the request's similarity threshold are left out. Like all of
 * SwarmDB's recall, a scope of more than 5,000 documents is searched through an int8 pre-filter
 * that finds the exact nearest ten in at least 99 % of searches.
 *
 * <p><b>Filters and topK.</b> A filter expression is applied to the metadata of the nearest
 * documents, in order, until {@code topK} match: the store asks recall for {@code max(4 topK, 50)}
 * candidates, then four times as many while too few matched and more remain, up to {@link
 * Recall#MAX_LIMIT} ({@value Recall#MAX_LIMIT}, recall's largest limit) candidates. When those
 * still hold fewer than {@code topK} matches, or {@code topK} is above {@value Recall#MAX_LIMIT},
 * the store reads every document of its scope, filters them and ranks them exactly (cosine
 * similarity of the stored embedding, ties by id): a filter never hides a match that ranks low, at
 * the price of reading the whole store for a very selective filter or a large {@code topK}. The
 * operators: EQ, NE, GT, GTE, LT, LTE, IN, NIN, AND, OR, NOT, IS NULL, IS NOT NULL, on top-level
 * metadata keys; numbers compare by value, strings lexicographically, an absent key matches only
 * NE, NIN and IS NULL, and values of other kinds never match each other. A value that is not a
 * string, number or boolean is refused before any work.
 *
 * <p><b>Limits and atomicity.</b> {@link #add} writes up to {@value #MAX_DOCUMENTS} documents in
 * one transaction (ids are memory keys: at most {@value Memory#MAX_KEY_LENGTH} characters, unique
 * in one call; an existing id is replaced); documents without text (media only) are refused. {@link
 * #delete(List)} deletes up to {@value #MAX_DOCUMENTS} ids in one transaction, all or nothing
 * (unknown ids are skipped; {@link Memory#deleteAll}). {@link #delete(Filter.Expression)} reads
 * every document of the scope, then deletes the matches in one transaction per {@value
 * #MAX_DOCUMENTS}: up to that many all or nothing; past it, a failure part way leaves the earlier
 * transactions' documents deleted.
 *
 * <p>This class is immutable and thread safe (the embedding model must be too, as Spring AI's are).
 */
public final class SwarmDbVectorStore implements VectorStore {

  /** The memory type of the stored documents. */
  public static final String MEMORY_TYPE = "spring-ai.document";

  /** The scope documents are stored in unless the builder names another. */
  public static final Scope DEFAULT_SCOPE = Scope.namespace("spring-ai");

  /**
   * Most documents one {@link #add} writes and one {@link #delete(List)} deletes (in one
   * transaction).
   */
  public static final int MAX_DOCUMENTS = 10_000;

  private static final String FIX = "delete the document";
  private static final String EMBEDDING = "embedding";
  private static final int MIN_CANDIDATES = 50;

  private final SwarmDB db;
  private final EmbeddingModel embeddingModel;
  private final Scope scope;
  private final String vectorModel;
  private final BatchingStrategy batching;

  private SwarmDbVectorStore(Builder b) {
    this.db = b.db;
    this.embeddingModel = b.embeddingModel;
    this.scope = b.scope;
    this.vectorModel = b.vectorModel;
    this.batching = b.batching;
  }

  /**
   * A builder of a store over {@code db} whose vectors {@code embeddingModel} computes.
   *
   * @param db the open database, closed by its owner
   * @param embeddingModel the application's embedding model
   * @return the builder
   */
  public static Builder builder(SwarmDB db, EmbeddingModel embeddingModel) {
    return new Builder(
        Objects.requireNonNull(db, "db"), Objects.requireNonNull(embeddingModel, "embeddingModel"));
  }

  /** {@return the scope the documents are stored in} */
  public Scope scope() {
    return scope;
  }

  /**
   * Embeds the documents and stores them, with their vectors, in one transaction.
   *
   * @param documents the documents, at most {@value #MAX_DOCUMENTS}, each with text
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is embedded, for
   *     too many documents, a document without text, a repeated id or an id that is not a valid
   *     key; after embedding and before anything is written, for vectors the database refuses (see
   *     the class description) or metadata SwarmDB's JSON mapper cannot write
   */
  @Override
  public void add(List<Document> documents) {
    Objects.requireNonNull(documents, "documents");
    if (documents.size() > MAX_DOCUMENTS) {
      throw invalid(
          "add got "
              + documents.size()
              + " documents; the limit is "
              + MAX_DOCUMENTS
              + " a call (one transaction). Add them in parts");
    }
    Map<String, Map<String, @Nullable Object>> values = new LinkedHashMap<>();
    for (int i = 0; i < documents.size(); i++) {
      Document d = Objects.requireNonNull(documents.get(i), "document");
      checkKey(d.getId());
      String text = d.getText();
      if (text == null) {
        throw invalid(
            "document "
                + i
                + " ('"
                + d.getId()
                + "') has no text; this store keeps text documents");
      }
      Map<String, @Nullable Object> value = new LinkedHashMap<>();
      value.put("text", text);
      value.put("metadata", d.getMetadata());
      if (values.put(d.getId(), value) != null) {
        throw invalid(
            "documents "
                + indexOf(documents, d.getId())
                + " and "
                + i
                + " have the same id '"
                + d.getId()
                + "'; give each document its own id");
      }
    }
    if (documents.isEmpty()) {
      return;
    }
    List<float[]> embedded =
        embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batching);
    if (embedded.size() != documents.size()) {
      throw invalid(
          "the embedding model returned "
              + embedded.size()
              + " vectors for "
              + documents.size()
              + " documents; it must return one per document");
    }
    Map<String, float[]> vectors = new LinkedHashMap<>();
    for (int i = 0; i < documents.size(); i++) {
      String id = documents.get(i).getId();
      float[] vector = embedded.get(i);
      vectors.put(id, vector);
      // the exact embedding, for the exact ranking (SwarmDB checks the vector before writing)
      Objects.requireNonNull(values.get(id)).put(EMBEDDING, vector);
    }
    memory().putAll(MEMORY_TYPE, values, null, vectorModel, vectors);
  }

  private static int indexOf(List<Document> documents, String id) {
    for (int i = 0; ; i++) {
      if (documents.get(i).getId().equals(id)) {
        return i;
      }
    }
  }

  /**
   * Deletes the documents with these ids in one transaction, all or nothing; unknown ids are
   * skipped.
   *
   * @param ids the document ids, at most {@value #MAX_DOCUMENTS} (a repeated id is deleted once)
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is deleted, for
   *     more than {@value #MAX_DOCUMENTS} ids or an id that is not a valid key
   */
  @Override
  public void delete(List<String> ids) {
    Objects.requireNonNull(ids, "ids");
    for (String id : ids) {
      checkKey(Objects.requireNonNull(id, "id"));
    }
    if (ids.size() > MAX_DOCUMENTS) {
      throw invalid(
          "delete got "
              + ids.size()
              + " ids; the limit is "
              + MAX_DOCUMENTS
              + " a call (one transaction): delete them in parts. Nothing was deleted");
    }
    memory().deleteAll(MEMORY_TYPE, ids); // SwarmDB checks each key before deleting any
  }

  /**
   * Deletes every document whose metadata matches the expression, in one transaction per {@value
   * #MAX_DOCUMENTS} matches (see the class description).
   *
   * @param filterExpression the filter
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is read, for an
   *     expression that is not well formed or compares with a value other than a string, number or
   *     boolean; {@link ErrorCode#CORRUPT} naming the row, before anything is deleted, for a stored
   *     document that cannot be read
   */
  @Override
  public void delete(Filter.Expression filterExpression) {
    Predicate<Map<String, ?>> filter =
        MetadataFilter.of(Objects.requireNonNull(filterExpression, "filterExpression"));
    Memory memory = memory();
    List<String> matching = new ArrayList<>();
    for (MemoryEntry e : memory.findByPrefix(MEMORY_TYPE, "")) {
      if (filter.test(metadata(e, StoredJson.tree(e, FIX)))) {
        matching.add(e.key());
      }
    }
    for (int from = 0; from < matching.size(); from += MAX_DOCUMENTS) {
      memory.deleteAll(
          MEMORY_TYPE, matching.subList(from, Math.min(from + MAX_DOCUMENTS, matching.size())));
    }
  }

  /**
   * The documents nearest the query, best first (see the class description for the filter).
   *
   * @param request the query text (embedded by the model), topK, similarity threshold and filter
   * @return at most {@code topK} documents with id, text, metadata and score
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before the query is embedded, for
   *     a filter that is not well formed or has a value other than a string, number or boolean;
   *     after, for a query vector the database's vectors do not fit; {@link ErrorCode#CORRUPT}
   *     naming the row for a stored document that cannot be read
   */
  @Override
  public List<Document> similaritySearch(SearchRequest request) {
    Objects.requireNonNull(request, "request");
    int topK = request.getTopK();
    Filter.Expression expression = request.getFilterExpression();
    Predicate<Map<String, ?>> filter =
        expression == null ? m -> true : MetadataFilter.of(expression);
    if (topK == 0) {
      return List.of();
    }
    float[] vector = embeddingModel.embed(request.getQuery());
    double threshold = request.getSimilarityThreshold();
    Recall query = // Recall.vector checks the vector: not empty, finite, not all zero
        Recall.query("")
            .vector(vector)
            .scopes(scope)
            .memory()
            .memoryType(MEMORY_TYPE)
            .weights(0, 1, 0);
    if (topK > Recall.MAX_LIMIT) {
      db.recall(query.limit(1)); // checks the query's dimension against the database's vectors
      return exactScan(vector, topK, threshold, filter);
    }
    int candidates =
        expression == null ? topK : Math.min(Recall.MAX_LIMIT, Math.max(4 * topK, MIN_CANDIDATES));
    while (true) {
      List<RecallHit> hits = db.recall(query.limit(candidates));
      List<Document> out = new ArrayList<>();
      boolean belowThreshold = false;
      for (RecallHit hit : hits) {
        Double similarity = hit.vectorSimilarity();
        MemoryEntry e = Objects.requireNonNull(hit.entry(), "a memory hit's entry");
        if (similarity == null || similarity < threshold) {
          belowThreshold = true; // nearest first: every later hit is further away
          break;
        }
        JsonNode value = StoredJson.tree(e, FIX);
        Map<String, Object> metadata = metadata(e, value);
        if (filter.test(metadata)) {
          out.add(document(e, value, metadata, similarity));
          if (out.size() == topK) {
            return out;
          }
        }
      }
      if (belowThreshold || hits.size() < candidates) {
        return out;
      }
      if (candidates == Recall.MAX_LIMIT) {
        break; // the filter passed too few of the nearest documents recall can give
      }
      candidates = Math.min(Recall.MAX_LIMIT, candidates * 4);
    }
    return exactScan(vector, topK, threshold, filter);
  }

  /** A document of the exact ranking. */
  private record Scored(
      MemoryEntry entry, JsonNode value, Map<String, Object> metadata, double similarity) {}

  /**
   * Every document of the scope, scored exactly, filtered and ranked; for what recall cannot reach.
   */
  private List<Document> exactScan(
      float[] query, int topK, double threshold, Predicate<Map<String, ?>> filter) {
    double asked = 0; // Recall.vector has checked the query: finite, not all zero
    for (float x : query) {
      asked += x * (double) x;
    }
    List<Scored> passed = new ArrayList<>();
    for (MemoryEntry e : memory().findByPrefix(MEMORY_TYPE, "")) {
      JsonNode value = StoredJson.tree(e, FIX);
      Map<String, Object> metadata = metadata(e, value);
      double similarity = cosine(query, asked, e, value.path(EMBEDDING));
      if (similarity >= threshold && filter.test(metadata)) {
        passed.add(new Scored(e, value, metadata, similarity));
      }
    }
    passed.sort(
        Comparator.comparingDouble(Scored::similarity)
            .reversed()
            .thenComparing(s -> s.entry().key()));
    return passed.stream()
        .limit(topK)
        .map(s -> document(s.entry(), s.value(), s.metadata(), s.similarity()))
        .toList();
  }

  /**
   * {@return the cosine similarity of the query (of squared norm {@code asked}) and a document's
   * stored embedding}
   */
  private static double cosine(float[] query, double asked, MemoryEntry e, JsonNode embedding) {
    if (!embedding.isArray() || embedding.isEmpty()) {
      throw StoredJson.corrupt(e, "has no \"embedding\" array of numbers", FIX);
    }
    if (embedding.size() != query.length) { // recall checked the query against the database
      throw StoredJson.corrupt(
          e,
          "has an embedding of "
              + embedding.size()
              + " numbers, but the database's vectors have "
              + query.length,
          FIX);
    }
    double dot = 0;
    double stored = 0;
    for (int i = 0; i < query.length; i++) {
      JsonNode n = embedding.get(i);
      float x = n.floatValue();
      if (!n.isNumber() || !Float.isFinite(x)) {
        throw StoredJson.corrupt(e, "has embedding[" + i + "] = " + n + ", not a float", FIX);
      }
      dot += x * (double) query[i];
      stored += x * (double) x;
    }
    if (stored == 0) {
      throw StoredJson.corrupt(e, "has an embedding of zeros", FIX);
    }
    return dot / Math.sqrt(stored * asked);
  }

  private static Map<String, Object> metadata(MemoryEntry e, JsonNode value) {
    JsonNode metadata = value.path("metadata");
    if (!value.path("text").isTextual() || !metadata.isObject()) {
      throw StoredJson.corrupt(
          e, "is not a stored document {\"text\": ..., \"metadata\": {...}}", FIX);
    }
    return StoredJson.members(metadata);
  }

  private static Document document(
      MemoryEntry e, JsonNode value, Map<String, Object> metadata, double similarity) {
    Map<String, Object> withDistance = new LinkedHashMap<>(metadata);
    withDistance.put(DocumentMetadata.DISTANCE.value(), 1 - similarity);
    return Document.builder()
        .id(e.key())
        .text(value.path("text").asText())
        .metadata(withDistance)
        .score(similarity)
        .build();
  }

  /** {@return the database} */
  @Override
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) db);
  }

  private Memory memory() {
    return db.memory(scope);
  }

  private static void checkKey(String id) {
    if (id.isEmpty() || id.length() > Memory.MAX_KEY_LENGTH) {
      throw invalid(
          "document id has "
              + id.length()
              + " characters; ids are memory keys of 1 to "
              + Memory.MAX_KEY_LENGTH);
    }
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Builds a {@link SwarmDbVectorStore}. Not thread safe. */
  public static final class Builder {
    private final SwarmDB db;
    private final EmbeddingModel embeddingModel;
    private Scope scope = DEFAULT_SCOPE;
    private String vectorModel;
    private BatchingStrategy batching = new TokenCountBatchingStrategy();

    private Builder(SwarmDB db, EmbeddingModel embeddingModel) {
      this.db = db;
      this.embeddingModel = embeddingModel;
      this.vectorModel = embeddingModel.getClass().getName();
    }

    /**
     * The scope to store the documents in (default {@link #DEFAULT_SCOPE}); a session's scope needs
     * its session to exist when documents are added.
     *
     * @param value the scope
     * @return this builder
     */
    public Builder scope(Scope value) {
      this.scope = Objects.requireNonNull(value, "scope");
      return this;
    }

    /**
     * The model id stored with every vector (default: the embedding model's class name). Name the
     * model itself, such as {@code text-embedding-3-small}, so that switching models is refused
     * instead of comparing vectors of two models.
     *
     * @param value not blank, at most 256 characters (checked when documents are added)
     * @return this builder
     */
    public Builder vectorModel(String value) {
      this.vectorModel = Objects.requireNonNull(value, "vectorModel");
      return this;
    }

    /**
     * How documents are grouped into embedding requests (default Spring AI's {@link
     * TokenCountBatchingStrategy}).
     *
     * @param value the strategy
     * @return this builder
     */
    public Builder batchingStrategy(BatchingStrategy value) {
      this.batching = Objects.requireNonNull(value, "batchingStrategy");
      return this;
    }

    /** {@return the store} */
    public SwarmDbVectorStore build() {
      return new SwarmDbVectorStore(this);
    }
  }
}
