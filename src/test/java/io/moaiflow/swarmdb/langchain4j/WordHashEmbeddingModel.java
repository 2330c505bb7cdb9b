package io.moaiflow.swarmdb.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.moaiflow.swarmdb.WordHashEmbedder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link WordHashEmbedder} as a LangChain4j {@link EmbeddingModel}: deterministic, offline, texts
 * sharing words point the same way. Counts its {@code embedAll} calls. Thread safe.
 */
final class WordHashEmbeddingModel implements EmbeddingModel {
  private final WordHashEmbedder words;
  private final AtomicInteger calls = new AtomicInteger();

  WordHashEmbeddingModel(int dimension) {
    this.words = new WordHashEmbedder("word-hash", dimension);
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    calls.incrementAndGet();
    return Response.from(
        segments.stream().map(s -> Embedding.from(words.embed(s.text()))).toList());
  }

  @Override
  public int dimension() {
    return words.dimension();
  }

  /** {@return how many times the model was asked} */
  int calls() {
    return calls.get();
  }
}
