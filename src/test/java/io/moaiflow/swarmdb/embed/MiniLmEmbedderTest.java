package io.moaiflow.swarmdb.embed;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.moaiflow.swarmdb.internal.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * What the MiniLM embedder promises: it is on the test class path, names its model and dimension,
 * refuses bad text before any model work, and embeds deterministically from several threads at once
 * (one model load, about a second). Recall by meaning is {@code MiniLmRecallTest} (tag {@code
 * minilm}, {@code -Pminilm}).
 */
class MiniLmEmbedderTest {
  @Test
  void isOnTheClassPathAndDescribesItsModel() {
    assertThat(MiniLmEmbedder.isAvailable()).isTrue();
    MiniLmEmbedder e = MiniLmEmbedder.create();
    assertThat(MiniLmEmbedder.create()).isSameAs(e);
    assertThat(e.modelId()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(e.dimension()).isEqualTo(384);
    assertThat(MiniLmEmbedder.ARTIFACT).endsWith(":1.19.0-beta29");
  }

  @Test
  void blankTextIsRefusedBeforeTheModelLoads() {
    MiniLmEmbedder e = MiniLmEmbedder.create();
    assertInvalid(() -> e.embed(""), "blank", "0 characters");
    assertInvalid(() -> e.embed(" \t\n"), "blank", "3 characters");
    assertInvalid(() -> e.embedAll(List.of("fine", " ")), "blank");
    assertThatNullPointerException().isThrownBy(() -> e.embed(null)).withMessage("text");
    assertThatNullPointerException()
        .isThrownBy(() -> e.embedAll(Arrays.asList("fine", null)))
        .withMessage("text");
    assertThat(e.embedAll(List.of())).isEmpty();
  }

  @Test
  void embeddingsAreDeterministicUnitVectorsFromAnyThread() throws Exception {
    MiniLmEmbedder e = MiniLmEmbedder.create();
    String text = "Connection refused by postgres at db.internal:5432; migration aborted.";
    float[] once = e.embed(text);
    assertThat(Vectors.normalised(e, once)).hasSize(384);
    double norm = Math.sqrt(Vectors.dot(once, once));
    assertThat(norm).isBetween(0.999, 1.001); // the model already normalises
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<float[]>> runs = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException ex) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(ex);
                }
                return e.embed(text);
              }));
    }
    start.countDown();
    Set<String> distinct = new HashSet<>();
    for (CompletableFuture<float[]> r : runs) {
      distinct.add(Arrays.toString(r.get()));
    }
    assertThat(distinct).containsExactly(Arrays.toString(once));
    assertThat(e.embedAll(List.of(text, "other"))).first().isEqualTo(once);
  }
}
