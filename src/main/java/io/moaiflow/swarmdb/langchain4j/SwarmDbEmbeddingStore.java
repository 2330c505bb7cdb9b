package io.moaiflow.swarmdb.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A LangChain4j {@link EmbeddingStore} of {@link TextSegment}s kept in SwarmDB memory and searched
 * by SwarmDB's recall by query vector:
 *
 * <pre>{@code
 * EmbeddingStore<TextSegment> store = SwarmDbEmbeddingStore.builder(db)
 *     .vectorModel("all-minilm-l6-v2-q")       // the id of the model that embeds the segments
 *     .scope(Scope.namespace("docs"))          // default: ns:langchain4j
 *     .build();
 * store.add(model.embed(segment).content(), segment);
 * }</pre>
 *
 * <h2>Storage</h2>
 *
 * Each embedding is one memory entry of the store's {@link Scope} (default {@link #DEFAULT_SCOPE}),
 * type {@value #MEMORY_TYPE}, keyed by the embedding's id, written with the caller-supplied vector
 * API ({@link Memory#put(String, String, Object, java.time.Duration, String, float[])}) under the
 * store's vector model id. Its JSON value holds the embedding exactly as given (a match returns it
 * unchanged; SwarmDB's own vector is stored normalised), and the segment: its text and its metadata
 * grouped by type ({@code string}, {@code uuid}, {@code int}, {@code long}, {@code float}, {@code
 * double}), so every value reads back with its own Java type. Full-text recall finds the segments'
 * words. A database holds vectors of one model and dimension: an embedding of another length, or a
 * store of another model id, is refused ({@link ErrorCode#INVALID_ARGUMENT}); with an {@link
 * Embedder} configured, the vector model must be the embedder's id (the default).
 *
 * <h2>Search</h2>
 *
 * {@link #search} asks SwarmDB's recall for the entries of the store's scope and type nearest to
 * the query vector (cosine similarity; the request's query text is not used). Scores follow
 * LangChain4j: {@link RelevanceScore#fromCosineSimilarity}, {@code (cosine + 1) / 2}, from 0 to 1;
 * matches with a score below {@code minScore} are left out. Without a filter one recall of {@code
 * maxResults} hits answers. With a filter, recall over-fetches: it asks for {@code max(4 *
 * maxResults, 50)} nearest entries, tests each one's metadata with the filter (LangChain4j's own
 * {@link Filter#test}), and asks for four times as many again until {@code maxResults} entries
 * passed, the entries ran out, or the scores fell below {@code minScore}; when {@value
 * Recall#MAX_LIMIT} nearest entries (recall's largest limit) are still not enough, the store reads
 * every entry of its scope and type, filters them and ranks them exactly. So a filter never hides a
 * match that ranks low, at the price of a full read of the store for a very selective filter. A
 * {@code maxResults} above {@value Recall#MAX_LIMIT} reads the whole store the same way. Like all
 * of SwarmDB's recall, a store of more than 5,000 entries is searched through an int8 pre-filter
 * that finds the exact nearest ten in at least 99 % of searches.
 *
 * <h2>Errors</h2>
 *
 * The arguments LangChain4j's store contract checks itself fail as in every LangChain4j store, with
 * {@link IllegalArgumentException} and LangChain4j's message: a null or blank id ({@code "id cannot
 * be null or blank"}), a null or empty id collection ({@code "ids cannot be null or empty"}), a
 * null filter ({@code "filter cannot be null"}). Everything else SwarmDB checks fails with {@link
 * SwarmDbException}, before anything is written: ids longer than {@value Memory#MAX_KEY_LENGTH}
 * characters, lists of different sizes, an id given twice, more than 10,000 embeddings in one
 * {@code addAll}, a vector that is empty, not finite, all zero or of another length than the
 * database's ({@link ErrorCode#INVALID_ARGUMENT}). An {@code addAll} is one transaction, and so is
 * a {@link #removeAll(Collection)} of at most 10,000 ids (more are refused with {@link
 * ErrorCode#INVALID_ARGUMENT}; remove them in parts): every id is checked first, the stored ones
 * are deleted and unknown ones skipped, all or nothing ({@link Memory#deleteAll}). {@link
 * #removeAll(Filter)} reads every entry, tests each one's metadata, then deletes the matches in one
 * transaction per 10,000 of them: up to 10,000 matches all or nothing; past that, an error of the
 * database part-way leaves the earlier transactions' entries removed. A stored value that is not
 * this store's JSON is {@link ErrorCode#CORRUPT}, naming the table and row, before anything is
 * removed.
 *
 * <p>This class is immutable and thread safe.
 */
public final class SwarmDbEmbeddingStore implements EmbeddingStore<TextSegment> {
  /** The memory type of the store's entries. */
  public static final String MEMORY_TYPE = "embedding";

  /** The scope a store uses unless told otherwise: {@code ns:langchain4j}. */
  public static final Scope DEFAULT_SCOPE = Scope.namespace("langchain4j");

  /** How many more nearest entries each over-fetching round of a filtered search asks for. */
  private static final int GROWTH = 4;

  /** Most ids one {@link #removeAll(Collection)} removes, and most keys one delete transaction. */
  private static final int MAX_REMOVE = 10_000;

  // reads this store's JSON only; decimals as BigDecimal, so every float and double reads back
  // exactly as Jackson wrote it. Never configured after this line.
  private static final ObjectMapper TREES =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final SwarmDB db;
  private final Memory memory;
  private final String vectorModel;

  private SwarmDbEmbeddingStore(SwarmDB db, Scope scope, String vectorModel) {
    this.db = db;
    this.memory = db.memory(scope);
    this.vectorModel = vectorModel;
  }

  /**
   * Starts a store over this database.
   *
   * @param db the open database; the store uses it until it is closed
   * @return a builder
   */
  public static Builder builder(SwarmDB db) {
    return new Builder(Objects.requireNonNull(db, "db"));
  }

  /** Builds a {@link SwarmDbEmbeddingStore}. Not thread safe; the store it builds is. */
  public static final class Builder {
    private final SwarmDB db;
    private Scope scope = DEFAULT_SCOPE;
    private @Nullable String vectorModel;

    private Builder(SwarmDB db) {
      this.db = db;
    }

    /**
     * The scope whose memory holds the entries (default {@link #DEFAULT_SCOPE}). Stores of
     * different scopes never see each other's entries. A session's scope needs its session.
     *
     * @param value the scope
     * @return this builder
     */
    public Builder scope(Scope value) {
      this.scope = Objects.requireNonNull(value, "scope");
      return this;
    }

    /**
     * The id of the model that computes the embeddings, stored with every vector (default: the
     * configured {@link Embedder}'s {@link Embedder#modelId()}; required without one).
     *
     * @param value not blank, at most 256 characters
     * @return this builder
     */
    public Builder vectorModel(String value) {
      this.vectorModel = Objects.requireNonNull(value, "vectorModel");
      return this;
    }

    /**
     * The store.
     *
     * @return the store
     * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when no vector model is set and
     *     the database has no embedder, or the vector model is blank
     */
    public SwarmDbEmbeddingStore build() {
      Embedder embedder = db.config().embedder();
      String model =
          vectorModel != null ? vectorModel : embedder == null ? null : embedder.modelId();
      if (model == null) {
        throw invalid(
            "SwarmDbEmbeddingStore needs the id of the model that computes its embeddings, and the"
                + " database has no embedder to take it from: call vectorModel(\"...\")");
      }
      if (model.isBlank()) {
        throw invalid("SwarmDbEmbeddingStore's vector model is blank; name the model");
      }
      return new SwarmDbEmbeddingStore(db, scope, model);
    }
  }

  /** {@return the scope whose memory holds the entries} */
  public Scope scope() {
    return memory.scope();
  }

  /** {@return the model id stored with every vector} */
  public String vectorModel() {
    return vectorModel;
  }

  /**
   * Adds an embedding without a segment, under a new random UUID.
   *
   * @param embedding the embedding
   * @return its id
   */
  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  /**
   * Adds an embedding without a segment under an id; an entry of that id is replaced.
   *
   * @param id the id, at most {@value Memory#MAX_KEY_LENGTH} characters
   * @param embedding the embedding
   */
  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(checkId(id)), List.of(embedding), null);
  }

  /**
   * Adds an embedding with its segment, under a new random UUID.
   *
   * @param embedding the embedding
   * @param segment the segment it embeds
   * @return its id
   */
  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = UUID.randomUUID().toString();
    addAll(List.of(id), List.of(embedding), List.of(Objects.requireNonNull(segment, "segment")));
    return id;
  }

  /**
   * Adds embeddings without segments, under new random UUIDs, in one transaction.
   *
   * @param embeddings at most 10,000
   * @return their ids, in order
   */
  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    Objects.requireNonNull(embeddings, "embeddings");
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  /**
   * Adds embeddings with their segments, under new random UUIDs, in one transaction.
   *
   * @param embeddings at most 10,000
   * @param segments one per embedding (a null item adds its embedding without a segment)
   * @return their ids, in order
   */
  @Override
  public List<String> addAll(List<Embedding> embeddings, List<TextSegment> segments) {
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(segments, "segments");
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, segments);
    return ids;
  }

  /**
   * Adds embeddings under the caller's ids, in one transaction; entries of those ids are replaced.
   *
   * @param ids the ids, distinct, each at most {@value Memory#MAX_KEY_LENGTH} characters
   * @param embeddings one per id, at most 10,000
   * @param segments one per id (a null item adds its embedding without a segment), or null for none
   */
  @Override
  public void addAll(
      List<String> ids, List<Embedding> embeddings, @Nullable List<TextSegment> segments) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size())) {
      throw invalid(
          "addAll got "
              + ids.size()
              + " ids, "
              + embeddings.size()
              + " embeddings and "
              + (segments == null ? "no" : Integer.toString(segments.size()))
              + " segments; pass one embedding (and one segment, or none at all) per id."
              + " Nothing was written");
    }
    if (ids.isEmpty()) {
      return;
    }
    Map<String, JsonNode> values = new LinkedHashMap<>();
    Map<String, float[]> vectors = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = checkId(ids.get(i));
      Embedding embedding = embeddings.get(i);
      if (embedding == null) {
        throw invalid("embedding " + i + " of " + ids.size() + " is null. Nothing was written");
      }
      if (values.put(id, value(embedding, segments == null ? null : segments.get(i))) != null) {
        throw invalid(
            "id '"
                + StoredRows.printable(id)
                + "' is given twice (the second time at "
                + i
                + "); every id must be distinct. Nothing was written");
      }
      vectors.put(id, embedding.vector());
    }
    memory.putAll(MEMORY_TYPE, values, null, vectorModel, vectors);
  }

  /**
   * Removes an embedding; an unknown id is no error.
   *
   * @param id the id
   */
  @Override
  public void remove(String id) {
    memory.delete(MEMORY_TYPE, checkId(id));
  }

  /**
   * Removes embeddings in one transaction, all or nothing: every id is checked first, then the
   * stored ones are deleted; unknown ids are no error.
   *
   * @param ids the ids, not empty, at most 10,000 (a repeated id is removed once)
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is removed, for
   *     more than 10,000 ids or an id longer than {@value Memory#MAX_KEY_LENGTH} characters
   */
  @Override
  public void removeAll(Collection<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids cannot be null or empty");
    }
    List<String> checked = new ArrayList<>(ids.size());
    for (String id : ids) {
      checked.add(checkId(id));
    }
    if (checked.size() > MAX_REMOVE) {
      throw invalid(
          "removeAll got "
              + checked.size()
              + " ids; the limit is "
              + MAX_REMOVE
              + " a call (one transaction): remove them in parts. Nothing was removed");
    }
    memory.deleteAll(MEMORY_TYPE, checked); // SwarmDB checks each key before deleting any
  }

  /**
   * Removes the embeddings whose segment's metadata passes the filter (an embedding without a
   * segment is tested with empty metadata, as LangChain4j's in-memory store does). Reads every
   * entry of the store, then deletes the matches in one transaction per 10,000 of them (see the
   * class description).
   *
   * @param filter the filter
   */
  @Override
  public void removeAll(Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    List<String> matching = new ArrayList<>();
    for (MemoryEntry e : memory.findByPrefix(MEMORY_TYPE, "")) {
      if (filter.test(read(e).metadata())) {
        matching.add(e.key());
      }
    }
    for (int from = 0; from < matching.size(); from += MAX_REMOVE) {
      memory.deleteAll(
          MEMORY_TYPE, matching.subList(from, Math.min(from + MAX_REMOVE, matching.size())));
    }
  }

  /** Removes every embedding of the store, in one write; the scope's other memory stays. */
  @Override
  public void removeAll() {
    memory.clear(MEMORY_TYPE);
  }

  /**
   * The entries nearest to the request's query embedding, best first; see the class description for
   * scores, {@code minScore} and how a filter is applied.
   *
   * @param request the query embedding, {@code maxResults}, {@code minScore} and an optional filter
   * @return the matches, at most {@code maxResults}, by descending score
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a query vector that is empty,
   *     not finite, all zero or of another dimension than the stored vectors; {@link
   *     ErrorCode#CORRUPT} for a stored value that is not this store's JSON
   */
  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    Objects.requireNonNull(request, "request");
    Embedding query = Objects.requireNonNull(request.queryEmbedding(), "queryEmbedding");
    Recall recall =
        Recall.query("")
            .vector(query.vector())
            .scopes(memory.scope())
            .memory()
            .memoryType(MEMORY_TYPE)
            .weights(0, 1, 0);
    int want = request.maxResults();
    Filter filter = request.filter();
    if (want <= Recall.MAX_LIMIT) {
      int limit = filter == null ? want : Math.min(Math.max(want * GROWTH, 50), Recall.MAX_LIMIT);
      while (true) {
        List<RecallHit> hits = db.recall(recall.limit(limit));
        List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
        boolean belowMinScore = false;
        for (RecallHit hit : hits) {
          double score = RelevanceScore.fromCosineSimilarity(similarity(hit));
          if (score < request.minScore()) {
            belowMinScore = true; // hits come by descending similarity: no later one qualifies
            break;
          }
          Stored stored = read(Objects.requireNonNull(hit.entry()));
          if (filter == null || filter.test(stored.metadata())) {
            matches.add(stored.match(score));
            if (matches.size() == want) {
              break;
            }
          }
        }
        if (matches.size() == want || belowMinScore || hits.size() < limit) {
          return new EmbeddingSearchResult<>(matches);
        }
        if (limit == Recall.MAX_LIMIT) {
          break; // the filter passed too few of the nearest entries recall can give
        }
        limit = Math.min(limit * GROWTH, Recall.MAX_LIMIT);
      }
    } else {
      db.recall(recall.limit(1)); // checks the query's dimension against the database's vectors
    }
    return new EmbeddingSearchResult<>(exactScan(query, want, request.minScore(), filter));
  }

  /**
   * Every entry of the store, filtered, scored exactly and ranked; for what recall cannot reach.
   */
  private List<EmbeddingMatch<TextSegment>> exactScan(
      Embedding query, int want, double minScore, @Nullable Filter filter) {
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
    for (MemoryEntry e : memory.findByPrefix(MEMORY_TYPE, "")) {
      Stored stored = read(e);
      if (query.dimension() != stored.embedding().dimension()) { // recall checked the query
        throw new SwarmDbException(
            ErrorCode.CORRUPT,
            "the LangChain4j embedding in "
                + StoredRows.row(e.scope(), e.memoryType(), e.key())
                + " has "
                + stored.embedding().dimension()
                + " numbers, but the database's vectors have "
                + query.dimension()
                + "; remove it with remove(id), or restore the database from a backup");
      }
      double score =
          RelevanceScore.fromCosineSimilarity(CosineSimilarity.between(query, stored.embedding()));
      if (score >= minScore && (filter == null || filter.test(stored.metadata()))) {
        matches.add(stored.match(score));
      }
    }
    matches.sort(
        Comparator.comparing((EmbeddingMatch<TextSegment> m) -> m.score())
            .reversed()
            .thenComparing(EmbeddingMatch::embeddingId));
    return List.copyOf(matches.subList(0, Math.min(want, matches.size())));
  }

  private static double similarity(RecallHit hit) {
    Double similarity = hit.vectorSimilarity();
    if (similarity == null) { // a query with no words ranks by the vector list alone
      throw new IllegalStateException("recall by vector returned a hit without similarity: " + hit);
    }
    return similarity;
  }

  private static String checkId(@Nullable String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id cannot be null or blank");
    }
    return id;
  }

  // ---- the stored JSON -------------------------------------------------------------------------

  /** Metadata value groups, by the Java type LangChain4j's {@link Metadata} holds. */
  private enum Group {
    STRING("string", String.class),
    UUID("uuid", java.util.UUID.class),
    INT("int", Integer.class),
    LONG("long", Long.class),
    FLOAT("float", Float.class),
    DOUBLE("double", Double.class);

    final String field;
    final Class<?> type;

    Group(String field, Class<?> type) {
      this.field = field;
      this.type = type;
    }

    static Group of(String key, Object value) {
      for (Group g : values()) {
        if (g.type.isInstance(value)) {
          return g;
        }
      }
      throw invalid(
          "metadata '"
              + StoredRows.printable(key)
              + "' holds a "
              + value.getClass().getName()
              + ", which LangChain4j's Metadata does not hold. Nothing was written");
    }

    void put(ObjectNode group, String key, Object value) {
      switch (this) {
        case STRING, UUID -> group.put(key, value.toString());
        case INT -> group.put(key, (Integer) value);
        case LONG -> group.put(key, (Long) value);
        case FLOAT -> group.put(key, (Float) value);
        case DOUBLE -> group.put(key, (Double) value);
      }
    }

    /** Reads one value; null when the node is not of this group's kind. */
    @Nullable Object read(JsonNode node) {
      return switch (this) {
        case STRING -> node.isTextual() ? node.textValue() : null;
        case UUID -> node.isTextual() ? java.util.UUID.fromString(node.textValue()) : null;
        case INT -> node.canConvertToInt() && node.isIntegralNumber() ? node.intValue() : null;
        case LONG -> node.canConvertToLong() && node.isIntegralNumber() ? node.longValue() : null;
        case FLOAT -> node.isNumber() ? node.decimalValue().floatValue() : null;
        case DOUBLE -> node.isNumber() ? node.decimalValue().doubleValue() : null;
      };
    }
  }

  private static ObjectNode value(Embedding embedding, @Nullable TextSegment segment) {
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    ArrayNode vector = value.putArray("embedding");
    for (float f : embedding.vector()) {
      vector.add(f);
    }
    if (segment != null) {
      ObjectNode s = value.putObject("segment");
      s.put("text", segment.text());
      ObjectNode metadata = s.putObject("metadata");
      for (Map.Entry<String, Object> e : segment.metadata().toMap().entrySet()) {
        Group g = Group.of(e.getKey(), e.getValue());
        JsonNode group = metadata.get(g.field);
        g.put(
            group == null ? metadata.putObject(g.field) : (ObjectNode) group,
            e.getKey(),
            e.getValue());
      }
    }
    return value;
  }

  /** One entry as read back. */
  private record Stored(String id, Embedding embedding, @Nullable TextSegment segment) {
    Metadata metadata() {
      return segment == null ? new Metadata() : segment.metadata();
    }

    EmbeddingMatch<TextSegment> match(double score) {
      return new EmbeddingMatch<>(score, id, embedding, segment);
    }
  }

  private Stored read(MemoryEntry entry) {
    try {
      JsonNode value = TREES.readTree(entry.valueJson());
      JsonNode vector = value.path("embedding");
      if (!vector.isArray() || vector.isEmpty()) {
        throw new IllegalArgumentException("no \"embedding\" array of numbers");
      }
      float[] floats = new float[vector.size()];
      for (int i = 0; i < floats.length; i++) {
        JsonNode n = vector.get(i);
        if (!n.isNumber()) {
          throw new IllegalArgumentException("embedding[" + i + "] is " + n + ", not a number");
        }
        floats[i] = n.decimalValue().floatValue();
      }
      JsonNode segment = value.path("segment");
      TextSegment text = null;
      if (!segment.isMissingNode()) {
        JsonNode t = segment.path("text");
        if (!t.isTextual()) {
          throw new IllegalArgumentException("segment.text is " + t + ", not a string");
        }
        text = TextSegment.from(t.textValue(), metadata(segment.path("metadata")));
      }
      return new Stored(entry.key(), Embedding.from(floats), text);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "the LangChain4j embedding in "
              + StoredRows.row(entry.scope(), entry.memoryType(), entry.key())
              + " is not this store's JSON ("
              + e.getMessage()
              + "); remove it with remove(id), or restore the database from a backup",
          e);
    }
  }

  private static Metadata metadata(JsonNode node) {
    Metadata metadata = new Metadata();
    if (!node.isObject()) {
      throw new IllegalArgumentException("segment.metadata is " + node + ", not an object");
    }
    for (Group g : Group.values()) {
      JsonNode group = node.path(g.field);
      if (group.isMissingNode()) {
        continue;
      }
      for (Map.Entry<String, JsonNode> e : group.properties()) {
        Object v = g.read(e.getValue());
        if (v == null) {
          throw new IllegalArgumentException(
              "metadata " + g.field + " '" + e.getKey() + "' is " + e.getValue());
        }
        metadata.putAll(Map.of(e.getKey(), v));
      }
    }
    return metadata;
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  @Override
  public String toString() {
    return "SwarmDbEmbeddingStore[" + memory.scope() + ", " + vectorModel + "]";
  }
}
