package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.sqlite.SQLiteConfig;

/**
 * Benchmark 6 (issue 15): recall. Full-text top 10 over 1,000,000 events' metadata beside the same
 * FTS5 query by hand; memory put with the full-text index beside the same put on a database whose
 * memory index triggers are dropped; appendAll with event indexing on beside off; semantic top 10
 * over 100,000 vectors of dimension 384 beside sqlite-vec's brute-force {@code vec0} on the same
 * vectors, and the same scope-filtered to 10,000. The stores stay open in {@link #STORES} for all
 * rounds ({@code forks(0)}). Not thread safe: each benchmark runs on one JMH thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecallBenchmarks {
  static final int VOCABULARY = 5_000;
  static final int WORDS_PER_EVENT = 8;
  static final int DIMENSION = 384;
  /** Vectors in the semantic comparison: {@code bench.vectors}, default 100,000. */
  static final int VECTORS = Integer.getInteger("bench.vectors", 100_000);
  static final int SCOPED_VECTORS = VECTORS / 10;
  static final int CENTROIDS = 1_000;
  static final int KEYS = 1_000;
  static final int APPEND_BATCH = 1_000;
  static final int APPEND_BATCHES = 10;

  /** The open stores; set by the suite (the benchmarks run in its JVM). */
  static final Handover<Stores> STORES = new Handover<>("RecallBenchmarks");

  /** A word of the synthetic vocabulary (FTS tokens: letters then digits). */
  static String word(long i) {
    return "w" + Math.floorMod(i, VOCABULARY);
  }

  /** A note of realistic length for memory puts: 20 words and a number. */
  static Map<String, Object> note(int k) {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < 20; w++) {
      text.append(w == 0 ? "" : " ").append(word(k * 31L + w * 7919L));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("note", text.toString());
    m.put("score", k);
    return m;
  }

  /** An event whose metadata holds {@value #WORDS_PER_EVENT} words of the vocabulary. */
  static AgentEvent wordyEvent(int i) {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < WORDS_PER_EVENT; w++) {
      text.append(w == 0 ? "" : " ").append(word(i * 7919L + w * 104_729L + (long) i * i));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("note", text.toString());
    m.put("step", i);
    return AgentEvent.of(BenchRows.type(i), BenchRows.agent(i), BenchRows.AGENT_TYPE,
        BenchRows.session(i), m);
  }

  /** A query of three vocabulary words. */
  static String textQuery() {
    return word(Fixtures.random(VOCABULARY))
        + " "
        + word(Fixtures.random(VOCABULARY))
        + " "
        + word(Fixtures.random(VOCABULARY));
  }

  /** Clustered unit vectors, the same for a seed: {@code CENTROIDS} centres plus noise. */
  static float[][] vectors(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centres = new float[CENTROIDS][DIMENSION];
    for (float[] c : centres) {
      for (int d = 0; d < DIMENSION; d++) {
        c[d] = (float) r.nextGaussian();
      }
    }
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] c = centres[r.nextInt(CENTROIDS)];
      float[] v = new float[DIMENSION];
      for (int d = 0; d < DIMENSION; d++) {
        v[d] = c[d] + 0.4f * (float) r.nextGaussian();
      }
      out[i] = unit(v);
    }
    return out;
  }

  static float[] unit(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    float n = (float) Math.sqrt(s);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / n;
    }
    return out;
  }

  static byte[] blob(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** Hands out precomputed vectors by key (the first word of the text SwarmDB embeds). */
  static final class TableEmbedder implements Embedder {
    final Map<String, float[]> byKey = new ConcurrentHashMap<>();

    @Override
    public String modelId() {
      return "bench-clustered-384";
    }

    @Override
    public int dimension() {
      return DIMENSION;
    }

    @Override
    public float[] embed(String text) {
      int space = text.indexOf(' ');
      float[] v = byKey.get(space < 0 ? text : text.substring(0, space));
      if (v == null) {
        throw new IllegalArgumentException("no vector for " + text);
      }
      return v;
    }
  }

  /** Where sqlite-vec's vec0.so is, fetched with npm (bench only; never in the library). */
  static @Nullable Path vec0() {
    String given = System.getProperty("bench.vec0");
    if (given != null) {
      return Path.of(given);
    }
    Path dir = Fixtures.dataDir().resolve("sqlite-vec");
    Path so = dir.resolve("package/vec0.so");
    if (Files.exists(so)) {
      return so;
    }
    try {
      Files.createDirectories(dir);
      Process p =
          new ProcessBuilder("sh", "-c", "npm pack sqlite-vec-linux-x64@0.1.9 && tar xzf sqlite-vec-linux-x64-0.1.9.tgz")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0 || !Files.exists(so)) {
        System.out.println("[bench] sqlite-vec not available: " + out);
        return null;
      }
      return so;
    } catch (IOException e) {
      System.out.println("[bench] sqlite-vec not available: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Both sides of every recall comparison. Not thread safe (one benchmark thread at a time). */
  static final class Stores implements AutoCloseable {
    final SwarmDB events;
    final Connection rawEvents;
    final PreparedStatement rawText;
    final SwarmDB indexedMemory;
    final SwarmDB unindexedMemory;
    final Memory putIndexed;
    final Memory putUnindexed;
    final SwarmDB appendOn;
    final SwarmDB appendOff;
    final List<List<AgentEvent>> onBatches = new ArrayList<>();
    final List<List<AgentEvent>> offBatches = new ArrayList<>();
    int appendStart = 2_000_000;
    final @Nullable SwarmDB vectorsDb;
    final @Nullable Connection vec;
    final @Nullable PreparedStatement vecQuery;
    final float[][] queries;

    Stores(boolean semantic) throws SQLException {
      // full text: the event fixture, built once
      Path eventsFile = eventFixture();
      events = SwarmDB.open(Fixtures.config(eventsFile).indexEvents(true).build());
      rawEvents = BenchRows.rawConnection(eventsFile, SwarmDbConfig.builder(eventsFile).build(), true);
      rawText =
          rawEvents.prepareStatement(
              "SELECT e.seq, e.event_id, e.event_type, e.agent_id, e.agent_type, e.session_id, e.ts,"
                  + " e.metadata, snippet(event_fts, 0, '[', ']', '…', 12), bm25(event_fts)"
                  + " FROM event_fts JOIN agent_events e ON e.seq = event_fts.rowid"
                  + " WHERE event_fts MATCH ? ORDER BY rank LIMIT 10");
      // memory put with and without the full-text triggers
      Path dir = Fixtures.freshDir("recall");
      indexedMemory = Fixtures.open(dir.resolve("indexed.db"));
      Path plain = dir.resolve("unindexed.db");
      Fixtures.open(plain).close();
      try (Connection c = BenchRows.rawConnection(plain, SwarmDbConfig.builder(plain).build(), false);
          Statement st = c.createStatement()) {
        for (String t : List.of("insert", "update", "delete")) {
          st.execute("DROP TRIGGER session_memory_fts_" + t);
        }
      }
      unindexedMemory = Fixtures.open(plain);
      indexedMemory.sessions().start(BenchRows.MEMORY_SESSION);
      unindexedMemory.sessions().start(BenchRows.MEMORY_SESSION);
      putIndexed = indexedMemory.sessions().memory(BenchRows.MEMORY_SESSION);
      putUnindexed = unindexedMemory.sessions().memory(BenchRows.MEMORY_SESSION);
      for (int k = 0; k < KEYS; k++) {
        putIndexed.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), note(k));
        putUnindexed.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), note(k));
      }
      // appendAll with event indexing on and off, prefilled alike
      appendOn =
          SwarmDB.open(Fixtures.config(dir.resolve("events-on.db")).indexEvents(true).build());
      appendOff =
          SwarmDB.open(Fixtures.config(dir.resolve("events-off.db")).indexEvents(false).build());
      for (int b = 0; b < 100; b++) {
        List<AgentEvent> batch = new ArrayList<>();
        for (int i = 0; i < APPEND_BATCH; i++) {
          batch.add(wordyEvent(b * APPEND_BATCH + i));
        }
        appendOn.events().appendAll(batch);
        appendOff.events().appendAll(batch);
      }
      queries = vectors(200, 99);
      if (!semantic) {
        vectorsDb = null;
        vec = null;
        vecQuery = null;
        return;
      }
      // semantic: the same 100,000 vectors in SwarmDB and in sqlite-vec's vec0
      float[][] all = vectors(VECTORS, 7);
      TableEmbedder embedder = new TableEmbedder();
      for (int i = 0; i < VECTORS; i++) {
        embedder.byKey.put("v" + i, all[i]);
      }
      vectorsDb =
          SwarmDB.open(Fixtures.config(dir.resolve("vectors.db")).embedder(embedder).build());
      Memory swarm = vectorsDb.memory(io.moaiflow.swarmdb.Scope.swarm());
      Memory scoped = vectorsDb.memory(io.moaiflow.swarmdb.Scope.namespace("bench-10k"));
      for (int from = 0; from < VECTORS; from += 1_000) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = from; i < from + 1_000; i++) {
          values.put("v" + i, Map.of("i", i));
        }
        (from < SCOPED_VECTORS ? scoped : swarm).putAll("semantic", values, null);
      }
      Path so = vec0();
      if (so == null) {
        vec = null;
        vecQuery = null;
        return;
      }
      SQLiteConfig config = new SQLiteConfig();
      config.enableLoadExtension(true);
      vec = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vec0.db"), config.toProperties());
      try (Statement st = vec.createStatement()) {
        st.execute("SELECT load_extension('" + so.toString().replace(".so", "") + "')");
        st.execute(
            "CREATE VIRTUAL TABLE v USING vec0(embedding float[" + DIMENSION + "] distance_metric=cosine)");
      }
      vec.setAutoCommit(false);
      try (PreparedStatement ins = vec.prepareStatement("INSERT INTO v (rowid, embedding) VALUES (?, ?)")) {
        for (int i = 0; i < VECTORS; i++) {
          ins.setLong(1, i);
          ins.setBytes(2, blob(all[i]));
          ins.addBatch();
          if (i % 1_000 == 999) {
            ins.executeBatch();
          }
        }
        ins.executeBatch();
      }
      vec.commit();
      vec.setAutoCommit(true);
      vecQuery =
          vec.prepareStatement(
              "SELECT rowid, distance FROM v WHERE embedding MATCH ? AND k = 10 ORDER BY distance");
    }

    /** 1,000,000 wordy events, built once through SwarmDB's triggers (no JDBC per row). */
    static Path eventFixture() throws SQLException {
      long rows = Fixtures.queryRows();
      Path file = Fixtures.dataDir().resolve("recall-events-" + rows + ".db");
      if (Files.exists(file)) {
        try (SwarmDB db = SwarmDB.open(Fixtures.config(file).indexEvents(true).build())) {
          if (db.events().count() == rows) {
            return file;
          }
        } catch (RuntimeException e) {
          // rebuilt below
        }
        Fixtures.deleteDatabase(file);
      }
      SwarmDB.open(Fixtures.config(file).indexEvents(true).build()).close();
      try (Connection c = BenchRows.rawConnection(file, SwarmDbConfig.builder(file).build(), false)) {
        String note = "'w' || ((i * 7919 + %d * 104729 + i * i) %% " + VOCABULARY + ")";
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < WORDS_PER_EVENT; w++) {
          text.append(w == 0 ? "" : " || ' ' || ").append(String.format(note, w));
        }
        String sql =
            "WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)"
                + " INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id,"
                + " ts, metadata) SELECT printf('rx-%012d', i), 'agent_note', 'agent-' || (i % 1000),"
                + " 'expert-backend', 'session-' || (i / 1000), ? + i,"
                + " json_object('note', " + text + ", 'step', i) FROM c";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (long from = 0; from < rows; from += 100_000) {
            c.setAutoCommit(false);
            ps.setLong(1, from);
            ps.setLong(2, Math.min(rows, from + 100_000));
            ps.setLong(3, Fixtures.FIXTURE_END_MS - rows);
            ps.executeUpdate();
            c.commit();
            c.setAutoCommit(true);
          }
        }
        try (Statement st = c.createStatement()) {
          // filled by SQL, not through the event store: index it as the event store does
          st.execute(
              "INSERT INTO event_fts (rowid, body) SELECT seq, coalesce((SELECT"
                  + " group_concat(t.value, ' ') FROM json_tree(metadata) t WHERE t.type ="
                  + " 'text'), '') FROM agent_events");
          st.execute("INSERT INTO event_fts (event_fts) VALUES ('optimize')");
          st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
          st.execute("ANALYZE");
        }
      }
      return file;
    }

    /** New batches for one round: the same events on both sides. */
    void newAppendRound() {
      onBatches.clear();
      offBatches.clear();
      for (int b = 0; b < APPEND_BATCHES; b++) {
        List<AgentEvent> batch = new ArrayList<>();
        for (int i = 0; i < APPEND_BATCH; i++) {
          batch.add(wordyEvent(appendStart++));
        }
        onBatches.add(batch);
        offBatches.add(batch);
      }
    }

    @Override
    public void close() throws SQLException {
      rawText.close();
      rawEvents.close();
      events.close();
      indexedMemory.close();
      unindexedMemory.close();
      appendOn.close();
      appendOff.close();
      if (vecQuery != null) {
        vecQuery.close();
      }
      if (vec != null) {
        vec.close();
      }
      if (vectorsDb != null) {
        vectorsDb.close();
      }
    }
  }

  private Stores s;

  @Setup(Level.Trial)
  public void setUp() {
    s = STORES.take();
  }

  @Benchmark
  public List<RecallHit> textTop10() {
    return s.events.recall(Recall.query(textQuery()).events().semantic(false).limit(10));
  }

  /** The same FTS5 query by hand, rows mapped and metadata parsed as SwarmDB does. */
  @Benchmark
  public List<Object> rawTextTop10() throws SQLException {
    String[] words = textQuery().split(" ");
    s.rawText.setString(1, "\"" + words[0] + "\" OR \"" + words[1] + "\" OR \"" + words[2] + "\"");
    List<Object> out = new ArrayList<>();
    try (ResultSet rs = s.rawText.executeQuery()) {
      while (rs.next()) {
        out.add(
            List.of(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                BenchRows.parse(rs.getString(8)),
                rs.getString(9),
                rs.getDouble(10)));
      }
    }
    return out;
  }

  @Benchmark
  public MemoryEntry putIndexed() {
    int k = Fixtures.random(KEYS);
    return s.putIndexed.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), note(k));
  }

  @Benchmark
  public MemoryEntry putUnindexed() {
    int k = Fixtures.random(KEYS);
    return s.putUnindexed.put(BenchRows.MEMORY_TYPE, BenchRows.memoryKey(k), note(k));
  }

  /** Single shot: this round's {@value #APPEND_BATCHES} batches with event indexing on. */
  @Benchmark
  public int appendIndexed() {
    int n = 0;
    for (List<AgentEvent> b : s.onBatches) {
      n += s.appendOn.events().appendAll(b).size();
    }
    return n;
  }

  /** Single shot: the same batches with event indexing off. */
  @Benchmark
  public int appendUnindexed() {
    int n = 0;
    for (List<AgentEvent> b : s.offBatches) {
      n += s.appendOff.events().appendAll(b).size();
    }
    return n;
  }

  @Benchmark
  public List<RecallHit> vectorTop10() {
    float[] q = s.queries[Fixtures.random(s.queries.length)];
    return s.vectorsDb.recall(Recall.query("").vector(q).memory().limit(10));
  }

  @Benchmark
  public List<RecallHit> vectorScopedTop10() {
    float[] q = s.queries[Fixtures.random(s.queries.length)];
    return s.vectorsDb.recall(
        Recall.query("")
            .vector(q)
            .memory()
            .scopes(io.moaiflow.swarmdb.Scope.namespace("bench-10k"))
            .limit(10));
  }

  /** sqlite-vec's brute-force KNN over the same vectors (rowid and distance only). */
  @Benchmark
  public List<Long> vec0Top10() throws SQLException {
    float[] q = s.queries[Fixtures.random(s.queries.length)];
    s.vecQuery.setBytes(1, blob(q));
    List<Long> out = new ArrayList<>();
    try (ResultSet rs = s.vecQuery.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }
}
