package io.moaiflow.swarmdb.spring.ai;

import io.moaiflow.swarmdb.WordHashEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A deterministic Spring AI embedding model for tests: {@link WordHashEmbedder}'s vectors (texts
 * sharing words point the same way). Counts the texts it embedded. Thread safe.
 */
class WordHashEmbeddingModel implements EmbeddingModel {
  final WordHashEmbedder words;
  private final AtomicInteger texts = new AtomicInteger();

  WordHashEmbeddingModel(int dimension) {
    this.words = new WordHashEmbedder("word-hash", dimension);
  }

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<Embedding> out = new ArrayList<>();
    for (String text : request.getInstructions()) {
      texts.incrementAndGet();
      out.add(new Embedding(words.embed(text), out.size()));
    }
    return new EmbeddingResponse(out);
  }

  @Override
  public float[] embed(Document document) {
    return embed(String.valueOf(document.getText()));
  }

  @Override
  public int dimensions() {
    return words.dimension();
  }

  /** {@return how many texts were embedded} */
  int texts() {
    return texts.get();
  }
}
