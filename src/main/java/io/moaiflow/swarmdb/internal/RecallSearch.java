package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@code SwarmDB.recall} on either backend: checks the query against the configuration, embeds the
 * text outside any transaction, then in one read gets the full-text list (memory entries and
 * events, by the engine's score), the vector list ({@link VectorSearch}), loads what only the
 * vector list holds, and fuses them as {@link Recall} documents. Thread safe (immutable statements
 * only).
 */
public final class RecallSearch {
  private static final double RECENCY_MILLIS = Duration.ofDays(7).toMillis();
  private static final int SNIPPET_CHARS = 160;

  private final Backend db;
  final Statements sql;

  public RecallSearch(Backend db) {
    this.db = db;
    this.sql = new Statements(db.config().isPostgres(), db.dialect());
  }

  /** The recall statements of one backend. Immutable, thread safe. */
  static final class Statements {
    final boolean postgres;
    final Dialect dialect;
    final String memoryText;
    final String eventText;
    final String sessionEntry;
    final String scopedEntry;
    static final String DIMENSION =
        "SELECT value FROM swarm_settings WHERE name = 'embedding_dimension'";

    Statements(boolean postgres, Dialect d) {
      this.postgres = postgres;
      this.dialect = d;
      String entryColumns =
          "m.memory_type, m.key, "
              + d.jsonColumn("m.value")
              + ", m.version, m.created_at, m.updated_at, m.expires_at";
      String live = " AND (m.expires_at IS NULL OR m.expires_at > ?)";
      this.sessionEntry =
          "SELECT 'session:' || m.session_id, "
              + entryColumns
              + " FROM session_memory m WHERE m.session_id = ? AND m.memory_type = ? AND m.key = ?"
              + live;
      this.scopedEntry =
          "SELECT m.scope, "
              + entryColumns
              + " FROM scoped_memory m WHERE m.scope = ? AND m.memory_type = ? AND m.key = ?"
              + live;
      if (!postgres) {
        String memoryFilters =
            " AND (? IS NULL OR memory_fts.scope IN (SELECT value FROM json_each(?)))"
                + " AND (? IS NULL OR memory_fts.memory_type = ?)"
                + live
                + " AND m.updated_at >= ? AND m.updated_at < ?";
        String ftsColumns =
            "memory_fts.scope, memory_fts.memory_type, memory_fts.key, m.value, m.version,"
                + " m.created_at, m.updated_at, m.expires_at, bm25(memory_fts),"
                + " snippet(memory_fts, 0, '[', ']', '...', 16)";
        // Each arm is ordered by FTS5's own rank (bm25) and limited: FTS5 then ranks inside the
        // index and the snippets are made only for the rows returned. Ordered by the bm25 column
        // instead, SQLite computed a snippet for every match before sorting (4 x slower at 1 M).
        this.memoryText =
            "SELECT * FROM (SELECT "
                + ftsColumns
                + " FROM memory_fts CROSS JOIN session_memory m"
                + " ON m.session_id = substr(memory_fts.scope, 9)"
                + " AND m.memory_type = memory_fts.memory_type AND m.key = memory_fts.key"
                + " WHERE memory_fts MATCH ? AND memory_fts.scope GLOB 'session:*'"
                + memoryFilters
                + " ORDER BY memory_fts.rank LIMIT ?) UNION ALL SELECT * FROM (SELECT "
                + ftsColumns
                + " FROM memory_fts CROSS JOIN scoped_memory m ON m.scope = memory_fts.scope"
                + " AND m.memory_type = memory_fts.memory_type AND m.key = memory_fts.key"
                + " WHERE memory_fts MATCH ? AND memory_fts.scope NOT GLOB 'session:*'"
                + memoryFilters
                + " ORDER BY memory_fts.rank LIMIT ?) ORDER BY 9, 1, 2, 3 LIMIT ?";
        this.eventText =
            "SELECT e.seq, e.event_id, e.event_type, e.agent_id, e.agent_type, e.session_id,"
                + " e.ts, e.metadata, bm25(event_fts), snippet(event_fts, 0, '[', ']', '...', 16)"
                + " FROM event_fts CROSS JOIN agent_events e ON e.seq = event_fts.rowid"
                + " WHERE event_fts MATCH ? AND (? IS NULL OR e.agent_id = ?)"
                + " AND (? IS NULL OR e.event_type = ?) AND e.ts >= ? AND e.ts < ?"
                + " ORDER BY event_fts.rank LIMIT ?"; // snippets only for the rows returned
      } else {
        String strings =
            "coalesce((SELECT string_agg(s #>> '{}', ' ') FROM jsonb_path_query(%s,"
                + " 'strict $.** ? (@.type() == \"string\")') s), '')";
        String headline = "'StartSel=[, StopSel=], MaxWords=24, MinWords=8'";
        String memoryFilters =
            " AND (?::text IS NULL OR %s IN (SELECT jsonb_array_elements_text(?::jsonb)))"
                + " AND (?::text IS NULL OR m.memory_type = ?)"
                + live
                + " AND m.updated_at >= ? AND m.updated_at < ?";
        String inner =
            " m.memory_type, m.key, m.value, m.version, m.created_at, m.updated_at,"
                + " m.expires_at, ts_rank_cd(m.search, q) AS rank FROM %s m,"
                + " to_tsquery('english', ?) q WHERE m.search @@ q";
        this.memoryText =
            "SELECT x.scope, x.memory_type, x.key, x.value::text, x.version, x.created_at,"
                + " x.updated_at, x.expires_at, x.rank, ts_headline('english', x.key || ' ' || "
                + strings.formatted("x.value")
                + ", to_tsquery('english', ?), "
                + headline
                + ") FROM (SELECT 'session:' || m.session_id AS scope,"
                + inner.formatted("session_memory")
                + memoryFilters.formatted("'session:' || m.session_id")
                + " UNION ALL SELECT m.scope,"
                + inner.formatted("scoped_memory")
                + memoryFilters.formatted("m.scope")
                + " ORDER BY rank DESC, scope, memory_type, key LIMIT ?) x"
                + " ORDER BY x.rank DESC, x.scope, x.memory_type, x.key";
        this.eventText =
            "SELECT x.seq, x.event_id, x.event_type, x.agent_id, x.agent_type, x.session_id,"
                + " x.ts, x.metadata::text, x.rank, ts_headline('english', "
                + strings.formatted("x.metadata")
                + ", to_tsquery('english', ?), "
                + headline
                + ") FROM (SELECT e.seq, e.event_id, e.event_type, e.agent_id, e.agent_type,"
                + " e.session_id, e.ts, e.metadata, ts_rank_cd(e.search, q) AS rank"
                + " FROM agent_events e, to_tsquery('english', ?) q WHERE e.search @@ q"
                + " AND (?::text IS NULL OR e.agent_id = ?) AND (?::text IS NULL OR e.event_type"
                + " = ?) AND e.ts >= ? AND e.ts < ? ORDER BY rank DESC, e.seq DESC LIMIT ?) x"
                + " ORDER BY x.rank DESC, x.seq DESC";
      }
    }

    /** The full-text query of the words: any of them. */
    String match(List<String> words) {
      if (postgres) {
        return String.join(" | ", words); // letters and digits only: no tsquery syntax
      }
      return words.stream().map(w -> '"' + w + '"').collect(Collectors.joining(" OR "));
    }

    /** Whether full-text score {@code a} is better than {@code b} on this engine. */
    boolean better(double a, double b) {
      return postgres ? a > b : a < b;
    }
  }

  /** One item of either list while fusing. Not thread safe; lives for one call. */
  private static final class Candidate {
    final RecallHit.Kind kind;
    final @Nullable MemoryEntry entry;
    final @Nullable Scope scope;
    final @Nullable AgentEvent event;
    final long updated;
    String snippet;
    @Nullable Double textScore;
    @Nullable Integer textRank;
    @Nullable Double similarity;
    @Nullable Integer vectorRank;
    double recency;
    double score;

    Candidate(Scope scope, MemoryEntry entry, String snippet) {
      this.kind = RecallHit.Kind.MEMORY;
      this.scope = scope;
      this.entry = entry;
      this.event = null;
      this.updated = entry.updatedAt().toEpochMilli();
      this.snippet = snippet;
    }

    Candidate(AgentEvent event, String snippet) {
      this.kind = RecallHit.Kind.EVENT;
      this.scope = null;
      this.entry = null;
      this.event = event;
      this.updated = event.timestamp().toEpochMilli();
      this.snippet = snippet;
    }

    String id() {
      return kind == RecallHit.Kind.MEMORY
          ? memoryId(Objects.requireNonNull(scope), entry().memoryType(), entry().key())
          : "e" + Objects.requireNonNull(event).seq();
    }

    MemoryEntry entry() {
      return Objects.requireNonNull(entry);
    }

    RecallHit hit() {
      AgentEvent e = event;
      return new RecallHit(
          kind,
          score,
          textRank,
          textScore,
          similarity,
          recency,
          scope,
          entry == null ? null : entry.memoryType(),
          entry == null ? null : entry.key(),
          e == null ? null : e.seq(),
          snippet,
          entry,
          e);
    }
  }

  private static String memoryId(Scope scope, String memoryType, String key) {
    return "m" + scope + '\u0000' + memoryType + '\u0000' + key;
  }

  /**
   * Runs a query.
   *
   * @return the hits, best first, at most the query's limit
   */
  public List<RecallHit> recall(Recall q) {
    Objects.requireNonNull(q, "recall");
    Embedder embedder = db.config().embedder();
    float[] unit = queryVector(q, embedder);
    String match = q.words().isEmpty() ? null : sql.match(q.words());
    float @Nullable [] given = q.queryVector();
    int storedDimension = given != null && embedder == null ? given.length : 0;
    return db.read(
        "recall",
        h -> {
          if (storedDimension > 0) {
            checkStoredDimension(h, storedDimension);
          }
          List<VectorSearch.Hit> near =
              unit == null || !q.includesMemory()
                  ? List.of()
                  : VectorSearch.search(
                      h, db.vectors(), unit, q.scopeFilter(), q.memoryTypeFilter(), q.candidates());
          return fuse(h, q, match, near);
        });
  }

  /** The unit query vector, or null for full text only; checks the query against the config. */
  private static float @Nullable [] queryVector(Recall q, @Nullable Embedder embedder) {
    float @Nullable [] given = q.queryVector();
    Boolean semantic = q.semanticSetting();
    if (given != null && Boolean.FALSE.equals(semantic)) {
      throw Checks.invalid(
          "recall has a query vector but semantic(false); drop the vector or the semantic(false)");
    }
    if (q.words().isEmpty() && given == null) {
      throw Checks.invalid(
          q.text().isBlank()
              ? "the recall query is blank; pass words to search, or a query vector"
              : "the recall query '"
                  + Checks.printable(q.text())
                  + "' has no word (letters or digits) to search; pass words, or a query vector");
    }
    boolean on = given != null || (semantic == null ? embedder != null : semantic);
    if (!on) {
      return null;
    }
    if (given == null) {
      if (embedder == null) {
        throw Checks.invalid(
            "semantic recall needs an embedder, and this database has none: set one with"
                + " SwarmDbConfig.Builder#embedder, pass the query vector with Recall#vector, or"
                + " use semantic(false) for full text only");
      }
      float[] v = embedder.embed(q.text()); // outside any transaction
      return Vectors.normalised(embedder, v);
    }
    if (embedder != null && given.length != embedder.dimension()) {
      throw Checks.invalid(
          "the recall vector has "
              + given.length
              + " dimensions; the embedder "
              + embedder.modelId()
              + " makes "
              + embedder.dimension()
              + ". Pass a vector of "
              + embedder.dimension());
    }
    return Vectors.unit(given); // Recall.vector checked it: finite, not all zero
  }

  private static void checkStoredDimension(Handle h, int dimension) throws SQLException {
    for (String stored : Rows.strings(h.prepare(Statements.DIMENSION))) {
      if (!stored.equals(Integer.toString(dimension))) {
        throw Checks.invalid(
            "the recall vector has "
                + dimension
                + " dimensions; this database stores vectors of "
                + stored
                + ". Pass a vector of "
                + stored);
      }
    }
  }

  /**
   * Gets the full-text list and fuses it with the vector list, in the caller's read.
   *
   * @param near the vector list, best first (empty for full text only)
   */
  List<RecallHit> fuse(Handle h, Recall q, @Nullable String match, List<VectorSearch.Hit> near)
      throws SQLException {
    int n = q.candidates();
    long now = h.now();
    Instant since = q.sinceFilter();
    Instant until = q.untilFilter();
    long from = since == null ? Long.MIN_VALUE : since.toEpochMilli();
    long to = until == null ? Long.MAX_VALUE : until.toEpochMilli();
    List<Candidate> text = new ArrayList<>();
    if (match != null && q.includesMemory()) {
      text.addAll(memoryText(h, q, match, now, from, to, n));
    }
    if (match != null && q.includesEvents()) {
      text.addAll(eventText(h, q, match, from, to, n));
    }
    text.sort(
        (a, b) -> {
          double x = Objects.requireNonNull(a.textScore);
          double y = Objects.requireNonNull(b.textScore);
          return x == y ? a.id().compareTo(b.id()) : sql.better(x, y) ? -1 : 1;
        });
    Map<String, Candidate> all = new HashMap<>();
    for (int i = 0; i < text.size() && i < n; i++) {
      Candidate c = text.get(i);
      c.textRank = i + 1;
      all.put(c.id(), c);
    }
    int rank = 0;
    for (VectorSearch.Hit v : near) {
      rank++;
      String id = memoryId(v.scope(), v.memoryType(), v.key());
      Candidate c = all.get(id);
      if (c == null) {
        MemoryEntry e = entry(h, v.scope(), v.memoryType(), v.key(), now);
        long updated = e == null ? 0 : e.updatedAt().toEpochMilli();
        if (e == null || updated < from || updated >= to) {
          continue; // gone since the vector search, or outside the window
        }
        c = new Candidate(v.scope(), e, plainSnippet(e));
        all.put(id, c);
      }
      c.similarity = v.similarity();
      c.vectorRank = rank;
    }
    List<Double> w = q.weightList();
    for (Candidate c : all.values()) {
      double age = Math.max(0, now - c.updated);
      c.recency = Math.exp(-age / RECENCY_MILLIS);
      double score = w.get(2) * c.recency;
      if (c.textRank != null) {
        score += w.get(0) / (Recall.RANK_CONSTANT + c.textRank);
      }
      if (c.vectorRank != null) {
        score += w.get(1) / (Recall.RANK_CONSTANT + c.vectorRank);
      }
      c.score = score;
    }
    Comparator<Candidate> order =
        Comparator.<Candidate>comparingDouble(c -> -c.score)
            .thenComparingInt(c -> c.textRank == null ? Integer.MAX_VALUE : c.textRank)
            .thenComparingInt(c -> c.vectorRank == null ? Integer.MAX_VALUE : c.vectorRank)
            .thenComparingLong(c -> -c.updated)
            .thenComparing(Candidate::id);
    return all.values().stream().sorted(order).limit(q.maxHits()).map(Candidate::hit).toList();
  }

  private List<Candidate> memoryText(
      Handle h, Recall q, String match, long now, long from, long to, int n) throws SQLException {
    PreparedStatement ps = h.prepare(sql.memoryText);
    String scopes = scopesJson(q.scopeFilter());
    int i = 1;
    if (sql.postgres) {
      ps.setString(i++, match); // the headline's query
    }
    for (int arm = 0; arm < 2; arm++) {
      ps.setString(i++, match);
      Rows.setNullable(ps, i++, scopes);
      Rows.setNullable(ps, i++, scopes);
      Rows.setNullable(ps, i++, q.memoryTypeFilter());
      Rows.setNullable(ps, i++, q.memoryTypeFilter());
      ps.setLong(i++, now);
      ps.setLong(i++, from);
      ps.setLong(i++, to);
      if (!sql.postgres) {
        ps.setInt(i++, n); // each arm's own limit
      }
    }
    ps.setInt(i, n);
    List<Candidate> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Scope scope = Scope.parse(rs.getString(1));
        Candidate c = new Candidate(scope, entry(rs, scope), rs.getString(10));
        c.textScore = rs.getDouble(9);
        out.add(c);
      }
    }
    return out;
  }

  private List<Candidate> eventText(Handle h, Recall q, String match, long from, long to, int n)
      throws SQLException {
    PreparedStatement ps = h.prepare(sql.eventText);
    int i = 1;
    if (sql.postgres) {
      ps.setString(i++, match);
    }
    ps.setString(i++, match);
    Rows.setNullable(ps, i++, q.agentFilter());
    Rows.setNullable(ps, i++, q.agentFilter());
    Rows.setNullable(ps, i++, q.eventTypeFilter());
    Rows.setNullable(ps, i++, q.eventTypeFilter());
    ps.setLong(i++, from);
    ps.setLong(i++, to);
    ps.setInt(i, n);
    List<Candidate> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Candidate c = new Candidate(Rows.event(rs), rs.getString(10));
        c.textScore = rs.getDouble(9);
        out.add(c);
      }
    }
    return out;
  }

  /** A live entry by its primary key, or null. */
  private @Nullable MemoryEntry entry(Handle h, Scope scope, String type, String key, long now)
      throws SQLException {
    PreparedStatement ps =
        scope.kind() == Scope.Kind.SESSION
            ? h.prepare(sql.sessionEntry, Objects.requireNonNull(scope.id()), type, key, now)
            : h.prepare(sql.scopedEntry, scope.toString(), type, key, now);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? entry(rs, scope) : null;
    }
  }

  /** The entry of a row whose columns 2 to 8 are type, key, value, version and the times. */
  private MemoryEntry entry(ResultSet rs, Scope scope) throws SQLException {
    String type = rs.getString(2);
    String key = rs.getString(3);
    String value =
        Json.checkStored(
            () -> memoryRow(scope, type, key),
            "value",
            sql.dialect.storedJson().apply(rs.getString(4)));
    return new MemoryEntry(
        scope,
        type,
        key,
        value,
        rs.getLong(5),
        Instant.ofEpochMilli(rs.getLong(6)),
        Instant.ofEpochMilli(rs.getLong(7)),
        Rows.nullableInstant(rs, 8));
  }

  static String memoryRow(Scope scope, String type, String key) {
    if (scope.kind() == Scope.Kind.SESSION) {
      return Rows.memoryRow(Objects.requireNonNull(scope.id()), type, key);
    }
    return "scoped_memory row scope '"
        + Checks.printable(scope.toString())
        + "' type '"
        + type
        + "' key '"
        + Checks.printable(key)
        + "'";
  }

  /** The start of an entry's key and value, for a hit only the vector list found. */
  private static String plainSnippet(MemoryEntry e) {
    String s = e.key() + " " + e.valueJson();
    if (s.length() <= SNIPPET_CHARS) {
      return s;
    }
    int end =
        Character.isHighSurrogate(s.charAt(SNIPPET_CHARS - 1)) ? SNIPPET_CHARS - 1 : SNIPPET_CHARS;
    return s.substring(0, end) + "...";
  }

  private static @Nullable String scopesJson(Set<Scope> scopes) {
    if (scopes.isEmpty()) {
      return null;
    }
    return Json.write("scopes", scopes.stream().map(Scope::toString).sorted().toList());
  }
}
