package io.moaiflow.swarmdb.internal;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moaiflow.swarmdb.Embedder;
import org.junit.jupiter.api.Test;

/** The limits of the vector codec and of the search's choice of path. */
class VectorsTest {
  @Test
  void theQuantisedPathRunsAboveTheThreshold() {
    int t = VectorSearch.QUANTISED_THRESHOLD;
    assertThat(VectorSearch.quantised(t - 1, t)).isFalse();
    assertThat(VectorSearch.quantised(t, t)).isFalse();
    assertThat(VectorSearch.quantised(t + 1, t)).isTrue();
    assertThat(t).isEqualTo(5_000);
  }

  @Test
  void anEmbeddersDimensionMustBeOneTo4096() {
    for (int dim : new int[] {1, 2, Vectors.MAX_DIMENSION - 1, Vectors.MAX_DIMENSION}) {
      float[] v = new float[dim];
      v[0] = 3;
      assertThat(Vectors.normalised(embedder(dim), v)).hasSize(dim).startsWith(1f);
    }
    for (int dim : new int[] {0, -1, Vectors.MAX_DIMENSION + 1}) {
      assertInvalid(
          () -> Vectors.normalised(embedder(dim), new float[Math.max(dim, 0)]),
          "declares " + dim + " dimensions",
          "1 to 4096");
    }
  }

  static Embedder embedder(int dim) {
    return new Embedder() {
      @Override
      public String modelId() {
        return "fixed-" + dim;
      }

      @Override
      public int dimension() {
        return dim;
      }

      @Override
      public float[] embed(String text) {
        return new float[dim];
      }
    };
  }

  @Test
  void normalisedRefusesWhatAnEmbedderMustNotReturn() {
    assertInvalid(
        () -> Vectors.normalised(embedder(4), new float[3]), "returned 3 dimensions", "declares 4");
    assertInvalid(
        () -> Vectors.normalised(embedder(2), new float[] {1, Float.POSITIVE_INFINITY}),
        "Infinity at dimension 1");
    assertInvalid(() -> Vectors.normalised(embedder(2), new float[2]), "all-zero");
    assertThat(Vectors.normalised(embedder(2), new float[] {3, 4})).containsExactly(0.6f, 0.8f);
  }

  @Test
  void dotProductsMatchADoubleSum() {
    java.util.Random r = new java.util.Random(1);
    for (int dim : new int[] {1, 2, 3, 4, 5, 7, 384, 4_095, 4_096}) {
      float[] a = new float[dim];
      float[] b = new float[dim];
      double want = 0;
      double norms = 0;
      for (int i = 0; i < dim; i++) {
        a[i] = (float) r.nextGaussian();
        b[i] = (float) r.nextGaussian();
        want += (double) a[i] * b[i];
        norms += Math.abs((double) a[i] * b[i]);
      }
      assertThat((double) Vectors.dot(a, b))
          .as("dim %d", dim)
          .isCloseTo(want, within(1e-6 * norms));
      // int8: within the quantisation error of unit vectors
      float[] ua = VectorSearchTest.normal(a);
      float[] ub = VectorSearchTest.normal(b);
      assertThat((double) Vectors.dotQ8(Vectors.quantise(ua), Vectors.quantise(ub)))
          .isCloseTo(Vectors.dot(ua, ub), within(0.02));
    }
  }
}
