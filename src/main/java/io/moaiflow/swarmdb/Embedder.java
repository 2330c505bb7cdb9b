package io.moaiflow.swarmdb;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns text into a vector of a fixed dimension, for semantic recall. The application supplies one
 * through {@link SwarmDbConfig.Builder#embedder}; {@code swarmdb-embeddings-minilm} ships a ready
 * offline one. SwarmDB calls it outside any transaction, before the write that stores the vector
 * with the entry, tagged with {@link #modelId()}; a database holds vectors of one model only.
 *
 * <p>Implementations must be thread safe: several threads may embed at once.
 */
public interface Embedder {

  /**
   * {@return the model's id, stored with every vector, for example {@code all-minilm-l6-v2-q}}
   * Vectors of another model are refused rather than compared.
   */
  String modelId();

  /** {@return the length of every vector this embedder returns, 1 to 4,096} */
  int dimension();

  /**
   * Embeds one text.
   *
   * @param text the text, not empty
   * @return a vector of {@link #dimension()} finite floats
   */
  float[] embed(String text);

  /**
   * Embeds several texts; the default calls {@link #embed} for each.
   *
   * @param texts the texts
   * @return one vector per text, in order
   */
  default List<float[]> embedAll(List<String> texts) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(embed(t));
    }
    return out;
  }
}
