package io.moaiflow.swarmdb;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One ranked result of {@link SwarmDB#recall}: a memory entry or an event, its fused score and the
 * parts the score was made of (see {@link Recall} for the fusion). This record is immutable and
 * thread safe.
 *
 * @param kind a memory entry or an event
 * @param score the fused score; higher is better
 * @param textRank the 1-based rank in the full-text list, or null when the text did not match
 * @param textScore the full-text score as the engine gives it, or null: SQLite's {@code bm25}
 *     (negative; lower is better), PostgreSQL's {@code ts_rank_cd} (positive; higher is better)
 * @param vectorSimilarity the cosine similarity to the query vector, or null when the item was not
 *     in the vector list
 * @param recency {@code exp(-age / 7 days)}, 0 to 1
 * @param scope the memory entry's scope, or null for an event
 * @param memoryType the memory entry's type, or null for an event
 * @param key the memory entry's key, or null for an event
 * @param seq the event's log position, or null for a memory entry
 * @param snippet the matched text with each match marked as {@code [word]}, or the start of the
 *     text when only the vector matched
 * @param entry the memory entry as stored, or null for an event
 * @param event the event as stored, or null for a memory entry
 */
public record RecallHit(
    Kind kind,
    double score,
    @Nullable Integer textRank,
    @Nullable Double textScore,
    @Nullable Double vectorSimilarity,
    double recency,
    @Nullable Scope scope,
    @Nullable String memoryType,
    @Nullable String key,
    @Nullable Long seq,
    String snippet,
    @Nullable MemoryEntry entry,
    @Nullable AgentEvent event) {

  /** What a hit is. */
  public enum Kind {
    /** A memory entry of some scope. */
    MEMORY,
    /** An event of the log. */
    EVENT
  }

  /**
   * Checks that the fields fit the kind: a memory hit has a scope, type, key and entry and no
   * event; an event hit has a seq and event and none of the memory fields. The parameters are the
   * record's components, as the record description has them.
   *
   * @param kind the kind
   * @param score the fused score
   * @param textRank the full-text rank, or null
   * @param textScore the engine's full-text score, or null
   * @param vectorSimilarity the cosine similarity, or null
   * @param recency the recency, 0 to 1
   * @param scope the memory entry's scope, or null
   * @param memoryType the memory entry's type, or null
   * @param key the memory entry's key, or null
   * @param seq the event's seq, or null
   * @param snippet the marked text
   * @param entry the memory entry, or null
   * @param event the event, or null
   * @throws IllegalArgumentException when they do not fit
   */
  public RecallHit {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(snippet, "snippet");
    boolean fits =
        kind == Kind.MEMORY
            ? scope != null
                && memoryType != null
                && key != null
                && entry != null
                && seq == null
                && event == null
            : seq != null
                && event != null
                && scope == null
                && memoryType == null
                && key == null
                && entry == null;
    if (!fits) {
      throw new IllegalArgumentException("the fields of a " + kind + " hit do not fit its kind");
    }
  }
}
