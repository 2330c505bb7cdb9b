package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.SqliteOnly;
import io.moaiflow.swarmdb.internal.RecallText;
import io.moaiflow.swarmdb.internal.Vectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The write side of semantic recall on both backends: with an embedder, every memory write stores
 * the entry's normalised vector (float32 and int8) and model, computed on the caller's thread
 * before the write; without one, a write clears the columns; one model and dimension per database;
 * an embedder's failure or bad vector writes nothing.
 */
class MemoryVectorsTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
  static final String TYPE = Memory.SEMANTIC;

  MemoryVectorsTest() {
    super(T0);
  }

  private SwarmDB with(Embedder e) {
    return backend.open(b -> b.clock(clock).embedder(e));
  }

  private static List<Scope> scopes() {
    return List.of(
        Scope.session("s"), Scope.agent("planner"), Scope.swarm(), Scope.namespace("user:alice"));
  }

  /** The stored vector columns of an entry: model, float32 blob, int8 blob. */
  private Object[] stored(Scope scope, String key) throws Exception {
    boolean session = scope.kind() == Scope.Kind.SESSION;
    String sql =
        "SELECT embedding_model, embedding, embedding_q8 FROM "
            + (session ? "session_memory WHERE session_id" : "scoped_memory WHERE scope")
            + " = ? AND memory_type = ? AND key = ?";
    try (Connection c = backend.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, session ? scope.id() : scope.toString());
      ps.setString(2, TYPE);
      ps.setString(3, key);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as(scope + " " + key).isTrue();
        return new Object[] {rs.getString(1), rs.getBytes(2), rs.getBytes(3)};
      }
    }
  }

  private Map<String, String> settings() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = backend.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name, value FROM swarm_settings ORDER BY name")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  @BackendTest
  void everyWriteStoresTheNormalisedVectorOfItsRecallText() throws Exception {
    db.sessions().start("s");
    WordHashEmbedder e = new WordHashEmbedder("word-hash-v1", 16);
    SwarmDB vdb = with(e);
    for (Scope scope : scopes()) {
      Memory m = vdb.memory(scope);
      MemoryEntry put = m.put(TYPE, "lang", Map.of("v", "java", "notes", List.of("fast", 1)));
      String text = RecallText.of("lang", put.valueJson());
      float[] expected = Vectors.normalised(e, e.embed(text));
      Object[] row = stored(scope, "lang");
      assertThat(row[0]).isEqualTo("word-hash-v1");
      assertThat((byte[]) row[1]).isEqualTo(Vectors.encode(expected)).hasSize(16 * 4);
      assertThat((byte[]) row[2]).isEqualTo(Vectors.quantise(expected)).hasSize(4 + 16);
      assertThat(Vectors.decode(() -> "row", (byte[]) row[1], 16)).containsExactly(expected);
      // putAll and importJson store vectors too
      m.putAll(TYPE, Map.of("a", "alpha", "b", "beta"), null);
      assertThat(stored(scope, "b")[1])
          .isEqualTo(Vectors.encode(Vectors.normalised(e, e.embed("b beta"))));
      String doc = m.exportJson();
      m.clear();
      assertThat(m.importJson(doc)).isEqualTo(3);
      assertThat(stored(scope, "a")[1])
          .isEqualTo(Vectors.encode(Vectors.normalised(e, e.embed("a alpha"))));
      assertThat(stored(scope, "lang")[1]).isEqualTo(Vectors.encode(expected));
    }
    assertThat(settings())
        .containsEntry("embedding_model", "word-hash-v1")
        .containsEntry("embedding_dimension", "16")
        .containsEntry("event_index", "on")
        .hasSize(3);
  }

  @BackendTest
  void theVectorIsComputedOnTheCallersThreadBeforeTheWrite() {
    db.sessions().start("s");
    List<String> threads = new CopyOnWriteArrayList<>();
    WordHashEmbedder inner = new WordHashEmbedder("m", 4);
    Embedder e =
        new Embedder() {
          @Override
          public String modelId() {
            return inner.modelId();
          }

          @Override
          public int dimension() {
            return inner.dimension();
          }

          @Override
          public float[] embed(String text) {
            threads.add(Thread.currentThread().getName());
            return inner.embed(text);
          }
        };
    SwarmDB vdb = with(e);
    vdb.memory(Scope.swarm()).put(TYPE, "k", "v");
    vdb.memory(Scope.swarm()).putAll(TYPE, Map.of("k1", 1, "k2", 2), null);
    assertThat(threads).hasSize(3).containsOnly(Thread.currentThread().getName());
  }

  @BackendTest
  void aWriteWithoutAnEmbedderClearsTheStaleVector() throws Exception {
    db.sessions().start("s");
    try (SwarmDB vdb = with(new WordHashEmbedder("m", 8))) {
      for (Scope scope : scopes()) {
        vdb.memory(scope).put(TYPE, "k", "first");
        vdb.memory(scope).put(TYPE, "k2", "first");
        vdb.memory(scope).put(TYPE, "k3", "first");
      }
    }
    for (Scope scope : scopes()) {
      assertThat(stored(scope, "k")[0]).isEqualTo("m");
      Memory m = db.memory(scope); // this database has no embedder
      m.put(TYPE, "k", "changed");
      m.putAll(TYPE, Map.of("k2", "changed"), null);
      m.importJson("{\"entries\":[{\"memoryType\":\"semantic\",\"key\":\"k3\",\"value\":\"x\"}]}");
      for (String key : List.of("k", "k2", "k3")) {
        assertThat(stored(scope, key)).as(scope + " " + key).containsOnlyNulls();
      }
    }
  }

  @BackendTest
  void aSecondModelOrDimensionIsRefusedBeforeAnythingIsWritten() throws Exception {
    db.sessions().start("s");
    try (SwarmDB first = with(new WordHashEmbedder("model-a", 8))) {
      first.memory(Scope.swarm()).put(TYPE, "k", "v");
    }
    for (Embedder other :
        List.<Embedder>of(new WordHashEmbedder("model-b", 8), new WordHashEmbedder("model-a", 9))) {
      try (SwarmDB vdb = with(other)) {
        for (Scope scope : scopes()) {
          Memory m = vdb.memory(scope);
          SwarmDbException ex =
              assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.put(TYPE, "new", 1));
          assertThat(ex.getMessage())
              .contains(
                  "embedder " + other.modelId() + " (dimension " + other.dimension() + ")",
                  "model-a (dimension 8)",
                  "Configure the embedder model-a again",
                  "Nothing was written");
          assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.putAll(TYPE, Map.of("n1", 1), null));
          assertFails(
              ErrorCode.INVALID_ARGUMENT,
              () ->
                  m.importJson("{\"entries\":[{\"memoryType\":\"x\",\"key\":\"n\",\"value\":1}]}"));
          assertThat(m.keys(TYPE)).doesNotContain("new", "n1");
          assertThat(m.keys("x")).isEmpty();
        }
        assertThat(vdb.memory(Scope.swarm()).get(TYPE, "k", String.class)).contains("v");
      }
    }
    assertThat(settings())
        .containsEntry("embedding_model", "model-a")
        .containsEntry("embedding_dimension", "8");
    // the recorded model goes on writing
    try (SwarmDB same = with(new WordHashEmbedder("model-a", 8))) {
      same.memory(Scope.agent("x")).put(TYPE, "k", "fine");
      assertThat(stored(Scope.agent("x"), "k")[0]).isEqualTo("model-a");
    }
  }

  @BackendTest
  void anEmbedderThatFailsWritesNothing() {
    db.sessions().start("s");
    Embedder broken =
        new Embedder() {
          @Override
          public String modelId() {
            return "broken";
          }

          @Override
          public int dimension() {
            return 4;
          }

          @Override
          public float[] embed(String text) {
            throw new IllegalStateException("model file missing");
          }
        };
    SwarmDB vdb = with(broken);
    for (Scope scope : scopes()) {
      Memory m = vdb.memory(scope);
      SwarmDbException e = assertFails(ErrorCode.INVALID_ARGUMENT, () -> m.put(TYPE, "k", "v"));
      assertThat(e.getMessage())
          .contains(
              "embedder broken failed on the text of 'k'",
              "model file missing",
              "Nothing was written");
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
      assertThat(
              assertFails(
                      ErrorCode.INVALID_ARGUMENT,
                      () -> m.putAll(TYPE, Map.of("a", 1, "b", 2), null))
                  .getMessage())
          .contains("and 1 more");
      assertFails(
          ErrorCode.INVALID_ARGUMENT,
          () -> m.importJson("{\"entries\":[{\"memoryType\":\"x\",\"key\":\"n\",\"value\":1}]}"));
      assertThat(m.recent(10)).isEmpty();
    }
    assertThat(db.memory(Scope.swarm()).recent(10)).isEmpty();
  }

  @BackendTest
  void badVectorsAndDimensionsAreRefusedAtTheirLimits() {
    int max = Vectors.MAX_DIMENSION;
    for (int dim : new int[] {1, max - 1, max}) {
      SwarmDB vdb = with(new WordHashEmbedder("dim-" + dim, dim));
      Memory m = vdb.memory(Scope.namespace("d" + dim));
      // each database takes one dimension: the first write records it
      m.put(TYPE, "k", "value");
      assertThat(m.get(TYPE, "k", String.class)).contains("value");
      vdb.close();
      clearSettings();
    }
    for (int dim : new int[] {0, max + 1}) {
      SwarmDB vdb = with(new WordHashEmbedder("dim-" + dim, dim));
      assertInvalid(
          () -> vdb.memory(Scope.swarm()).put(TYPE, "k", 1),
          "declares dimension " + dim,
          "between 1 and " + max);
    }
    for (float[] bad :
        List.of(
            new float[3],
            new float[] {1, 2},
            new float[] {1, Float.NaN, 0},
            new float[] {0, 0, 0})) {
      Embedder fixed =
          new Embedder() {
            @Override
            public String modelId() {
              return "fixed";
            }

            @Override
            public int dimension() {
              return 3;
            }

            @Override
            public float[] embed(String text) {
              return bad;
            }
          };
      SwarmDB vdb = with(fixed);
      assertFails(ErrorCode.INVALID_ARGUMENT, () -> vdb.memory(Scope.swarm()).put(TYPE, "k", 1));
      assertThat(vdb.memory(Scope.swarm()).keys(TYPE)).isEmpty();
    }
    WordHashEmbedder words = new WordHashEmbedder("short", 3);
    Embedder shortAll =
        new Embedder() {
          @Override
          public String modelId() {
            return words.modelId();
          }

          @Override
          public int dimension() {
            return words.dimension();
          }

          @Override
          public float[] embed(String text) {
            return words.embed(text);
          }

          @Override
          public List<float[]> embedAll(List<String> texts) {
            return new ArrayList<>(List.of(embed(texts.get(0))));
          }
        };
    SwarmDB vdb = with(shortAll);
    assertInvalid(
        () -> vdb.memory(Scope.swarm()).putAll(TYPE, Map.of("a", 1, "b", 2), null),
        "returned 1 vectors for 2 texts");
  }

  @BackendTest
  void aCallersVectorIsStoredNormalisedAndRecalledWithoutAnEmbedder() throws Exception {
    db.sessions().start("s");
    for (Scope scope : scopes()) {
      Memory m = db.memory(scope);
      MemoryEntry e = m.put(TYPE, "north", Map.of("text", "up"), null, "caller-v1", v(0, 3, 4));
      assertThat(e.version()).isEqualTo(1);
      Object[] row = stored(scope, "north");
      assertThat(row[0]).isEqualTo("caller-v1");
      assertThat((byte[]) row[1]).isEqualTo(Vectors.encode(v(0, 0.6f, 0.8f)));
      assertThat((byte[]) row[2]).isEqualTo(Vectors.quantise(v(0, 0.6f, 0.8f)));
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("east", "right");
      values.put("west", "left");
      List<MemoryEntry> all =
          m.putAll(
              TYPE, values, null, "caller-v1", Map.of("west", v(-2, 0, 0), "east", v(5, 0, 0)));
      assertThat(all).extracting(MemoryEntry::key).containsExactly("east", "west");
      assertThat((byte[]) stored(scope, "west")[1]).isEqualTo(Vectors.encode(v(-1, 0, 0)));
      // the caller's query vector finds the nearest stored one first
      List<RecallHit> hits =
          db.recall(Recall.query("").vector(v(-1, 0.1f, 0)).scopes(scope).limit(3));
      assertThat(hits).extracting(RecallHit::key).containsExactly("west", "north", "east");
      assertThat(hits.get(0).vectorSimilarity()).isGreaterThan(0.99);
    }
    assertThat(settings())
        .containsEntry("embedding_model", "caller-v1")
        .containsEntry("embedding_dimension", "3");
  }

  @BackendTest
  void badCallerVectorsAreRefusedAtTheirLimitsAndWriteNothing() {
    Memory m = db.memory(Scope.swarm());
    int max = Vectors.MAX_DIMENSION;
    for (int dim : new int[] {1, max - 1, max}) {
      float[] ones = new float[dim];
      java.util.Arrays.fill(ones, 1);
      m.put(TYPE, "d" + dim, "x", null, "dims", ones);
      assertThat(m.get(TYPE, "d" + dim, String.class)).contains("x");
      clearSettings();
    }
    String id255 = "m".repeat(255);
    String id256 = "m".repeat(256);
    for (String ok : List.of(id255, id256)) {
      m.put(TYPE, "id", 1, null, ok, v(1));
      clearSettings();
    }
    m.clear();
    List<Runnable> bad =
        List.of(
            () -> m.put(TYPE, "k", 1, null, "x", new float[0]),
            () -> m.put(TYPE, "k", 1, null, "x", new float[max + 1]),
            () -> m.put(TYPE, "k", 1, null, "m".repeat(257), v(1)),
            () -> m.put(TYPE, "k", 1, null, " ", v(1)),
            () -> m.put(TYPE, "k", 1, null, "x", v(1, Float.NaN)),
            () -> m.put(TYPE, "k", 1, null, "x", v(0, 0)),
            () -> m.putAll(TYPE, Map.of("a", 1, "b", 2), null, "x", Map.of("a", v(1))),
            () -> m.putAll(TYPE, Map.of("a", 1), null, "x", Map.of("a", v(1), "z", v(1))),
            () -> m.putAll(TYPE, Map.of("a", 1, "b", 2), null, "x", twoLengths()));
    for (Runnable r : bad) {
      assertFails(ErrorCode.INVALID_ARGUMENT, r::run);
    }
    assertInvalid(() -> m.put(TYPE, "k", 1, null, "x", new float[max + 1]), "4097 dimensions");
    assertInvalid(
        () -> m.putAll(TYPE, Map.of("a", 1, "b", 2), null, "x", Map.of("a", v(1))),
        "the vector of 'b' is missing");
    assertInvalid(
        () -> m.putAll(TYPE, Map.of("a", 1), null, "x", Map.of("a", v(1), "z", v(1))),
        "vectors holds key 'z', which has no value");
    assertInvalid(() -> m.put(TYPE, "k", 1, null, "x", v(0, 0)), "all zeros");
    assertThat(m.keys(TYPE)).isEmpty();
    assertThat(settingsUnchecked()).doesNotContainKey("embedding_model");
    // one model per database: the first vector's model and length hold
    m.put(TYPE, "k", 1, null, "x", v(1, 0));
    assertInvalid(() -> m.put(TYPE, "k2", 1, null, "y", v(1, 0)), "not the model");
    assertInvalid(() -> m.put(TYPE, "k2", 1, null, "x", v(1, 0, 0)), "(dimension 3)");
    assertThat(m.keys(TYPE)).containsExactly("k");
  }

  @BackendTest
  void aCallersVectorMustBeOfTheConfiguredEmbeddersModelAndLength() {
    try (SwarmDB vdb = with(new WordHashEmbedder("words", 4))) {
      Memory m = vdb.memory(Scope.agent("a"));
      assertInvalid(
          () -> m.put(TYPE, "k", 1, null, "other", v(1, 0, 0, 0)),
          "model 'other' but the configured embedder is words");
      assertInvalid(
          () -> m.put(TYPE, "k", 1, null, "words", v(1, 0, 0)),
          "has 3 dimensions but the configured embedder words has 4");
      assertThat(m.keys(TYPE)).isEmpty();
      m.put(TYPE, "k", 1, null, "words", v(0, 0, 0, 2));
      assertThat(m.keys(TYPE)).containsExactly("k");
    }
  }

  private static Map<String, float[]> twoLengths() {
    return Map.of("a", v(1), "b", v(1, 0));
  }

  private static float[] v(float... xs) {
    return xs;
  }

  private Map<String, String> settingsUnchecked() {
    try {
      return settings();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Forgets the recorded model, so the next write may record another (test set-up only). */
  private void clearSettings() {
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM swarm_settings WHERE name LIKE 'embedding%'");
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  @BackendTest
  @SqliteOnly("compares with what SQLite's FTS5 triggers index; PostgreSQL indexes a tsvector")
  void recallTextIsWhatTheFullTextTriggersIndex() throws Exception {
    Memory m = db.memory(Scope.swarm());
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("plain", "just text");
    values.put("object", Map.of("a", "first", "b", Map.of("c", List.of("x", 2, "y"))));
    values.put("number", 42);
    values.put("null", null);
    values.put("escaped", "line\nbreak \"quoted\" 한국어 🚀");
    values.put("nested", List.of(List.of("deep", List.of("deeper")), true, "last"));
    m.putAll(TYPE, values, null);
    try (Connection c = backend.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT body FROM memory_fts WHERE scope = 'swarm' AND key = ?")) {
      for (String key : values.keySet()) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          String json = m.entry(TYPE, key).orElseThrow().valueJson();
          assertThat(RecallText.of(key, json)).as(key).isEqualTo(rs.getString(1));
        }
      }
    }
    assertThat(RecallText.of("k", "{\"a\":\"x\",\"b\":[\"y\",1,{\"c\":\"z\"}]}"))
        .isEqualTo("k x y z");
    assertThat(RecallText.of("k", "7")).isEqualTo("k ");
    assertInvalid(() -> RecallText.of("k", "{"), "the value of 'k' is not JSON");
  }
}
