package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * The stored form of an entry's vector. {@code embedding} is the L2-normalised vector as
 * little-endian float32 (so cosine similarity is a dot product); {@code embedding_q8} the same
 * vector quantised to int8: a little-endian float32 scale {@code s}, then one signed byte per
 * dimension, {@code round(v[i] / s)}, with {@code s = max|v[i]| / 127}. Stateless, thread safe.
 */
public final class Vectors {
  /** Largest dimension accepted. */
  public static final int MAX_DIMENSION = 4_096;

  private Vectors() {}

  /**
   * Checks an embedder's output and normalises it.
   *
   * @throws SwarmDbException INVALID_ARGUMENT for a declared dimension outside 1 to {@value
   *     #MAX_DIMENSION}, a wrong length, a non-finite or an all-zero vector
   */
  public static float[] normalised(Embedder embedder, float[] v) {
    int dim = embedder.dimension();
    if (dim < 1 || dim > MAX_DIMENSION) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "embedder "
              + embedder.modelId()
              + " declares "
              + dim
              + " dimensions; SwarmDB stores 1 to "
              + MAX_DIMENSION
              + ". Use a model of at most "
              + MAX_DIMENSION
              + " dimensions");
    }
    if (v.length != dim) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "embedder "
              + embedder.modelId()
              + " returned "
              + v.length
              + " dimensions but declares "
              + dim
              + "; fix the embedder's dimension()");
    }
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT,
            "embedder " + embedder.modelId() + " returned " + v[i] + " at dimension " + i);
      }
      sum += (double) v[i] * v[i];
    }
    if (sum == 0) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "embedder " + embedder.modelId() + " returned an all-zero vector; it has no direction");
    }
    return scaled(v, sum);
  }

  /**
   * Checks that a caller's vector has a direction: every number finite, not all 0.
   *
   * @param name how a message names the vector, such as "the recall vector"
   * @return {@code v}
   * @throws SwarmDbException INVALID_ARGUMENT naming the first non-finite number's dimension, or an
   *     all-zero vector
   */
  public static float[] checkedDirection(String name, float[] v) {
    boolean nonZero = false;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT, name + " has " + v[i] + " at dimension " + i + "; fix it");
      }
      nonZero |= v[i] != 0;
    }
    if (!nonZero) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT, name + " is all zeros; it has no direction");
    }
    return v;
  }

  /**
   * The vector scaled to unit length, for one already checked (finite, not all zero), such as a
   * {@code Recall.vector}.
   */
  public static float[] unit(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return scaled(v, sum);
  }

  private static float[] scaled(float[] v, double squares) {
    float norm = (float) Math.sqrt(squares);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / norm;
    }
    return out;
  }

  public static byte[] encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * Reads a stored vector.
   *
   * @param row names the row for a CORRUPT message
   * @throws SwarmDbException CORRUPT when the length is not {@code dimension * 4}
   */
  public static float[] decode(Supplier<String> row, byte[] blob, int dimension) {
    if (blob.length != dimension * 4) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          row.get()
              + " has an embedding of "
              + blob.length
              + " bytes; "
              + dimension
              + " dimensions need "
              + dimension * 4
              + ". Delete or rewrite the entry");
    }
    float[] v = new float[dimension];
    ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  public static byte[] quantise(float[] v) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float scale = max == 0 ? 1 : max / 127f;
    ByteBuffer b = ByteBuffer.allocate(4 + v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putFloat(scale);
    for (float x : v) {
      b.put((byte) Math.round(x / scale));
    }
    return b.array();
  }

  /** The dot product of a quantised stored vector and a query already quantised the same way. */
  public static float dotQ8(byte[] stored, byte[] query) {
    int dim = query.length - 4;
    int acc = 0; // at most 4,096 * 127 * 127, well inside an int
    for (int i = 4; i < dim + 4; i++) {
      acc += stored[i] * query[i];
    }
    return acc * scaleOf(stored) * scaleOf(query);
  }

  /** {@return the little-endian float32 scale a quantised vector starts with} */
  static float scaleOf(byte[] q8) {
    return ByteBuffer.wrap(q8).order(ByteOrder.LITTLE_ENDIAN).getFloat(0);
  }

  public static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
