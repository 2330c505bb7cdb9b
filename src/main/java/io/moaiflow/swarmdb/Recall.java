package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Vectors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A recall query for {@link SwarmDB#recall}: text (and, with an embedder or a query vector, its
 * meaning) searched over memory entries and events, with filters, a limit and fusion weights.
 *
 * <pre>{@code
 * List<RecallHit> hits = db.recall(Recall.query("which agent hit a connection error?")
 *     .scopes(Scope.swarm(), Scope.agent("agent-7"))
 *     .limit(5));
 * }</pre>
 *
 * <h2>What is searched</h2>
 *
 * <ul>
 *   <li><b>Full text.</b> The query's words (runs of letters and digits; everything else separates
 *       them, so quotes, {@code AND}, {@code *} or {@code NEAR(} are plain words or nothing) are
 *       matched, any of them, against the key and every string inside a memory entry's JSON value,
 *       and against an event's type, agent id, agent type and every string in its metadata. SQLite
 *       ranks by FTS5's {@code bm25} (Porter stemming, diacritics folded); PostgreSQL by {@code
 *       ts_rank_cd} over the {@code english} configuration (which also drops English stop words).
 *   <li><b>Meaning.</b> When {@link #semantic(boolean)} holds (by default, when the configuration
 *       has an {@link Embedder}), the query text is embedded outside any transaction, or the vector
 *       of {@link #vector(float[])} is used, and the memory entries with the most similar stored
 *       vectors (cosine) form a second list. Events have no vectors.
 * </ul>
 *
 * <h2>Fusion</h2>
 *
 * Each list keeps its best {@code max(limit * 4, 50)} items: the full-text list holds memory
 * entries and events together, ordered by the engine's score; the vector list, memory entries by
 * similarity. Every item of either list gets a weighted reciprocal-rank fusion score
 *
 * <pre>
 * score = wText / (60 + textRank) + wVector / (60 + vectorRank) + wRecency * recency
 * recency = exp(-age / 7 days)
 * </pre>
 *
 * where the ranks are 1-based, a list adds nothing for an item it does not hold, and the age is the
 * time from the entry's {@code updatedAt} or the event's timestamp to now on the configured clock
 * (a future time counts as age 0). Hits are ordered by score (ties: better text rank, then better
 * vector rank, then newer) and the first {@link #limit(int)} are returned. The defaults are {@code
 * wText = 1, wVector = 1, wRecency = 0.2}.
 *
 * <h2>Filters</h2>
 *
 * {@link #scopes} and {@link #memoryType} narrow memory entries; {@link #agent} and {@link
 * #eventType} narrow events; {@link #since} and {@link #until} narrow both (an entry's {@code
 * updatedAt}, an event's timestamp). Expired, deleted and retained-away items are never hits. When
 * event indexing is switched off ({@link SwarmDbConfig.Builder#indexEvents}) no event is a
 * full-text hit, and recall says nothing else about it.
 *
 * <p>Each method checks its argument and returns a new query; bad input throws {@link
 * SwarmDbException} with {@link ErrorCode#INVALID_ARGUMENT} at once, and the checks that need the
 * database's configuration (a query with no word and no vector, semantic recall without an
 * embedder, a vector of the wrong dimension) throw from {@link SwarmDB#recall} before any work.
 *
 * <p>This class is immutable and thread safe.
 */
public final class Recall {
  /** Longest query text accepted, in characters. */
  public static final int MAX_QUERY_LENGTH = 4_096;

  /** Most distinct words (case-insensitively) a query may have. */
  public static final int MAX_WORDS = 64;

  /** Most scopes one query may name. */
  public static final int MAX_SCOPES = 100;

  /** Largest {@link #limit(int)}. */
  public static final int MAX_LIMIT = 1_000;

  /** Largest weight. */
  public static final double MAX_WEIGHT = 10;

  /** Longest query vector accepted, in dimensions. */
  public static final int MAX_VECTOR_DIMENSION = 4_096;

  /** Default number of hits. */
  public static final int DEFAULT_LIMIT = 10;

  /** The reciprocal-rank fusion constant {@code k}. */
  public static final int RANK_CONSTANT = 60;

  private final String text;
  private final List<String> words;
  private final Set<Scope> scopes;
  private final boolean memory;
  private final boolean events;
  private final @Nullable String memoryType;
  private final @Nullable String agent;
  private final @Nullable String eventType;
  private final @Nullable Instant since;
  private final @Nullable Instant until;
  private final int limit;
  private final double textWeight;
  private final double vectorWeight;
  private final double recencyWeight;
  private final @Nullable Boolean semantic;
  private final float @Nullable [] vector;

  /** The settings of a query being derived from another; never shared. Not thread safe. */
  private static final class Parts {
    String text;
    List<String> words;
    Set<Scope> scopes = Set.of();
    boolean memory;
    boolean events;
    @Nullable String memoryType;
    @Nullable String agent;
    @Nullable String eventType;
    @Nullable Instant since;
    @Nullable Instant until;
    int limit = DEFAULT_LIMIT;
    double textWeight = 1;
    double vectorWeight = 1;
    double recencyWeight = 0.2;
    @Nullable Boolean semantic;
    float @Nullable [] vector;

    Parts(String text, List<String> words) {
      this.text = text;
      this.words = words;
    }
  }

  private Recall(Parts p) {
    this.text = p.text;
    this.words = p.words;
    this.scopes = p.scopes;
    this.memory = p.memory;
    this.events = p.events;
    this.memoryType = p.memoryType;
    this.agent = p.agent;
    this.eventType = p.eventType;
    this.since = p.since;
    this.until = p.until;
    this.limit = p.limit;
    this.textWeight = p.textWeight;
    this.vectorWeight = p.vectorWeight;
    this.recencyWeight = p.recencyWeight;
    this.semantic = p.semantic;
    this.vector = p.vector;
  }

  /** A copy of this query with {@code change} applied to its settings. */
  private Recall with(Consumer<Parts> change) {
    Parts p = new Parts(text, words);
    p.scopes = scopes;
    p.memory = memory;
    p.events = events;
    p.memoryType = memoryType;
    p.agent = agent;
    p.eventType = eventType;
    p.since = since;
    p.until = until;
    p.limit = limit;
    p.textWeight = textWeight;
    p.vectorWeight = vectorWeight;
    p.recencyWeight = recencyWeight;
    p.semantic = semantic;
    p.vector = vector;
    change.accept(p);
    return new Recall(p);
  }

  /**
   * A query over memory and events, in every scope, for the 10 best hits.
   *
   * @param text the question or words; may be blank only when a {@link #vector} is given
   * @return the query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the text is longer than
   *     {@value #MAX_QUERY_LENGTH} characters, has a NUL or an unpaired surrogate, or more than
   *     {@value #MAX_WORDS} distinct words
   */
  public static Recall query(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_QUERY_LENGTH) {
      throw invalid(
          "the recall query has "
              + text.length()
              + " characters; the limit is "
              + MAX_QUERY_LENGTH
              + ". Shorten it to its key words");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw invalid("the recall query has a NUL character at index " + i + "; remove it");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair
      } else if (Character.isSurrogate(c)) {
        throw invalid("the recall query has an unpaired surrogate at index " + i + "; remove it");
      }
    }
    List<String> words = words(text);
    if (words.size() > MAX_WORDS) {
      throw invalid(
          "the recall query has "
              + words.size()
              + " distinct words; the limit is "
              + MAX_WORDS
              + ". Keep the words that matter");
    }
    return new Recall(new Parts(text, words));
  }

  /** The distinct words, lower-cased, in order: runs of letters and digits. */
  private static List<String> words(String text) {
    Set<String> out = new LinkedHashSet<>();
    StringBuilder word = new StringBuilder();
    int i = 0;
    while (i <= text.length()) {
      int cp = i < text.length() ? text.codePointAt(i) : ' ';
      if (Character.isLetterOrDigit(cp)) {
        word.appendCodePoint(cp);
      } else if (word.length() > 0) {
        out.add(word.toString().toLowerCase(Locale.ROOT));
        word.setLength(0);
      }
      i += Character.charCount(cp);
    }
    return List.copyOf(out);
  }

  /**
   * Searches only these scopes' memory (default: every scope). Replaces earlier scopes.
   *
   * @param scopes 1 to {@value #MAX_SCOPES} scopes
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for none or more than {@value
   *     #MAX_SCOPES}
   */
  public Recall scopes(Scope... scopes) {
    Objects.requireNonNull(scopes, "scopes");
    if (scopes.length == 0 || scopes.length > MAX_SCOPES) {
      throw invalid(
          "recall got "
              + scopes.length
              + " scopes; pass 1 to "
              + MAX_SCOPES
              + " (leave scopes unset to search every scope)");
    }
    Set<Scope> set = new LinkedHashSet<>();
    for (Scope s : scopes) {
      set.add(Objects.requireNonNull(s, "scope"));
    }
    return with(p -> p.scopes = Set.copyOf(set));
  }

  /**
   * Includes memory entries. Without {@code memory()} and {@link #events()} both are searched; with
   * one of them, only that kind.
   *
   * @return the new query
   */
  public Recall memory() {
    return with(p -> p.memory = true);
  }

  /**
   * Includes events; see {@link #memory()}.
   *
   * @return the new query
   */
  public Recall events() {
    return with(p -> p.events = true);
  }

  /**
   * Only memory entries of this type.
   *
   * @param type a memory type such as {@code semantic}
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an invalid type name
   */
  public Recall memoryType(String type) {
    return with(p -> p.memoryType = checkType("memoryType", type));
  }

  /**
   * Only events of this agent.
   *
   * @param agentId the agent
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an empty id or one longer than
   *     {@value Scope#MAX_ID_LENGTH} characters
   */
  public Recall agent(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (agentId.isBlank() || agentId.length() > Scope.MAX_ID_LENGTH) {
      throw invalid(
          "recall agent id has "
              + agentId.length()
              + " characters; pass a non-blank id of at most "
              + Scope.MAX_ID_LENGTH);
    }
    return with(p -> p.agent = agentId);
  }

  /**
   * Only events of this type.
   *
   * @param type an event type such as {@code error}
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an invalid type name
   */
  public Recall eventType(String type) {
    return with(p -> p.eventType = checkType("eventType", type));
  }

  /**
   * Only items from this time on (inclusive): entries updated, events stamped.
   *
   * @param from the start
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when it is not before {@link
   *     #until}
   */
  public Recall since(Instant from) {
    Objects.requireNonNull(from, "since");
    checkWindow(from, until);
    return with(p -> p.since = from);
  }

  /**
   * Only items before this time (exclusive).
   *
   * @param to the end
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when it is not after {@link #since}
   */
  public Recall until(Instant to) {
    Objects.requireNonNull(to, "until");
    checkWindow(since, to);
    return with(p -> p.until = to);
  }

  /**
   * How many hits at most (default {@value #DEFAULT_LIMIT}).
   *
   * @param max 1 to {@value #MAX_LIMIT}
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} outside that range
   */
  public Recall limit(int max) {
    if (max < 1 || max > MAX_LIMIT) {
      throw invalid("recall limit is " + max + "; it must be between 1 and " + MAX_LIMIT);
    }
    return with(p -> p.limit = max);
  }

  /**
   * The fusion weights (default 1, 1, 0.2); see the class description.
   *
   * @param text the full-text list's weight, 0 to {@value #MAX_WEIGHT}
   * @param vector the vector list's weight, 0 to {@value #MAX_WEIGHT}
   * @param recency the recency's weight, 0 to {@value #MAX_WEIGHT}
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a weight that is not a number
   *     in that range, or when all three are 0
   */
  public Recall weights(double text, double vector, double recency) {
    checkWeight("text", text);
    checkWeight("vector", vector);
    checkWeight("recency", recency);
    if (text == 0 && vector == 0 && recency == 0) {
      throw invalid("recall weights are all 0; give at least one a weight above 0");
    }
    return with(
        p -> {
          p.textWeight = text;
          p.vectorWeight = vector;
          p.recencyWeight = recency;
        });
  }

  /**
   * Whether to search by meaning too (default: when the configuration has an {@link Embedder}).
   * True without an embedder and without a {@link #vector} fails in {@link SwarmDB#recall}.
   *
   * @param on true to add the vector list, false for full text only
   * @return the new query
   */
  public Recall semantic(boolean on) {
    return with(p -> p.semantic = on);
  }

  /**
   * Searches by this vector instead of embedding the text (the text, when it has words, is still
   * searched as full text). It is normalised to unit length; its dimension must be the embedder's
   * (checked by {@link SwarmDB#recall}).
   *
   * @param query the vector, 1 to 4,096 finite numbers, not all 0; copied
   * @return the new query
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an empty or longer vector, a
   *     non-finite number or an all-zero vector
   */
  public Recall vector(float[] query) {
    Objects.requireNonNull(query, "vector");
    if (query.length == 0 || query.length > MAX_VECTOR_DIMENSION) {
      throw invalid(
          "the recall vector has "
              + query.length
              + " dimensions; it must have 1 to "
              + MAX_VECTOR_DIMENSION);
    }
    float[] copy = Vectors.checkedDirection("the recall vector", query.clone());
    return with(p -> p.vector = copy);
  }

  private static String checkType(String name, String type) {
    Objects.requireNonNull(type, name);
    boolean ok =
        !type.isEmpty() && type.length() <= 64 && Character.isLetterOrDigit(type.charAt(0));
    for (int i = 0; ok && i < type.length(); i++) {
      char c = type.charAt(i);
      ok = (c < 128 && Character.isLetterOrDigit(c)) || "_.:-".indexOf(c) >= 0;
    }
    if (!ok) {
      throw invalid(
          "recall "
              + name
              + " '"
              + type.replaceAll("\\p{Cntrl}", "?")
              + "' is not a valid type name; use 1 to 64 letters, digits, '_', '.', ':' or '-',"
              + " starting with a letter or digit");
    }
    return type;
  }

  private static void checkWindow(@Nullable Instant from, @Nullable Instant to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw invalid("recall since " + from + " is not before until " + to + "; swap or widen them");
    }
  }

  private static void checkWeight(String name, double w) {
    if (!(w >= 0 && w <= MAX_WEIGHT)) {
      throw invalid(
          "recall " + name + " weight is " + w + "; it must be a number from 0 to " + MAX_WEIGHT);
    }
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** {@return the query text as given} */
  public String text() {
    return text;
  }

  /** {@return the distinct words searched as full text, lower-cased, in order} */
  public List<String> words() {
    return List.copyOf(words); // already unmodifiable: no copy is made
  }

  /** {@return the scopes searched, or empty for every scope} */
  public Set<Scope> scopeFilter() {
    return Set.copyOf(scopes); // already unmodifiable: no copy is made
  }

  /** {@return whether memory entries are searched} */
  public boolean includesMemory() {
    return memory || !events;
  }

  /** {@return whether events are searched} */
  public boolean includesEvents() {
    return events || !memory;
  }

  /** {@return the memory type filter, or null} */
  public @Nullable String memoryTypeFilter() {
    return memoryType;
  }

  /** {@return the agent filter, or null} */
  public @Nullable String agentFilter() {
    return agent;
  }

  /** {@return the event type filter, or null} */
  public @Nullable String eventTypeFilter() {
    return eventType;
  }

  /** {@return the inclusive start of the time window, or null} */
  public @Nullable Instant sinceFilter() {
    return since;
  }

  /** {@return the exclusive end of the time window, or null} */
  public @Nullable Instant untilFilter() {
    return until;
  }

  /** {@return the most hits returned} */
  public int maxHits() {
    return limit;
  }

  /** {@return the weights: text, vector, recency} */
  public List<Double> weightList() {
    return List.of(textWeight, vectorWeight, recencyWeight);
  }

  /** {@return whether semantic search was asked for or refused, or null for the default} */
  public @Nullable Boolean semanticSetting() {
    return semantic;
  }

  /** {@return a copy of the query vector, or null} */
  public float @Nullable [] queryVector() {
    return vector == null ? null : vector.clone();
  }

  /** {@return the number of candidates each list keeps: {@code max(limit * 4, 50)}} */
  public int candidates() {
    return Math.max(limit * 4, 50);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add("text=" + text);
    if (!scopes.isEmpty()) {
      parts.add("scopes=" + scopes);
    }
    parts.add("memory=" + includesMemory() + ", events=" + includesEvents());
    if (memoryType != null) {
      parts.add("memoryType=" + memoryType);
    }
    if (agent != null) {
      parts.add("agent=" + agent);
    }
    if (eventType != null) {
      parts.add("eventType=" + eventType);
    }
    if (since != null) {
      parts.add("since=" + since);
    }
    if (until != null) {
      parts.add("until=" + until);
    }
    parts.add("limit=" + limit);
    parts.add("weights=" + weightList());
    if (semantic != null) {
      parts.add("semantic=" + semantic);
    }
    if (vector != null) {
      parts.add("vector=" + vector.length + " dimensions");
    }
    return "Recall[" + String.join(", ", parts) + "]";
  }
}
