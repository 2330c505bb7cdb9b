package io.moaiflow.swarmdb.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Any LangChain4j {@link EmbeddingModel} as SwarmDB's {@link Embedder}, for {@link
 * SwarmDbConfig.Builder#embedder}: the model embeds every memory write and every recall query, and
 * the same model can sit in front of a {@link SwarmDbEmbeddingStore}.
 *
 * <pre>{@code
 * Embedder embedder = LangChain4jEmbedder.of("all-minilm-l6-v2-q", new AllMiniLmL6V2QuantizedEmbeddingModel());
 * SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(path).embedder(embedder).build());
 * }</pre>
 *
 * <p>The model id is the caller's: SwarmDB stores it with every vector and refuses vectors of
 * another id, so name the model and its version (LangChain4j's {@code modelName()} is often {@code
 * "unknown"}), and change the id when the model changes. {@link
 * io.moaiflow.swarmdb.embed.MiniLmEmbedder} is this adapter over LangChain4j's offline MiniLM.
 *
 * <p>Texts are checked before the model is asked: a blank one is {@link
 * ErrorCode#INVALID_ARGUMENT}; so is a vector of another length than {@link #dimension()}. The
 * model's own exceptions propagate as they are (a memory write reports them as {@code
 * INVALID_ARGUMENT} with the exception as cause, writing nothing).
 *
 * <p>Thread safe when the model is (LangChain4j's are): the adapter holds no state of its own.
 */
public final class LangChain4jEmbedder implements Embedder {
  private final String modelId;
  private final int dimension;
  private final Supplier<? extends EmbeddingModel> model;

  private LangChain4jEmbedder(
      String modelId, int dimension, Supplier<? extends EmbeddingModel> model) {
    this.modelId = modelId;
    this.dimension = dimension;
    this.model = model;
  }

  /**
   * An embedder over a model, of the dimension the model reports ({@link
   * EmbeddingModel#dimension()}, which for a model that does not know it embeds a probe text once,
   * here).
   *
   * @param modelId the id stored with every vector, not blank
   * @param model the model
   * @return the embedder
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a blank id or a reported
   *     dimension outside 1 to {@value Recall#MAX_VECTOR_DIMENSION}
   */
  public static LangChain4jEmbedder of(String modelId, EmbeddingModel model) {
    Objects.requireNonNull(model, "model");
    return of(modelId, model.dimension(), () -> model);
  }

  /**
   * An embedder whose model is obtained when a text is embedded, for a model that is slow or may
   * fail to load: {@code model} is called on every embed, after the texts are checked, so it should
   * return one instance (a holder class or a memoising supplier); what it throws propagates.
   *
   * @param modelId the id stored with every vector, not blank
   * @param dimension the length of the model's vectors, 1 to {@value Recall#MAX_VECTOR_DIMENSION}
   * @param model supplies the model
   * @return the embedder
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a blank id or a dimension out
   *     of range
   */
  public static LangChain4jEmbedder of(
      String modelId, int dimension, Supplier<? extends EmbeddingModel> model) {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(model, "model");
    if (modelId.isBlank()) {
      throw invalid("the embedder's model id is blank; name the model and its version");
    }
    if (dimension < 1 || dimension > Recall.MAX_VECTOR_DIMENSION) {
      throw invalid(
          "embedding model "
              + modelId
              + " has dimension "
              + dimension
              + "; SwarmDB stores vectors of 1 to "
              + Recall.MAX_VECTOR_DIMENSION
              + " dimensions");
    }
    return new LangChain4jEmbedder(modelId, dimension, model);
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /**
   * Embeds one text.
   *
   * @param text the text, not blank
   * @return the model's vector, of {@link #dimension()} floats
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a blank text or a vector of
   *     another length
   */
  @Override
  public float[] embed(String text) {
    check(text);
    return vector(model.get().embed(text).content());
  }

  /**
   * Embeds several texts with one call of the model's {@code embedAll}.
   *
   * @param texts the texts, none blank
   * @return one vector per text, in order
   * @throws SwarmDbException as {@link #embed} does, for a blank text before the model is asked;
   *     and when the model returns another number of vectors
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      check(t);
      segments.add(TextSegment.from(t));
    }
    if (segments.isEmpty()) {
      return List.of();
    }
    List<Embedding> embedded = model.get().embedAll(segments).content();
    if (embedded.size() != segments.size()) {
      throw invalid(
          "embedding model "
              + modelId
              + " returned "
              + embedded.size()
              + " vectors for "
              + segments.size()
              + " texts");
    }
    List<float[]> out = new ArrayList<>(embedded.size());
    for (Embedding e : embedded) {
      out.add(vector(e));
    }
    return List.copyOf(out);
  }

  private static void check(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw invalid(
          "the text to embed is blank (" + text.length() + " characters); pass some words");
    }
  }

  private float[] vector(Embedding e) {
    float[] v = e.vector();
    if (v.length != dimension) {
      throw invalid(
          "embedding model "
              + modelId
              + " returned "
              + v.length
              + " dimensions, not the "
              + dimension
              + " it was declared with; declare its real dimension");
    }
    return v;
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  @Override
  public String toString() {
    return "LangChain4jEmbedder[" + modelId + ", " + dimension + " dimensions]";
  }
}
