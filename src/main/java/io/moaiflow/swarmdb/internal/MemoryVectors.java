package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The vectors of memory writes: computed from {@link RecallText} by the configured {@link Embedder}
 * before the write is queued (never inside the writer's transaction), checked and normalised by
 * {@link Vectors#normalised}, stored as float32 and int8 with the model id; and the
 * one-model-per-database rule, checked in the write's transaction against {@code swarm_settings}
 * ({@code embedding_model}, {@code embedding_dimension}, recorded by the first vector). Stateless
 * and thread safe.
 */
final class MemoryVectors {
  static final String MODEL = "embedding_model";
  static final String DIMENSION = "embedding_dimension";

  static final String READ_SETTINGS =
      "SELECT name, value FROM swarm_settings WHERE name IN ('" + MODEL + "', '" + DIMENSION + "')";

  static final String RECORD_SETTING =
      "INSERT INTO swarm_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";

  private MemoryVectors() {}

  /**
   * One entry's stored vector: the embedder's model id and dimension, the normalised vector as
   * little-endian float32 ({@link Vectors#encode}) and the same vector as int8 ({@link
   * Vectors#quantise}). Immutable (the arrays are never handed out to callers).
   */
  static final class Vector {
    private final String model;
    private final int dimension;
    private final byte[] embedding;
    private final byte[] quantised;

    Vector(String model, int dimension, byte[] embedding, byte[] quantised) {
      this.model = model;
      this.dimension = dimension;
      this.embedding = embedding;
      this.quantised = quantised;
    }

    String model() {
      return model;
    }

    int dimension() {
      return dimension;
    }
  }

  /**
   * Embeds the recall texts of entries, outside any transaction.
   *
   * @param embedder the configured embedder, or null for none
   * @param keys the entries' keys
   * @param values their values as JSON text, in the same order
   * @return one vector per entry, or null when no embedder is configured
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the embedder declares a
   *     dimension outside 1 to {@value Vectors#MAX_DIMENSION}, returns a wrong number of vectors or
   *     a bad vector ({@link Vectors#normalised}), or throws (its exception is the cause)
   */
  static @Nullable List<Vector> embed(
      @Nullable Embedder embedder, List<String> keys, List<String> values) {
    if (embedder == null) {
      return null;
    }
    String model = embedder.modelId();
    int dimension = embedder.dimension();
    if (dimension < 1 || dimension > Vectors.MAX_DIMENSION) {
      throw Checks.invalid(
          "embedder "
              + model
              + " declares dimension "
              + dimension
              + "; it must be between 1 and "
              + Vectors.MAX_DIMENSION
              + ". Nothing was written");
    }
    if (keys.isEmpty()) {
      return List.of();
    }
    List<String> texts = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      texts.add(RecallText.of(keys.get(i), values.get(i)));
    }
    List<float[]> raw;
    try {
      raw = texts.size() == 1 ? List.of(embedder.embed(texts.get(0))) : embedder.embedAll(texts);
    } catch (SwarmDbException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "embedder "
              + model
              + " failed on the text of '"
              + Checks.printable(keys.get(0))
              + "'"
              + (keys.size() > 1 ? " and " + (keys.size() - 1) + " more" : "")
              + ": "
              + e
              + ". Nothing was written; fix the embedder, or configure none",
          e);
    }
    if (raw == null || raw.size() != texts.size()) {
      throw Checks.invalid(
          "embedder "
              + model
              + " returned "
              + (raw == null ? "null" : raw.size() + " vectors")
              + " for "
              + texts.size()
              + " texts; embedAll must return one vector per text. Nothing was written");
    }
    List<Vector> out = new ArrayList<>(raw.size());
    for (float[] v : raw) {
      if (v == null) {
        throw Checks.invalid("embedder " + model + " returned a null vector. Nothing was written");
      }
      float[] n = Vectors.normalised(embedder, v);
      out.add(new Vector(model, dimension, Vectors.encode(n), Vectors.quantise(n)));
    }
    return out;
  }

  /**
   * Checks the caller's vectors of puts (before the write is queued) and normalises them.
   *
   * @param configured the configured embedder, or null for none: when there is one, the caller's
   *     vectors must be of its model and dimension
   * @param model the id of the model that computed the vectors
   * @param puts the checked puts
   * @param vectors key to vector, exactly the puts' keys
   * @return one vector per put, in the puts' order
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} naming the key for a missing,
   *     extra, empty, too long, non-finite or all-zero vector, vectors of several lengths, or a
   *     model or length other than the configured embedder's
   */
  static List<Vector> given(
      @Nullable Embedder configured,
      String model,
      List<MemoryPut> puts,
      Map<String, float[]> vectors) {
    Checks.id("vectorModel", model);
    Objects.requireNonNull(vectors, "vectors");
    if (configured != null && !configured.modelId().equals(model)) {
      throw Checks.invalid(
          "the vectors are of model '"
              + Checks.printable(model)
              + "' but the configured embedder is "
              + configured.modelId()
              + "; a database holds vectors of one model. Pass its vectors, or configure no"
              + " embedder. Nothing was written");
    }
    Set<String> keys = new HashSet<>();
    for (MemoryPut p : puts) {
      keys.add(p.key());
    }
    for (String k : vectors.keySet()) {
      if (!keys.contains(k)) {
        throw Checks.invalid(
            "vectors holds key '"
                + Checks.printable(String.valueOf(k))
                + "', which has no value; pass exactly one vector per value. Nothing was written");
      }
    }
    int dimension = configured != null ? configured.dimension() : -1;
    List<Vector> out = new ArrayList<>(puts.size());
    for (MemoryPut p : puts) {
      float[] v = vectors.get(p.key());
      String name = "the vector of '" + Checks.printable(p.key()) + "'";
      if (v == null) {
        throw Checks.invalid(name + " is missing; pass one vector per value. Nothing was written");
      }
      if (v.length < 1 || v.length > Vectors.MAX_DIMENSION) {
        throw Checks.invalid(
            name
                + " has "
                + v.length
                + " dimensions; SwarmDB stores 1 to "
                + Vectors.MAX_DIMENSION
                + ". Nothing was written");
      }
      if (dimension == -1) {
        dimension = v.length;
      } else if (v.length != dimension) {
        throw Checks.invalid(
            name
                + " has "
                + v.length
                + " dimensions but "
                + (configured != null
                    ? "the configured embedder " + configured.modelId() + " has "
                    : "the first vector has ")
                + dimension
                + "; every vector of a database has one length. Nothing was written");
      }
      float[] n = Vectors.unit(Vectors.checkedDirection(name, v));
      out.add(new Vector(model, dimension, Vectors.encode(n), Vectors.quantise(n)));
    }
    return out;
  }

  /**
   * Checks, in the write's transaction, that the database's vectors are of this model and
   * dimension, recording both with the first vector. Runs before the write's first statement.
   *
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} naming both models and dimensions
   *     when the database holds another model's vectors
   */
  static void requireModel(Handle h, Vector v) throws SQLException {
    Recorded recorded = read(h);
    if (recorded.model() == null || recorded.dimension() == null) {
      record(h, MODEL, v.model());
      record(h, DIMENSION, Integer.toString(v.dimension()));
      recorded = read(h); // another process may have recorded its model first
    }
    if (!v.model().equals(recorded.model())
        || !Integer.toString(v.dimension()).equals(recorded.dimension())) {
      throw Checks.invalid(
          "embedder "
              + v.model()
              + " (dimension "
              + v.dimension()
              + ") is not the model of this database's vectors, "
              + recorded.model()
              + " (dimension "
              + recorded.dimension()
              + "); vectors of two models cannot be compared. Configure the embedder "
              + recorded.model()
              + " again, or keep this model's vectors in a new database. Nothing was written");
    }
  }

  /** The model and dimension {@code swarm_settings} records, each null until the first vector. */
  private record Recorded(@Nullable String model, @Nullable String dimension) {}

  private static void record(Handle h, String name, String value) throws SQLException {
    PreparedStatement ps = h.prepare(RECORD_SETTING);
    ps.setString(1, name);
    ps.setString(2, value);
    ps.executeUpdate();
  }

  private static Recorded read(Handle h) throws SQLException {
    String model = null;
    String dimension = null;
    try (ResultSet rs = h.prepare(READ_SETTINGS).executeQuery()) {
      while (rs.next()) {
        if (MODEL.equals(rs.getString(1))) {
          model = rs.getString(2);
        } else {
          dimension = rs.getString(2);
        }
      }
    }
    return new Recorded(model, dimension);
  }

  /** Binds a vector, or three NULLs, from {@code first}: model, quantised, float32. */
  static void bind(PreparedStatement ps, int first, @Nullable Vector v) throws SQLException {
    if (v == null) {
      ps.setNull(first, Types.VARCHAR);
      ps.setNull(first + 1, Types.BINARY);
      ps.setNull(first + 2, Types.BINARY);
    } else {
      ps.setString(first, v.model());
      ps.setBytes(first + 1, v.quantised);
      ps.setBytes(first + 2, v.embedding);
    }
  }

  /** {@return vector {@code i} of {@code vectors}, or null when there are none} */
  static @Nullable Vector at(@Nullable List<Vector> vectors, int i) {
    return vectors == null ? null : Objects.requireNonNull(vectors.get(i));
  }
}
