package io.moaiflow.swarmdb.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.embed.MiniLmEmbedder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's offline MiniLM on both sides of one database: as the {@link EmbeddingModel} in
 * front of a {@link SwarmDbEmbeddingStore}, and the same instance, through {@link
 * LangChain4jEmbedder} (what {@link MiniLmEmbedder} is), as SwarmDB's own embedder, whose text
 * recall finds what the store added.
 */
class MiniLmEmbeddingStoreTest {

  @Test
  void theMiniLmModelFeedsTheStoreAndSwarmDbsRecall(@TempDir Path dir) {
    // on the calling thread, as MiniLmEmbedder runs it: no pool left running
    EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
    LangChain4jEmbedder embedder = LangChain4jEmbedder.of(MiniLmEmbedder.MODEL_ID, model);
    assertThat(embedder.dimension()).isEqualTo(MiniLmEmbedder.DIMENSION);
    SwarmDbConfig config =
        SwarmDbConfig.builder(dir.resolve("swarm.db")).embedder(embedder).build();
    try (SwarmDB db = SwarmDB.open(config)) {
      SwarmDbEmbeddingStore store = SwarmDbEmbeddingStore.builder(db).build();
      assertThat(store.vectorModel()).as("the embedder's id").isEqualTo(MiniLmEmbedder.MODEL_ID);
      List<TextSegment> segments =
          List.of(
              TextSegment.from("The database refused the connection on port 5432."),
              TextSegment.from("Bake the bread for forty minutes at 220 degrees."),
              TextSegment.from("The striker scored twice in the second half."));
      List<String> ids = store.addAll(model.embedAll(segments).content(), segments);

      List<EmbeddingMatch<TextSegment>> matches =
          store
              .search(
                  EmbeddingSearchRequest.builder()
                      .queryEmbedding(model.embed("postgres connection error").content())
                      .maxResults(1)
                      .build())
              .matches();
      assertThat(matches).extracting(EmbeddingMatch::embeddingId).containsExactly(ids.get(0));
      assertThat(matches.get(0).score()).isBetween(0.5, 1.0);

      List<RecallHit> hits =
          db.recall(
              Recall.query("postgres connection error")
                  .scopes(store.scope())
                  .memory()
                  .weights(0, 1, 0)
                  .limit(1));
      assertThat(hits).extracting(RecallHit::key).containsExactly(ids.get(0));
    }
  }
}
