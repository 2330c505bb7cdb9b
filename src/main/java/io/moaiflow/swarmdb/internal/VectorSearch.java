package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Scope;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Nearest-neighbour search over the stored memory vectors. A placeholder until the vectors branch
 * lands: it finds nothing. Stateless and thread safe.
 */
public final class VectorSearch {
  private VectorSearch() {}

  /**
   * One stored entry near the query.
   *
   * @param scope the entry's scope
   * @param memoryType its memory type
   * @param key its key
   * @param similarity the cosine similarity to the query
   */
  public record Hit(Scope scope, String memoryType, String key, double similarity) {}

  /**
   * The {@code k} live entries most similar to a query, best first.
   *
   * @param h the read's handle
   * @param unitQuery the query vector, L2-normalised
   * @param scopes the scopes to search; empty for all
   * @param memoryType the memory type, or null for every type
   * @param k how many at most
   * @return the hits, best first
   */
  public static List<Hit> search(
      Handle h, float[] unitQuery, Set<Scope> scopes, @Nullable String memoryType, int k) {
    return List.of();
  }
}
