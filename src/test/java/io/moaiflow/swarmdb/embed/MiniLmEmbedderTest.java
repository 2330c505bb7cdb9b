package io.moaiflow.swarmdb.embed;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the MiniLM embedder promises without loading its model (the default build): it is on the
 * test class path, names its model and dimension, and refuses bad text before any model work. The
 * model itself runs in {@code MiniLmRecallTest} (tag {@code minilm}, {@code -Pminilm}).
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
}
