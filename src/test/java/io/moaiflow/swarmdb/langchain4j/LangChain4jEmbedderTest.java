package io.moaiflow.swarmdb.langchain4j;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.WordHashEmbedder;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LangChain4jEmbedderTest {

  @Test
  void describesTheModelAndEmbedsThroughIt() {
    WordHashEmbeddingModel model = new WordHashEmbeddingModel(16);
    LangChain4jEmbedder e = LangChain4jEmbedder.of("word-hash-v1", model);
    assertThat(e.modelId()).isEqualTo("word-hash-v1");
    assertThat(e.dimension()).as("from the model").isEqualTo(16);
    float[] expected = new WordHashEmbedder("any", 16).embed("disk full on node 3");
    assertThat(e.embed("disk full on node 3")).isEqualTo(expected);
    assertThat(e.embedAll(List.of("disk full on node 3", "other"))).first().isEqualTo(expected);
    assertThat(e.embedAll(List.of())).isEmpty();
    assertThat(e).hasToString("LangChain4jEmbedder[word-hash-v1, 16 dimensions]");
  }

  @Test
  void badTextIsRefusedBeforeTheModelIsAsked() {
    AtomicInteger asked = new AtomicInteger();
    WordHashEmbeddingModel model = new WordHashEmbeddingModel(8);
    LangChain4jEmbedder e =
        LangChain4jEmbedder.of(
            "lazy",
            8,
            () -> {
              asked.incrementAndGet();
              return model;
            });
    assertInvalid(() -> e.embed(""), "blank", "0 characters");
    assertInvalid(() -> e.embed(" \t\n"), "blank", "3 characters");
    assertInvalid(() -> e.embedAll(List.of("fine", " ")), "blank");
    assertThatNullPointerException().isThrownBy(() -> e.embed(null)).withMessage("text");
    assertThatNullPointerException()
        .isThrownBy(() -> e.embedAll(Arrays.asList("fine", null)))
        .withMessage("text");
    assertThat(e.embedAll(List.of())).isEmpty();
    assertThat(asked).hasValue(0);
    e.embedAll(List.of("a", "b", "c"));
    assertThat(asked).as("once per call, after the checks").hasValue(1);
    assertThat(model.calls()).as("one embedAll for the three").isEqualTo(1);
  }

  @Test
  void theIdAndDimensionAreChecked() {
    WordHashEmbeddingModel model = new WordHashEmbeddingModel(8);
    assertInvalid(() -> LangChain4jEmbedder.of(" ", model), "model id is blank");
    assertInvalid(() -> LangChain4jEmbedder.of("m", 0, () -> model), "dimension 0", "1 to 4096");
    assertThat(LangChain4jEmbedder.of("m", 1, () -> model).dimension()).isEqualTo(1);
    assertThat(LangChain4jEmbedder.of("m", 4096, () -> model).dimension()).isEqualTo(4096);
    assertInvalid(() -> LangChain4jEmbedder.of("m", 4097, () -> model), "dimension 4097");
  }

  @Test
  void aModelThatBreaksItsDeclarationIsRefused() {
    LangChain4jEmbedder declaredWrong =
        LangChain4jEmbedder.of("m", 9, () -> new WordHashEmbeddingModel(8));
    assertInvalid(
        () -> declaredWrong.embed("text"),
        "embedding model m returned 8 dimensions, not the 9 it was declared with");
    EmbeddingModel dropsOne =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            return Response.from(List.of(Embedding.from(new float[] {1, 0})));
          }
        };
    LangChain4jEmbedder e = LangChain4jEmbedder.of("short", 2, () -> dropsOne);
    assertInvalid(() -> e.embedAll(List.of("a", "b")), "returned 1 vectors for 2 texts");
  }

  /** Configured as SwarmDB's embedder, the model embeds memory writes and recall queries. */
  @BackendTest
  void isSwarmDbsEmbedderOnBothBackends(TestBackend backend) {
    WordHashEmbeddingModel model = new WordHashEmbeddingModel(32);
    SwarmDB db = backend.open(b -> b.embedder(LangChain4jEmbedder.of("word-hash-v1", model)));
    Memory swarm = db.memory(Scope.swarm());
    swarm.put(Memory.SEMANTIC, "db", "postgres connection refused");
    swarm.put(Memory.SEMANTIC, "ui", "button colour");
    List<RecallHit> hits =
        db.recall(Recall.query("refused connection").memory().weights(0, 1, 0).limit(1));
    assertThat(hits).extracting(RecallHit::key).containsExactly("db");
    assertThat(model.calls()).as("two writes and one query").isEqualTo(3);
  }
}
