package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 5: session memory get and put (with and without TTL) from one thread, SwarmDB beside
 * the same upsert and lookup by hand on sqlite-jdbc (autocommit, JSON via Jackson on both sides).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MemoryBenchmarks {
  private static final int KEYS = 1_000;
  private static final Duration TTL = Duration.ofHours(24);
  private static final String RAW_UPSERT =
      "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
          + " updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6)"
          + " ON CONFLICT (session_id, memory_type, key) DO UPDATE SET value = excluded.value,"
          + " version = session_memory.version + 1, updated_at = excluded.updated_at,"
          + " expires_at = excluded.expires_at";
  private static final String RAW_GET =
      "SELECT value, version, created_at, updated_at, expires_at FROM session_memory"
          + " WHERE session_id = ? AND memory_type = ? AND key = ?"
          + " AND (expires_at IS NULL OR expires_at > ?)";

  private SwarmDB db;
  private SessionMemory memory;
  private Connection raw;
  private PreparedStatement rawUpsert;
  private PreparedStatement rawGet;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    Path dir = Fixtures.freshDir("memory");
    db = Fixtures.open(dir.resolve("swarm.db"));
    db.sessions().start("bench-session");
    memory = db.sessions().memory("bench-session");
    raw = Fixtures.raw(dir.resolve("raw.db"));
    try (PreparedStatement ps =
        raw.prepareStatement(
            "INSERT INTO sessions (session_id, status, started_at) VALUES ('bench-session',"
                + " 'active', 0)")) {
      ps.executeUpdate();
    }
    rawUpsert = raw.prepareStatement(RAW_UPSERT);
    rawGet = raw.prepareStatement(RAW_GET);
    for (int k = 0; k < KEYS; k++) {
      memory.put(SessionMemory.CONTEXT_HINT, "key-" + k, value(k));
      upsert(k, null);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    rawUpsert.close();
    rawGet.close();
    raw.close();
    db.close();
  }

  private static Map<String, Object> value(int k) {
    return Map.of("lang", "java", "score", k);
  }

  private int upsert(int k, Duration ttl) throws SQLException {
    long now = System.currentTimeMillis();
    rawUpsert.setString(1, "bench-session");
    rawUpsert.setString(2, SessionMemory.CONTEXT_HINT);
    rawUpsert.setString(3, "key-" + k);
    rawUpsert.setString(4, Fixtures.json(value(k)));
    rawUpsert.setLong(5, now);
    Fixtures.setNullableLong(rawUpsert, 6, ttl == null ? null : now + ttl.toMillis());
    return rawUpsert.executeUpdate();
  }

  @Benchmark
  public MemoryEntry put() {
    int k = Fixtures.random(KEYS);
    return memory.put(SessionMemory.CONTEXT_HINT, "key-" + k, value(k));
  }

  @Benchmark
  public int rawPut() throws SQLException {
    return upsert(Fixtures.random(KEYS), null);
  }

  @Benchmark
  public MemoryEntry putWithTtl() {
    int k = Fixtures.random(KEYS);
    return memory.put(SessionMemory.CONTEXT_HINT, "key-" + k, value(k), TTL);
  }

  @Benchmark
  public int rawPutWithTtl() throws SQLException {
    return upsert(Fixtures.random(KEYS), TTL);
  }

  @Benchmark
  public Optional<Object> get() {
    return memory.get(SessionMemory.CONTEXT_HINT, "key-" + Fixtures.random(KEYS), Object.class);
  }

  @Benchmark
  public Map<String, Object> rawGet() throws SQLException {
    rawGet.setString(1, "bench-session");
    rawGet.setString(2, SessionMemory.CONTEXT_HINT);
    rawGet.setString(3, "key-" + Fixtures.random(KEYS));
    rawGet.setLong(4, System.currentTimeMillis());
    try (ResultSet rs = rawGet.executeQuery()) {
      return rs.next() ? Fixtures.parse(rs.getString(1)) : Map.of();
    }
  }
}
