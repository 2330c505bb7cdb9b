package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * Databases and fixtures shared by the benchmarks; the rows themselves come from {@link BenchRows}
 * (shared with the default build's {@code BaselineFairnessTest}). The baseline files get their
 * schema from {@link SwarmDB#open} and are then written through a plain sqlite-jdbc connection with
 * the library's pragmas, so both sides write the same schema on the same disk.
 */
final class Fixtures {
  static final String[] TYPES = BenchRows.TYPES;

  /** Newest fixture event time; the query fixture spans 30 days before it. */
  static final long FIXTURE_END_MS = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  static final long FIXTURE_SPAN_MS = Duration.ofDays(30).toMillis();


  private Fixtures() {}

  /** The directory benchmark databases live in: {@code target/bench-data}, or a temp dir. */
  static Path dataDir() {
    String dir = System.getProperty("bench.dataDir", "target/bench-data");
    try {
      return Files.createDirectories(Path.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh, empty directory under {@link #dataDir()}. */
  static Path freshDir(String name) {
    Path dir = dataDir().resolve(name);
    deleteTree(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SwarmDB's side of the engine comparisons: event indexing off, as the raw side does no
   * indexing either (the same work on both sides); the recall part measures indexing on against
   * off by itself.
   */
  static SwarmDbConfig.Builder config(Path file) {
    return SwarmDbConfig.builder(file).backupBeforeMigrate(false).indexEvents(false);
  }

  static SwarmDB open(Path file) {
    return SwarmDB.open(config(file).build());
  }

  /** Creates the schema with SwarmDB, then opens a plain connection with the library pragmas. */
  static Connection raw(Path file) {
    open(file).close();
    return BenchRows.rawConnection(file, SwarmDbConfig.builder(file).build(), false);
  }

  /**
   * Fills {@code agent_events} with {@code count} generated rows inside SQLite (fast: no JDBC per
   * row), committing every 100,000 rows. Event {@code i} belongs to agent {@code i % 1000}, session
   * {@code i / 1000}, type {@code i % 8}; times rise evenly from {@code startMs} over {@code
   * spanMs}. {@code pad} extra characters of metadata make rows larger.
   */
  static void fill(Connection c, long count, long startMs, long spanMs, int pad)
      throws SQLException {
    StringBuilder types = new StringBuilder("CASE i % 8");
    for (int t = 0; t < TYPES.length; t++) {
      types.append(" WHEN ").append(t).append(" THEN '").append(TYPES[t]).append('\'');
    }
    types.append(" END");
    String sql =
        "WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)"
            + " INSERT INTO agent_events (event_id, event_type, agent_id, agent_type, session_id,"
            + " ts, metadata) SELECT printf('fx-%012d', i), "
            + types
            + ", 'agent-' || (i % 1000), 'expert-backend', 'session-' || (i / 1000),"
            + " ? + (i * ?) / ?, '{\"prompt\":\"Design the API\",\"step\":' || i"
            + " || CASE WHEN ? > 0 THEN ',\"pad\":\"' || printf('%.*c', ?, 'x') || '\"' ELSE ''"
            + " END || '}' FROM c";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (long from = 0; from < count; from += 100_000) {
        long to = Math.min(count, from + 100_000);
        c.setAutoCommit(false);
        ps.setLong(1, from);
        ps.setLong(2, to);
        ps.setLong(3, startMs);
        ps.setLong(4, spanMs);
        ps.setLong(5, count);
        ps.setInt(6, pad);
        ps.setInt(7, pad);
        ps.executeUpdate();
        c.commit();
        c.setAutoCommit(true);
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      st.execute("ANALYZE");
    }
  }

  /**
   * The query fixture ({@link #queryRows()} events, default 1,000,000: 1,000 agents, sessions of
   * 1,000 events, 8 types, 30 days), built once and reused while its row count matches.
   */
  static Path queryFixture() {
    long rows = queryRows();
    return fixture(rows == 1_000_000 ? "query-1m.db" : "query-" + rows + ".db", rows, 0);
  }

  /** Rows in the query fixture: {@code bench.queryRows}, default 1,000,000. */
  static long queryRows() {
    long rows = Long.getLong("bench.queryRows", 1_000_000L);
    if (rows < 1_000) {
      throw new IllegalArgumentException(
          "bench.queryRows is " + rows + "; the queries need at least 1,000 events");
    }
    return rows;
  }

  static Path fixture(String name, long rows, int pad) {
    Path file = dataDir().resolve(name);
    if (Files.exists(file)) {
      try (Connection c = BenchRows.rawConnection(file, SwarmDbConfig.builder(file).build(), true);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
        if (rs.next() && rs.getLong(1) == rows) {
          return file;
        }
      } catch (SQLException | RuntimeException e) {
        // rebuilt below
      }
      deleteDatabase(file);
    }
    try (Connection c = raw(file)) {
      fill(c, rows, FIXTURE_END_MS - FIXTURE_SPAN_MS, FIXTURE_SPAN_MS, pad);
    } catch (SQLException e) {
      throw new IllegalStateException("building " + file + " failed", e);
    }
    return file;
  }

  static void deleteDatabase(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(Path.of(file + "-wal"));
      Files.deleteIfExists(Path.of(file + "-shm"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int random(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }
}
