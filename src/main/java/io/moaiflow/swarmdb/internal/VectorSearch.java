package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Nearest-neighbour search over the stored memory vectors, on both backends (the same SQL: the
 * vectors are BLOB / BYTEA columns of the memory rows, read through JDBC). A search filtered by
 * scope reads only those scopes' rows, by primary key ({@code session_memory WHERE session_id = ?},
 * {@code scoped_memory WHERE scope = ?}); an unfiltered one reads every row of both tables.
 *
 * <p>Up to {@value #QUANTISED_THRESHOLD} candidate rows (the rows of the searched scopes and type,
 * counted first by key) are scored exactly: each row's float32 {@code embedding} is dotted with the
 * unit query (the cosine similarity, both being unit vectors) and the best {@code k} kept in a
 * bounded heap. Beyond that the int8 {@code embedding_q8} column (about a quarter of the bytes) is
 * scanned instead, the best {@code max(10 k, 100)} kept by their approximate score, and those
 * re-ranked exactly by reading their {@code embedding} by primary key; on a clustered 20,000 x 384
 * test set this finds the exact top 10 in at least 99 % of the places ({@code VectorSearchTest}),
 * in about half the time of the exact scan, whose rows (with their 1,536-byte float vectors) are
 * about four times larger. The threshold keeps the exact scan to a few milliseconds: a scope of
 * 10,000 entries is already searched the quantised way.
 *
 * <p>PostgreSQL runs the same scan over BYTEA, with or without the {@code vector} extension
 * (pgvector): its operators and indexes work on columns of its own type, which the schema does not
 * have.
 *
 * <p>Stateless and thread safe; the {@link Handle} it is given belongs to the calling thread.
 */
public final class VectorSearch {
  /** Candidate rows above which the quantised pre-filter runs instead of the exact scan. */
  public static final int QUANTISED_THRESHOLD = 5_000;

  /** Keys whose float32 vectors one statement of the re-ranking reads. */
  static final int RERANK_BATCH = 64;

  /** Most scopes one search accepts. */
  public static final int MAX_SCOPES = 1_000;

  /** How far a query's length may be from 1 and still count as a unit vector. */
  static final double UNIT_TOLERANCE = 1e-3;

  /** The settings rows that record the database's embedding model. */
  static final String SETTINGS =
      "SELECT name, value FROM swarm_settings"
          + " WHERE name IN ('embedding_model', 'embedding_dimension')";

  private static final String LIVE = " AND (expires_at IS NULL OR expires_at > ?)";

  /** The two tables that hold vectors: a session's memory and every other scope's. */
  enum Table {
    SESSION("session_memory", "session_id"),
    SCOPED("scoped_memory", "scope");

    final String name;
    final String scopeColumn;

    /**
     * The float32 vectors of up to {@value #RERANK_BATCH} keys of one scope and type, by primary
     * key, for the re-ranking (a shorter batch repeats its last key).
     */
    final String vectors;

    /** Every row of a model, for building the {@link VectorIndex}. */
    final String indexBuild;

    /** One key's model, int8 vector and expiry, for a change the {@link VectorIndex} applies. */
    final String indexRow;

    // every statement is built once: by filter (and column) flags, see scan and count
    @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
    private final List<String> scans;

    @SuppressWarnings("ImmutableEnumChecker") // List.of: unmodifiable
    private final List<String> counts;

    Table(String name, String scopeColumn) {
      this.name = name;
      this.scopeColumn = scopeColumn;
      String byKey = " WHERE " + scopeColumn + " = ? AND memory_type = ? AND key";
      this.vectors =
          "SELECT key, embedding FROM "
              + name
              + byKey
              + " IN ("
              + String.join(", ", Collections.nCopies(RERANK_BATCH, "?"))
              + ")";
      this.indexBuild =
          "SELECT "
              + scopeColumn
              + ", memory_type, key, embedding_q8, expires_at FROM "
              + name
              + " WHERE embedding_model = ?";
      this.indexRow =
          "SELECT embedding_model, embedding_q8, expires_at FROM " + name + byKey + " = ?";
      String[] scans = new String[8];
      String[] counts = new String[4];
      for (int f = 0; f < 4; f++) {
        String w = where(scopeColumn, (f & 2) != 0, (f & 1) != 0);
        counts[f] =
            "SELECT count(*) FROM "
                + name
                + (w.equals(" WHERE ") ? "" : w.substring(0, w.length() - " AND ".length()));
        for (String column : new String[] {"embedding", "embedding_q8"}) {
          scans[2 * f + (column.equals("embedding") ? 0 : 1)] =
              "SELECT "
                  + scopeColumn
                  + ", memory_type, key, "
                  + column
                  + " FROM "
                  + name
                  + w
                  + "embedding_model = ?"
                  + LIVE;
        }
      }
      this.scans = List.of(scans);
      this.counts = List.of(counts);
    }

    /** The stored form of a row's scope from its scope column. */
    String scopeText(String column) {
      return this == SESSION ? "session:" + column : column;
    }

    String row(String scopeColumnValue, String memoryType, String key) {
      return this == SESSION
          ? Rows.memoryRow(scopeColumnValue, memoryType, key)
          : "scoped_memory row scope '"
              + Checks.printable(scopeColumnValue)
              + "' type '"
              + memoryType
              + "' key '"
              + Checks.printable(key)
              + "'";
    }

    /**
     * The scan of this table's vectors.
     *
     * @param byScope whether it is limited to one scope (the first parameter)
     * @param byType whether it is limited to one memory type (the next parameter)
     * @param column {@code embedding} or {@code embedding_q8}
     * @return the statement; its remaining parameters are the model and the time
     */
    String scan(boolean byScope, boolean byType, String column) {
      int c;
      if (column.equals("embedding")) {
        c = 0;
      } else if (column.equals("embedding_q8")) {
        c = 1;
      } else {
        throw new IllegalArgumentException(column);
      }
      return scans.get(2 * filters(byScope, byType) + c);
    }

    /** The number of rows a scan with the same filters reads (live or not, any model). */
    String count(boolean byScope, boolean byType) {
      return counts.get(filters(byScope, byType));
    }

    private static int filters(boolean byScope, boolean byType) {
      return (byScope ? 2 : 0) + (byType ? 1 : 0);
    }

    private static String where(String scopeColumn, boolean byScope, boolean byType) {
      return " WHERE "
          + (byScope ? scopeColumn + " = ? AND " : "")
          + (byType ? "memory_type = ? AND " : "");
    }
  }

  /**
   * One entry found.
   *
   * @param scope the entry's scope
   * @param memoryType its memory type
   * @param key its key
   * @param similarity the cosine similarity of its vector and the query, -1 to 1
   */
  public record Hit(Scope scope, String memoryType, String key, double similarity) {
    /** Checks the parts. */
    public Hit {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(memoryType, "memoryType");
      Objects.requireNonNull(key, "key");
    }
  }

  /** A row scored during a scan; the scope is resolved only for the rows that are returned. */
  record Candidate(Table table, String scopeColumn, String memoryType, String key, double score) {
    String scopeText() {
      return table.scopeText(scopeColumn);
    }
  }

  /** Best first: higher score, then scope, type and key in ascending order. */
  static final Comparator<Candidate> BETTER =
      Comparator.comparingDouble(Candidate::score)
          .reversed()
          .thenComparing(Candidate::scopeText)
          .thenComparing(Candidate::memoryType)
          .thenComparing(Candidate::key);

  /** What the index gave a search: its rough candidates, or null when few enough to be exact. */
  private record FromIndex(@Nullable List<Candidate> rough) {}

  /** The rows of one scope and type, which the re-ranking reads in one statement a batch. */
  private record Group(Table table, String scopeColumn, String memoryType) {}

  /** The scope filter of one table: null for every row of the table. */
  record Part(Table table, @Nullable String scopeColumn) {}

  private VectorSearch() {}

  /**
   * The entries whose vectors are nearest the query, best first (ties by scope, memory type, key).
   * Only live entries (not expired at {@link Handle#now()}) whose vector is of the model recorded
   * in {@code swarm_settings} are considered; with no model recorded there are none.
   *
   * @param h the connection to read on
   * @param unitQuery the query vector, already L2-normalised (length 1 within {@value
   *     #UNIT_TOLERANCE}), of the recorded dimension
   * @param scopes the scopes to search, at most {@value #MAX_SCOPES}; empty for all
   * @param memoryType only entries of this type, or null for any
   * @param k how many hits at most, 1 to {@value Checks#MAX_LIMIT}
   * @return up to {@code k} hits
   * @throws SwarmDbException INVALID_ARGUMENT for a bad argument, or a query whose dimension is not
   *     the recorded one; CORRUPT for a stored vector of the wrong length or bad settings
   */
  public static List<Hit> search(
      Handle h, float[] unitQuery, Set<Scope> scopes, @Nullable String memoryType, int k)
      throws SQLException {
    return search(h, null, unitQuery, scopes, memoryType, k, QUANTISED_THRESHOLD);
  }

  /**
   * As {@link #search(Handle, float[], Set, String, int)}, scanning the open database's {@link
   * VectorIndex} instead of the rows where it can serve the transaction; the same hits either way
   * (the index holds the same int8 vectors, and both re-rank by the stored float32 ones).
   */
  public static List<Hit> search(
      Handle h,
      VectorIndex index,
      float[] unitQuery,
      Set<Scope> scopes,
      @Nullable String memoryType,
      int k)
      throws SQLException {
    return search(h, index, unitQuery, scopes, memoryType, k, QUANTISED_THRESHOLD);
  }

  /**
   * As {@link #search(Handle, float[], Set, String, int)}, with the number of candidate rows above
   * which the quantised path runs (0 forces it, {@link Integer#MAX_VALUE} forces the exact one).
   */
  static List<Hit> search(
      Handle h,
      @Nullable VectorIndex index,
      float[] unitQuery,
      Set<Scope> scopes,
      @Nullable String memoryType,
      int k,
      int quantisedThreshold)
      throws SQLException {
    checkQuery(unitQuery);
    List<Part> parts = parts(scopes);
    if (memoryType != null) {
      Checks.type("memoryType", memoryType);
    }
    Checks.limit(k);
    String model = null;
    String dimensionText = null;
    try (ResultSet rs = h.prepare(SETTINGS).executeQuery()) {
      while (rs.next()) {
        if (rs.getString(1).equals("embedding_model")) {
          model = rs.getString(2);
        } else {
          dimensionText = rs.getString(2);
        }
      }
    }
    if (model == null) {
      return List.of(); // no vector was ever stored
    }
    int dimension = recordedDimension(model, dimensionText);
    if (unitQuery.length != dimension) {
      throw Checks.invalid(
          "the query vector has "
              + unitQuery.length
              + " dimensions but this database holds vectors of model '"
              + model
              + "' with "
              + dimension
              + "; embed the query with that model");
    }
    Scan scan = new Scan(h, model, dimension, memoryType, parts);
    FromIndex fromIndex =
        index == null
            ? null
            : index.read(
                h,
                model,
                dimension,
                view -> {
                  VectorIndex.Filter f = view.filter(parts, memoryType);
                  if (f == null) {
                    return new FromIndex(List.of());
                  }
                  long now = h.now();
                  return new FromIndex(
                      quantised(view.count(f, now), quantisedThreshold)
                          ? view.best(Vectors.quantise(unitQuery), keep(k), f, now)
                          : null);
                });
    List<Candidate> best;
    if (fromIndex == null) { // no index, or it cannot serve these reads: the rows
      best =
          quantised(scan.count(), quantisedThreshold)
              ? scan.quantised(unitQuery, k)
              : scan.exact(unitQuery, k);
    } else {
      List<Candidate> rough = fromIndex.rough();
      best = rough == null ? scan.exact(unitQuery, k) : scan.rerank(rough, unitQuery, k);
    }
    List<Hit> out = new ArrayList<>(best.size());
    for (Candidate c : best) {
      out.add(new Hit(scopeOf(c), c.memoryType(), c.key(), c.score()));
    }
    return List.copyOf(out);
  }

  /**
   * How many rows the quantised scan keeps for the exact re-ranking of the best {@code k}: 90 more
   * than asked, or twice as many, whichever is more (100 for the top 10; recall's 50 candidates for
   * its top 10 keep 140). Each kept row is one more float32 vector read by primary key.
   */
  static int keep(int k) {
    return Math.max(k + 90, 2 * k);
  }

  /** The CORRUPT message of a row whose int8 vector is missing or of the wrong length. */
  static String badQ8(String row, String model, byte @Nullable [] blob, int dimension) {
    return row
        + " of model '"
        + model
        + "' has an embedding_q8 of "
        + (blob == null ? "no" : blob.length)
        + " bytes; "
        + dimension
        + " dimensions need "
        + (dimension + 4)
        + ". Delete the entry or put it again to re-embed it";
  }

  /** Whether a search over {@code candidates} rows takes the quantised path. */
  static boolean quantised(long candidates, int threshold) {
    return candidates > threshold;
  }

  private static void checkQuery(float[] q) {
    Objects.requireNonNull(q, "unitQuery");
    if (q.length < 1 || q.length > Vectors.MAX_DIMENSION) {
      throw Checks.invalid(
          "the query vector has "
              + q.length
              + " dimensions; it must have 1 to "
              + Vectors.MAX_DIMENSION);
    }
    double sum = 0;
    for (int i = 0; i < q.length; i++) {
      if (!Float.isFinite(q[i])) {
        throw Checks.invalid("the query vector has " + q[i] + " at dimension " + i);
      }
      sum += (double) q[i] * q[i];
    }
    double norm = Math.sqrt(sum);
    if (Math.abs(norm - 1) > UNIT_TOLERANCE) {
      throw Checks.invalid(
          "the query vector has length "
              + norm
              + ", not 1; normalise it first (Vectors.normalised)");
    }
  }

  private static List<Part> parts(Set<Scope> scopes) {
    Objects.requireNonNull(scopes, "scopes");
    if (scopes.size() > MAX_SCOPES) {
      throw Checks.invalid(
          "a vector search got " + scopes.size() + " scopes; the limit is " + MAX_SCOPES);
    }
    if (scopes.isEmpty()) {
      return List.of(new Part(Table.SESSION, null), new Part(Table.SCOPED, null));
    }
    List<Part> out = new ArrayList<>(scopes.size());
    for (Scope s : scopes) {
      if (s == null) {
        throw Checks.invalid("the scopes hold a null; pass only scopes");
      }
      out.add(
          s.kind() == Scope.Kind.SESSION
              ? new Part(Table.SESSION, s.id())
              : new Part(Table.SCOPED, s.toString()));
    }
    // a fixed order, so the reads (and a failure on damaged data) do not depend on the set's
    out.sort(
        Comparator.comparing((Part p) -> p.table())
            .thenComparing(p -> Objects.requireNonNull(p.scopeColumn())));
    return out;
  }

  private static int recordedDimension(String model, @Nullable String text) {
    int d;
    try {
      d = text == null ? -1 : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      d = -1;
    }
    if (d < 1 || d > Vectors.MAX_DIMENSION) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "swarm_settings records model '"
              + model
              + "' with embedding_dimension "
              + (text == null ? "missing" : "'" + Checks.printable(text) + "'")
              + "; it must be 1 to "
              + Vectors.MAX_DIMENSION
              + ". Restore the database from a backup or re-embed its memory");
    }
    return d;
  }

  private static Scope scopeOf(Candidate c) {
    if (c.table() == Table.SESSION) {
      return Scope.session(c.scopeColumn());
    }
    try {
      Scope s = Scope.parse(c.scopeColumn());
      if (s.kind() != Scope.Kind.SESSION) {
        return s;
      }
    } catch (SwarmDbException e) {
      // reported below, as damage
    }
    throw new SwarmDbException(
        ErrorCode.CORRUPT,
        c.table().row(c.scopeColumn(), c.memoryType(), c.key())
            + " has a scope that is not agent:ID, swarm or ns:NAME; delete the row");
  }

  /** One search's reads. Not thread safe (it is the calling thread's). */
  private static final class Scan {
    private final Handle h;
    private final String model;
    private final int dimension;
    private final @Nullable String memoryType;
    private final List<Part> parts;

    Scan(Handle h, String model, int dimension, @Nullable String memoryType, List<Part> parts) {
      this.h = h;
      this.model = model;
      this.dimension = dimension;
      this.memoryType = memoryType;
      this.parts = parts;
    }

    long count() throws SQLException {
      long n = 0;
      for (Part p : parts) {
        PreparedStatement ps =
            h.prepare(p.table().count(p.scopeColumn() != null, memoryType != null));
        bindFilters(ps, p);
        try (ResultSet rs = ps.executeQuery()) {
          n += rs.next() ? rs.getLong(1) : 0;
        }
      }
      return n;
    }

    List<Candidate> exact(float[] q, int k) throws SQLException {
      PriorityQueue<Candidate> heap = new PriorityQueue<>(k + 1, BETTER.reversed());
      for (Part p : parts) {
        try (ResultSet rs = scan(p, "embedding")) {
          while (rs.next()) {
            byte[] blob = rs.getBytes(4);
            float[] v = decode(p.table(), rs, blob);
            offer(heap, k, p.table(), rs, Vectors.dot(v, q));
          }
        }
      }
      return best(heap);
    }

    List<Candidate> quantised(float[] q, int k) throws SQLException {
      byte[] q8 = Vectors.quantise(q);
      int keep = keep(k);
      PriorityQueue<Candidate> rough = new PriorityQueue<>(keep + 1, BETTER.reversed());
      for (Part p : parts) {
        try (ResultSet rs = scan(p, "embedding_q8")) {
          while (rs.next()) {
            byte[] blob = rs.getBytes(4);
            if (blob == null || blob.length != dimension + 4) {
              throw new SwarmDbException(
                  ErrorCode.CORRUPT,
                  badQ8(
                      p.table().row(rs.getString(1), rs.getString(2), rs.getString(3)),
                      model,
                      blob,
                      dimension));
            }
            offer(rough, keep, p.table(), rs, Vectors.dotQ8(blob, q8));
          }
        }
      }
      return rerank(rough, q, k);
    }

    /** The best {@code k} of the rough candidates by their stored float32 vectors. */
    List<Candidate> rerank(Collection<Candidate> rough, float[] q, int k) throws SQLException {
      Map<Group, List<String>> groups = new LinkedHashMap<>();
      for (Candidate c : rough) {
        groups
            .computeIfAbsent(
                new Group(c.table(), c.scopeColumn(), c.memoryType()), g -> new ArrayList<>())
            .add(c.key());
      }
      PriorityQueue<Candidate> heap = new PriorityQueue<>(k + 1, BETTER.reversed());
      for (Map.Entry<Group, List<String>> e : groups.entrySet()) {
        Group g = e.getKey();
        List<String> keys = e.getValue();
        for (int from = 0; from < keys.size(); from += RERANK_BATCH) {
          List<String> batch = keys.subList(from, Math.min(keys.size(), from + RERANK_BATCH));
          PreparedStatement ps = h.prepare(g.table().vectors);
          ps.setString(1, g.scopeColumn());
          ps.setString(2, g.memoryType());
          for (int i = 0; i < RERANK_BATCH; i++) {
            ps.setString(3 + i, batch.get(Math.min(i, batch.size() - 1)));
          }
          // a key not found was deleted since the scan read it: no longer there to find
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String key = rs.getString(1);
              float[] v =
                  vector(g.table().row(g.scopeColumn(), g.memoryType(), key), rs.getBytes(2));
              add(
                  heap,
                  k,
                  new Candidate(
                      g.table(), g.scopeColumn(), g.memoryType(), key, Vectors.dot(v, q)));
            }
          }
        }
      }
      return best(heap);
    }

    private ResultSet scan(Part p, String column) throws SQLException {
      PreparedStatement ps =
          h.prepare(p.table().scan(p.scopeColumn() != null, memoryType != null, column));
      int i = bindFilters(ps, p);
      ps.setString(i++, model);
      ps.setLong(i, h.now());
      return ps.executeQuery();
    }

    /** Binds the scope and type filters; returns the next parameter's index. */
    private int bindFilters(PreparedStatement ps, Part p) throws SQLException {
      int i = 1;
      String scope = p.scopeColumn();
      if (scope != null) {
        ps.setString(i++, scope);
      }
      if (memoryType != null) {
        ps.setString(i++, memoryType);
      }
      return i;
    }

    private float[] decode(Table t, ResultSet rs, byte @Nullable [] blob) throws SQLException {
      if (blob == null || blob.length != dimension * 4) {
        return vector(t.row(rs.getString(1), rs.getString(2), rs.getString(3)), blob);
      }
      return Vectors.decode(() -> "", blob, dimension);
    }

    /** A stored float32 vector, or CORRUPT naming the row when it is missing or of a wrong size. */
    private float[] vector(String row, byte @Nullable [] blob) {
      if (blob == null) {
        throw new SwarmDbException(
            ErrorCode.CORRUPT,
            row
                + " has embedding_model '"
                + model
                + "' but no embedding. Delete the entry or put it again to re-embed it");
      }
      return Vectors.decode(() -> row + " of model '" + model + "'", blob, dimension);
    }

    /** Keeps the row if it is among the best {@code capacity} so far; reads its names only then. */
    private static void offer(
        PriorityQueue<Candidate> heap, int capacity, Table t, ResultSet rs, double score)
        throws SQLException {
      Candidate worst = heap.peek();
      if (heap.size() >= capacity && worst != null && score < worst.score()) {
        return;
      }
      add(
          heap,
          capacity,
          new Candidate(t, rs.getString(1), rs.getString(2), rs.getString(3), score));
    }

    private static void add(PriorityQueue<Candidate> heap, int capacity, Candidate c) {
      if (heap.size() < capacity) {
        heap.add(c);
      } else if (BETTER.compare(c, Objects.requireNonNull(heap.peek())) < 0) {
        heap.poll();
        heap.add(c);
      }
    }

    private static List<Candidate> best(PriorityQueue<Candidate> heap) {
      List<Candidate> out = new ArrayList<>(heap);
      out.sort(BETTER);
      return out;
    }
  }
}
