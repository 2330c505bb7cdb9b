package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import io.moaiflow.swarmdb.internal.pg.PgDatabase;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fusion of the full-text list with a vector list as {@link VectorSearch} returns one (built by
 * hand here, so the merge, the loading of vector-only entries by primary key and their filters are
 * tested before the vectors branch lands), on SQLite and PostgreSQL.
 */
class RecallFusionTest {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");
  static final double TEXT_ONLY = 1.0 / 61 + 0.2;

  @TempDir Path dir;

  @Test
  void sqlite() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Path file = dir.resolve("fusion.db");
    try (SqliteDatabase db =
        SqliteDatabase.open(SwarmDbConfig.builder(file).clock(clock).build())) {
      fusesBothLists(db, clock, () -> DriverManager.getConnection("jdbc:sqlite:" + file), "?");
    }
  }

  @Test
  void postgres() throws Exception {
    PgTestSupport.requireUrl();
    MutableClock clock = new MutableClock(T0);
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        PgDatabase db =
            PgDatabase.open(SwarmDbConfig.postgres(schema.url()).clock(clock).build())) {
      fusesBothLists(db, clock, schema::connect, "?::jsonb");
    }
  }

  interface Connect {
    Connection get() throws Exception;
  }

  private static void fusesBothLists(Backend db, MutableClock clock, Connect connect, String json)
      throws Exception {
    db.daos().sessions().start("s1");
    var m = db.daos().sessions().memory("s1");
    m.put("semantic", "a", Map.of("t", "alpha beta"));
    m.put("semantic", "b", Map.of("t", "gamma"));
    try (Connection c = connect.get();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
                    + " updated_at, expires_at) VALUES (?, 'semantic', ?, "
                    + json
                    + ", 1, ?, ?, ?)")) {
      for (Object[] row :
          new Object[][] {
            {"swarm", "c", "{\"t\":\"delta\"}", null},
            {"swarm", "x", "{\"t\":\"expired\"}", T0.plusSeconds(1).toEpochMilli()},
          }) {
        ps.setString(1, (String) row[0]);
        ps.setString(2, (String) row[1]);
        ps.setString(3, (String) row[2]);
        ps.setLong(4, T0.toEpochMilli());
        ps.setLong(5, T0.toEpochMilli());
        if (row[3] == null) {
          ps.setNull(6, java.sql.Types.BIGINT);
        } else {
          ps.setLong(6, (Long) row[3]);
        }
        ps.executeUpdate();
      }
    }
    clock.advance(Duration.ofSeconds(2)); // x has expired
    RecallSearch search = new RecallSearch(db);
    List<VectorSearch.Hit> near =
        List.of(
            new VectorSearch.Hit(Scope.session("s1"), "semantic", "b", 0.9),
            new VectorSearch.Hit(Scope.swarm(), "semantic", "c", 0.8),
            new VectorSearch.Hit(Scope.session("s1"), "semantic", "a", 0.7),
            new VectorSearch.Hit(Scope.swarm(), "semantic", "x", 0.6),
            new VectorSearch.Hit(Scope.swarm(), "semantic", "gone", 0.5),
            new VectorSearch.Hit(Scope.agent("nobody"), "semantic", "a", 0.4));
    Function<Recall, List<RecallHit>> fuse =
        q ->
            db.read(
                "test",
                h ->
                    search.fuse(
                        h, q, q.words().isEmpty() ? null : search.sql.match(q.words()), near));

    List<RecallHit> hits = fuse.apply(Recall.query("alpha"));
    assertThat(hits).extracting(RecallHit::key).containsExactly("a", "b", "c");
    RecallHit a = hits.get(0);
    assertThat(a.textRank()).isEqualTo(1);
    assertThat(a.vectorSimilarity()).isEqualTo(0.7);
    assertThat(a.score()).isCloseTo(1.0 / 61 + 1.0 / 63 + 0.2, offset(1e-6));
    assertThat(a.snippet()).contains("[alpha]");
    RecallHit b = hits.get(1);
    assertThat(b.textRank()).isNull();
    assertThat(b.textScore()).isNull();
    assertThat(b.vectorSimilarity()).isEqualTo(0.9);
    assertThat(b.score()).isCloseTo(TEXT_ONLY, offset(1e-6));
    assertThat(b.snippet()).isEqualTo("b {\"t\":\"gamma\"}");
    assertThat(b.entry().valueJson()).isEqualTo("{\"t\":\"gamma\"}");
    assertThat(b.scope()).isEqualTo(Scope.session("s1"));
    RecallHit c = hits.get(2);
    assertThat(c.scope()).isEqualTo(Scope.swarm());
    assertThat(c.entry().valueJson()).isEqualTo("{\"t\":\"delta\"}");
    assertThat(c.score()).isCloseTo(1.0 / 62 + 0.2 * c.recency(), offset(1e-6));

    // the vector weight alone orders by the vector list
    assertThat(fuse.apply(Recall.query("alpha").weights(0, 1, 0)))
        .extracting(RecallHit::key)
        .containsExactly("b", "c", "a");
    // the window filters vector-only entries too (a and b were written at T0, c too)
    assertThat(fuse.apply(Recall.query("alpha").since(T0.plusMillis(1)))).isEmpty();
    assertThat(fuse.apply(Recall.query("alpha").until(T0))).isEmpty();
    assertThat(fuse.apply(Recall.query("alpha").limit(2)))
        .extracting(RecallHit::key)
        .containsExactly("a", "b");
    // a vector alone: only the vector list
    assertThat(fuse.apply(Recall.query("").vector(new float[] {1})).stream().map(RecallHit::key))
        .containsExactly("b", "c", "a");
    // a long value's snippet is cut
    m.put("semantic", "b", Map.of("t", "g".repeat(300)));
    RecallHit longB =
        fuse.apply(Recall.query("alpha")).stream()
            .filter(h -> h.key().equals("b"))
            .findFirst()
            .orElseThrow();
    assertThat(longB.snippet()).hasSize(163).endsWith("...");
  }
}
