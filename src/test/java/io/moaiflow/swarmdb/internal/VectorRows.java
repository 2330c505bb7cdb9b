package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.TestBackend;
import io.moaiflow.swarmdb.internal.pg.PgDatabase;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDatabase;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A test's database with vectors written by plain SQL (as the memory writes will store them: {@code
 * Vectors.encode} of the unit vector, {@code Vectors.quantise}, the model, and the model and
 * dimension in {@code swarm_settings}), and the searches run on it. Not thread safe.
 */
final class VectorRows implements AutoCloseable {
  /** One stored entry. */
  record Row(Scope scope, String memoryType, String key, float[] unit, @Nullable Long expiresAt) {}

  final Backend db;
  private final Set<String> sessions = new HashSet<>();
  private String model = "";

  private VectorRows(Backend db) {
    this.db = db;
  }

  static VectorRows open(TestBackend backend, Clock clock) {
    SwarmDbConfig config = backend.config().clock(clock).build();
    return new VectorRows(
        backend.isPostgres() ? PgDatabase.open(config) : SqliteDatabase.open(config));
  }

  /** Records the database's model, as the first stored vector does. */
  VectorRows record(String modelId, int dimension) {
    this.model = modelId;
    String upsert =
        "INSERT INTO swarm_settings (name, value) VALUES (?, ?)"
            + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    db.write(
        "test.record",
        h -> {
          h.prepare(upsert, "embedding_model", modelId).executeUpdate();
          h.prepare(upsert, "embedding_dimension", Integer.toString(dimension)).executeUpdate();
          return null;
        });
    return this;
  }

  void setting(String name, String value) {
    db.write(
        "test.setting",
        h ->
            h.prepare("UPDATE swarm_settings SET value = ? WHERE name = ?", value, name)
                .executeUpdate());
  }

  void put(Scope scope, String memoryType, String key, float[] unit) {
    putAll(List.of(new Row(scope, memoryType, key, unit, null)), model);
  }

  /** Writes the rows in one transaction, their vectors tagged with {@code modelId}. */
  void putAll(List<Row> rows, String modelId) {
    for (Row r : rows) {
      if (r.scope().kind() == Scope.Kind.SESSION && sessions.add(r.scope().id())) {
        db.daos().sessions().start(r.scope().id());
      }
    }
    String json = db.dialect().jsonParameter();
    String columns =
        " memory_type, key, value, version, created_at, updated_at, expires_at, embedding_model,"
            + " embedding, embedding_q8) VALUES (?, ?, ?, "
            + json
            + ", 1, 0, 0, ?, ?, ?, ?)";
    String session = "INSERT INTO session_memory (session_id," + columns;
    String scoped = "INSERT INTO scoped_memory (scope," + columns;
    db.write(
        "test.putAll",
        h -> {
          PreparedStatement s = h.prepare(session);
          PreparedStatement o = h.prepare(scoped);
          int ns = 0;
          int no = 0;
          for (Row r : rows) {
            boolean isSession = r.scope().kind() == Scope.Kind.SESSION;
            PreparedStatement ps = isSession ? s : o;
            ps.setString(1, isSession ? r.scope().id() : r.scope().toString());
            ps.setString(2, r.memoryType());
            ps.setString(3, r.key());
            ps.setString(4, "{\"note\":\"" + r.key() + "\"}");
            if (r.expiresAt() == null) {
              ps.setNull(5, Types.BIGINT);
            } else {
              ps.setLong(5, r.expiresAt());
            }
            ps.setString(6, modelId);
            ps.setBytes(7, Vectors.encode(r.unit()));
            ps.setBytes(8, Vectors.quantise(r.unit()));
            ps.addBatch();
            if (isSession) {
              ns++;
            } else {
              no++;
            }
          }
          if (ns > 0) {
            s.executeBatch();
          }
          if (no > 0) {
            o.executeBatch();
          }
          return null;
        });
  }

  /** Overwrites one column of a stored entry, behind the DAOs' back. */
  void damage(Scope scope, String memoryType, String key, String column, byte @Nullable [] value) {
    boolean isSession = scope.kind() == Scope.Kind.SESSION;
    String sql =
        "UPDATE "
            + (isSession ? "session_memory" : "scoped_memory")
            + " SET "
            + column
            + " = ? WHERE "
            + (isSession ? "session_id" : "scope")
            + " = ? AND memory_type = ? AND key = ?";
    db.write(
        "test.damage",
        h -> {
          PreparedStatement ps = h.prepare(sql);
          if (value == null) {
            ps.setNull(1, Types.BINARY);
          } else {
            ps.setBytes(1, value);
          }
          ps.setString(2, isSession ? scope.id() : scope.toString());
          ps.setString(3, memoryType);
          ps.setString(4, key);
          return ps.executeUpdate();
        });
  }

  List<VectorSearch.Hit> search(
      float[] unitQuery, Set<Scope> scopes, @Nullable String memoryType, int k, int threshold) {
    return db.read(
        "test.search",
        h -> VectorSearch.search(h, null, unitQuery, scopes, memoryType, k, threshold));
  }

  /** The search through an in-memory index. */
  List<VectorSearch.Hit> search(
      VectorIndex index,
      float[] unitQuery,
      Set<Scope> scopes,
      @Nullable String memoryType,
      int k,
      int threshold) {
    return db.read(
        "test.search",
        h -> VectorSearch.search(h, index, unitQuery, scopes, memoryType, k, threshold));
  }

  List<VectorSearch.Hit> search(
      float[] unitQuery, Set<Scope> scopes, @Nullable String memoryType, int k) {
    return db.read("test.search", h -> VectorSearch.search(h, unitQuery, scopes, memoryType, k));
  }

  @Override
  public void close() {
    db.close();
  }
}
