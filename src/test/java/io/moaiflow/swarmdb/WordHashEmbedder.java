package io.moaiflow.swarmdb;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic test embedder: each lower-cased word of the text adds 1 to the dimension its hash
 * picks, so texts sharing words point the same way. Counts its calls. Thread safe.
 */
public final class WordHashEmbedder implements Embedder {
  private final String modelId;
  private final int dimension;
  private final AtomicInteger calls = new AtomicInteger();

  /**
   * An embedder.
   *
   * @param modelId its model id
   * @param dimension its dimension
   */
  public WordHashEmbedder(String modelId, int dimension) {
    this.modelId = modelId;
    this.dimension = dimension;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] embed(String text) {
    calls.incrementAndGet();
    float[] v = new float[dimension];
    v[0] = 0.5f; // never all zero, even for a text without words
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode(), dimension)] += 1;
      }
    }
    return v;
  }

  /** {@return how many texts were embedded} */
  public int calls() {
    return calls.get();
  }
}
