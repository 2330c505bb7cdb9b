package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open database's copy, in memory, of the int8 vectors of its memory rows ({@code embedding_q8}
 * of {@code session_memory} and {@code scoped_memory}), packed one after another, so that a vector
 * search over many rows scans a byte array instead of reading every row through JDBC ({@link
 * VectorSearch}). The float32 vectors stay in the database: the re-ranking reads them by primary
 * key in the search's own transaction, as without the index.
 *
 * <p><b>In step with every process's writes.</b> Every change of a memory row (put, delete, expiry
 * sweep, import) writes a {@code memory_history} row numbered on the one sequence, in commit order
 * (SQLite has one writer; on PostgreSQL every write transaction takes the append lock first), and a
 * put always changes the row's version, so its vector never changes unseen. Rows leave the history
 * only in a transaction that records a new removal token ({@link History#recordRemoval}). So the
 * index is the database's state at one position: the removal token and the newest history seq.
 * Before each search the index reads that position in the search's read transaction ({@link
 * #POSITION}): the same position, and the search reads the index as it is; a later seq with the
 * same token, and the index first applies the changes after its own seq (each changed key's row is
 * read again by primary key; more than {@link #MAX_CHANGES} changes, or a new token or model, and
 * it is built again from both tables); an earlier seq (a search that read its position just before
 * another search moved the index on, or one in a transaction whose snapshot is older), and the
 * search does not use the index at all. Reads run statement by statement (SQLite autocommit,
 * PostgreSQL READ COMMITTED), so a search's re-ranking may read rows newer than its position, as
 * the row scan's statements may. Writes made behind SwarmDB's back that change no version (a
 * damaged column) are seen when the index is next built, at the next open at the latest; the
 * re-ranking reads the float32 vectors each time.
 *
 * <p><b>Memory.</b> The index counts its bytes as {@link #bytes()} describes and holds at most the
 * configured budget ({@code SwarmDbConfig.Builder.vectorIndexBytes}). A database whose vectors do
 * not fit switches the index off until it is opened again (logged once at WARN, with the figures);
 * searches then read the rows as without it. A budget of 0 never builds it.
 *
 * <p>A damaged int8 vector found while building is kept as damage: a search that would score that
 * row fails with the same CORRUPT the row scan gives; other searches are not affected.
 *
 * <p>Thread safe: searches read under a shared lock, building and applying changes take it
 * exclusively.
 */
public final class VectorIndex {
  private static final Logger LOG = LoggerFactory.getLogger(VectorIndex.class);

  /** The position the index is at: the removal token (null: none yet) and the newest seq. */
  static final String POSITION =
      "SELECT " + History.REMOVAL_TOKEN + ", (SELECT max(seq) FROM memory_history)";

  /** The memory changes after a seq, up to a seq, in order. */
  static final String CHANGES =
      "SELECT scope, memory_type, key FROM memory_history WHERE seq > ? AND seq <= ?"
          + " ORDER BY seq LIMIT ?";

  /** More changes than this since the index's seq and it is built again instead. */
  static final int MAX_CHANGES = 20_000;

  /** The most int8 values one index holds: one Java array's worth. */
  static final long MAX_CODES = Integer.MAX_VALUE - 8;

  /**
   * Vectors per block: a block holds its vectors' values dimension by dimension, the {@value}
   * values of one dimension in one little-endian long, so one multiplication scores several
   * vectors.
   */
  static final int LANES = 8;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** The lanes of a long that a masked multiplication keeps apart: bytes 0 and 4. */
  private static final long TWO_LANES = 0x000000FF000000FFL;

  /** {@return the most vectors of {@code dimension} values the arrays can hold, whole blocks} */
  static int maxSlots(int dimension) {
    return (int) (MAX_CODES / dimension / LANES * LANES);
  }

  /** Bytes counted per entry for its slot beyond its vector: scale, expiry, two ids, a key. */
  static final int SLOT_OVERHEAD = 24;

  /** Bytes counted per stored entry beyond its key's characters: its key object and map entry. */
  static final int ENTRY_OVERHEAD = 120;

  /** A scope as the index names it: its table and its scope column's value. */
  private record ScopeName(VectorSearch.Table table, String column) {}

  /** One entry's identity. */
  private record EntryKey(int scope, int type, String key) {}

  /** A position of the database: its removal token (null: none yet) and newest history seq. */
  private record Position(@Nullable String token, long seq) {}

  /** One changed entry, as the history names it. */
  private record Change(String scope, String memoryType, String key) {}

  /** Values numbered in the order they are first seen. Not thread safe (guarded by the lock). */
  private static final class Names<T> {
    private final Map<T, Integer> ids = new HashMap<>();
    private final List<T> values = new ArrayList<>();

    int id(T value) {
      return ids.computeIfAbsent(
          value,
          v -> {
            values.add(v);
            return values.size() - 1;
          });
    }

    @Nullable Integer find(T value) {
      return ids.get(value);
    }

    T get(int id) {
      return values.get(id);
    }

    int size() {
      return values.size();
    }

    void clear() {
      ids.clear();
      values.clear();
    }
  }

  private final long budget;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  // all guarded by lock
  private @Nullable String off;
  private @Nullable String model; // null until built

  private int dimension;
  private @Nullable String token;
  private long seq;
  private int slots;
  private byte[] codes = new byte[0];
  private int[] sums = new int[0];
  private float[] scales = new float[0];
  private long[] expires = new long[0];
  private int[] scopeIds = new int[0];
  private int[] typeIds = new int[0];
  private @Nullable String[] keys = new String[0];
  private int[] free = new int[0];
  private int freeCount;
  private long keyBytes;
  private final Map<EntryKey, Integer> slotOf = new HashMap<>();
  private final Names<ScopeName> scopes = new Names<>();
  private final Names<String> types = new Names<>();
  private final Map<Integer, String> damage = new HashMap<>();
  private long builds;

  /**
   * @param budget the most bytes the index may hold ({@link #bytes()}); 0 for no index
   */
  public VectorIndex(long budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("budget " + budget);
    }
    this.budget = budget;
    this.off = budget == 0 ? "vectorIndexBytes is 0" : null;
  }

  /**
   * The bytes the index counts against its budget: per entry its vector's {@code dimension} bytes
   * plus {@value #SLOT_OVERHEAD} plus twice its key's length plus {@value #ENTRY_OVERHEAD}. An
   * estimate of the heap the entries take, not a measurement: a build sizes its arrays to the
   * entries it found, and later puts grow them by half at a time, so up to half as much again may
   * be allocated and not yet used.
   */
  public long bytes() {
    lock.readLock().lock();
    try {
      return bytes(slotOf.size(), dimension, keyBytes);
    } finally {
      lock.readLock().unlock();
    }
  }

  private static long bytes(long entries, int dimension, long keyBytes) {
    return entries * (dimension + SLOT_OVERHEAD) + keyBytes;
  }

  private static long entryBytes(String key) {
    return 2L * key.length() + ENTRY_OVERHEAD;
  }

  /** {@return the entries held, damaged ones included} */
  public int size() {
    lock.readLock().lock();
    try {
      return slotOf.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** {@return why the index is off for this open database, or null while it is in use} */
  public @Nullable String offReason() {
    lock.readLock().lock();
    try {
      return off;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** {@return how many times the index was built from the tables} */
  public long builds() {
    lock.readLock().lock();
    try {
      return builds;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code reader} on the index at the position of {@code h}'s reads, bringing the index there
   * first if it is behind.
   *
   * @return what the reader returned (never null), or null when the index cannot serve these reads
   *     (off, over its budget, or ahead of a transaction's older snapshot)
   */
  <T> @Nullable T read(Handle h, String modelId, int dim, Function<View, T> reader)
      throws SQLException {
    if (budget == 0) {
      return null;
    }
    Position at = position(h);
    for (int attempt = 0; attempt < 3; attempt++) {
      lock.readLock().lock();
      try {
        if (off != null) {
          return null;
        }
        if (isAt(at, modelId, dim)) {
          return reader.apply(new View());
        }
      } finally {
        lock.readLock().unlock();
      }
      lock.writeLock().lock();
      try {
        at = bringTo(h, modelId, dim, at);
        if (at == null) {
          return null;
        }
      } catch (SQLException | RuntimeException e) {
        clear(); // half applied: built again by the next search
        throw e;
      } finally {
        lock.writeLock().unlock();
      }
      // read again under the shared lock: another search may have moved the index on meanwhile
    }
    return null;
  }

  private static Position position(Handle h) throws SQLException {
    try (ResultSet rs = h.prepare(POSITION).executeQuery()) {
      rs.next();
      return new Position(rs.getString(1), rs.getLong(2));
    }
  }

  /** Whether the index holds the model's vectors as of the position; hold a lock. */
  private boolean isAt(Position at, String modelId, int dim) {
    return modelId.equals(model) && dim == dimension && isUnder(at) && seq == at.seq();
  }

  private boolean isUnder(Position at) {
    return Objects.equals(token, at.token());
  }

  /**
   * Brings the index to the position, under the exclusive lock.
   *
   * <p>A position older than the index's is read again first (a statement of its own sees the
   * commits another search has applied); only a transaction holding an older snapshot still reads
   * the older one.
   *
   * @return the position it is at, or null when it cannot serve these reads
   */
  private @Nullable Position bringTo(Handle h, String modelId, int dim, Position at)
      throws SQLException {
    if (off != null) {
      return null;
    }
    boolean same = modelId.equals(model) && dim == dimension;
    if (same && isUnder(at) && seq > at.seq()) {
      at = position(h);
      if (isUnder(at) && seq > at.seq()) {
        return null;
      }
    }
    if (!same || !isUnder(at) || (seq < at.seq() && !advance(h, at.seq()))) {
      build(h, modelId, dim, at);
    }
    return off == null ? at : null;
  }

  private void clear() {
    model = null;
    dimension = 0;
    token = null;
    seq = 0;
    slots = 0;
    codes = new byte[0];
    sums = new int[0];
    scales = new float[0];
    expires = new long[0];
    scopeIds = new int[0];
    typeIds = new int[0];
    keys = new String[0];
    free = new int[0];
    freeCount = 0;
    keyBytes = 0;
    slotOf.clear();
    scopes.clear();
    types.clear();
    damage.clear();
  }

  private void build(Handle h, String modelId, int dim, Position at) throws SQLException {
    clear();
    builds++;
    model = modelId;
    dimension = dim;
    for (VectorSearch.Table t : VectorSearch.Table.values()) {
      try (ResultSet rs = h.prepare(t.indexBuild, modelId).executeQuery()) {
        while (rs.next()) {
          if (!put(
              t,
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getBytes(4),
              expiry(rs, 5))) {
            return; // off: over the budget
          }
        }
      }
    }
    if (scales.length > slots) {
      grow(slots); // no spare room after a build
    }
    token = at.token();
    seq = at.seq();
  }

  /** {@return an expiry column as the index keeps it: {@link Long#MAX_VALUE} for none} */
  private static long expiry(ResultSet rs, int column) throws SQLException {
    long e = rs.getLong(column);
    return rs.wasNull() ? Long.MAX_VALUE : e;
  }

  /** Applies the changes after the index's seq up to {@code atSeq}; false: too many, build. */
  private boolean advance(Handle h, long atSeq) throws SQLException {
    Set<Change> changed = new LinkedHashSet<>();
    try (ResultSet rs = h.prepare(CHANGES, seq, atSeq, MAX_CHANGES + 1).executeQuery()) {
      while (rs.next()) {
        changed.add(new Change(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    if (changed.size() > MAX_CHANGES) {
      return false;
    }
    for (Change c : changed) {
      boolean session = c.scope().startsWith("session:");
      VectorSearch.Table t = session ? VectorSearch.Table.SESSION : VectorSearch.Table.SCOPED;
      String column = session ? c.scope().substring("session:".length()) : c.scope();
      remove(t, column, c.memoryType(), c.key());
      try (ResultSet rs = h.prepare(t.indexRow, column, c.memoryType(), c.key()).executeQuery()) {
        if (rs.next()
            && Objects.equals(model, rs.getString(1))
            && !put(t, column, c.memoryType(), c.key(), rs.getBytes(2), expiry(rs, 3))) {
          return true; // off: over the budget
        }
      }
    }
    seq = atSeq;
    return true;
  }

  private void remove(VectorSearch.Table t, String column, String type, String key) {
    Integer scope = scopes.find(new ScopeName(t, column));
    Integer typeId = types.find(type);
    if (scope == null || typeId == null) {
      return;
    }
    Integer slot = slotOf.remove(new EntryKey(scope, typeId, key));
    if (slot == null) {
      return;
    }
    scopeIds[slot] = -1;
    keys[slot] = null;
    damage.remove(slot);
    keyBytes -= entryBytes(key);
    free[freeCount++] = slot;
  }

  /** Stores one row; false when it does not fit the budget (the index is then off). */
  private boolean put(
      VectorSearch.Table t,
      String column,
      String type,
      String key,
      byte @Nullable [] q8,
      long expiresAt) {
    long after = keyBytes + entryBytes(key);
    if (bytes(slotOf.size() + 1L, dimension, after) > budget
        || (freeCount == 0 && slots + 1L > maxSlots(dimension))) {
      return overBudget(key);
    }
    int capacity = scales.length;
    if (freeCount == 0 && slots == capacity) {
      grow(Math.min(Math.max(16, capacity + (capacity >> 1)), maxSlots(dimension)));
    }
    int slot = freeCount > 0 ? free[--freeCount] : slots++;
    int scope = scopes.id(new ScopeName(t, column));
    int typeId = types.id(type);
    scopeIds[slot] = scope;
    typeIds[slot] = typeId;
    keys[slot] = key;
    expires[slot] = expiresAt;
    keyBytes = after;
    slotOf.put(new EntryKey(scope, typeId, key), slot);
    if (q8 == null || q8.length != dimension + 4) {
      scales[slot] = Float.NaN;
      damage.put(
          slot,
          VectorSearch.badQ8(
              t.row(column, type, key), Objects.requireNonNull(model), q8, dimension));
      return true;
    }
    scales[slot] = Vectors.scaleOf(q8);
    int at = (slot >>> 3) * dimension * LANES + (slot & 7);
    int sum = 0;
    for (int d = 0; d < dimension; d++, at += LANES) {
      int u = q8[4 + d] + 128; // 0 to 255
      codes[at] = (byte) u;
      sum += u;
    }
    sums[slot] = sum;
    return true;
  }

  private boolean overBudget(String key) {
    long entries = slotOf.size() + 1L;
    long need = bytes(entries, dimension, keyBytes + entryBytes(key));
    String why =
        "the vectors of model '"
            + model
            + "' need more than vectorIndexBytes "
            + budget
            + " or one array's 2^31 - 9 int8 values"
            + " (at least "
            + need
            + " bytes for the first "
            + entries
            + " entries of "
            + dimension
            + " dimensions)";
    clear();
    off = why;
    LOG.warn(
        "vector index off until the database is opened again: {}; searches over many vectors"
            + " read every row instead. Raise vectorIndexBytes, or search by scope",
        why);
    return false;
  }

  /** Grows (or trims) the arrays to {@code slots} rounded up to whole blocks. */
  private void grow(int slots) {
    int to = (slots + LANES - 1) / LANES * LANES;
    codes = Arrays.copyOf(codes, to * dimension); // whole blocks: to is a multiple of LANES
    sums = Arrays.copyOf(sums, to);
    scales = Arrays.copyOf(scales, to);
    expires = Arrays.copyOf(expires, to);
    scopeIds = Arrays.copyOf(scopeIds, to);
    typeIds = Arrays.copyOf(typeIds, to);
    keys = Arrays.copyOf(keys, to);
    free = Arrays.copyOf(free, to);
  }

  /** Keeps {@code c} if it is among the best {@code keep} of the heap (worst at its head). */
  private static void offer(
      PriorityQueue<VectorSearch.Candidate> heap, int keep, VectorSearch.Candidate c) {
    if (heap.size() < keep) {
      heap.add(c);
    } else if (VectorSearch.BETTER.compare(c, Objects.requireNonNull(heap.peek())) < 0) {
      heap.poll();
      heap.add(c);
    }
  }

  /** Which entries a search considers: per scope id whether it is searched, and a type id. */
  static final class Filter {
    private final boolean[] scopes;
    private final int type;

    Filter(boolean[] scopes, int type) {
      this.scopes = scopes;
      this.type = type;
    }
  }

  /**
   * The index as one search reads it, valid only inside {@link #read}'s reader, which holds the
   * shared lock. Not thread safe (the calling thread's).
   */
  final class View {
    private View() {}

    /**
     * The filter of a search: the parts' scopes (a part without a scope is its whole table) and the
     * type (null: any); null when nothing the index holds can match.
     */
    @Nullable Filter filter(List<VectorSearch.Part> parts, @Nullable String memoryType) {
      int type = -1;
      if (memoryType != null) {
        Integer id = types.find(memoryType);
        if (id == null) {
          return null;
        }
        type = id;
      }
      boolean[] wanted = new boolean[scopes.size()];
      boolean any = false;
      for (VectorSearch.Part p : parts) {
        String column = p.scopeColumn();
        if (column != null) {
          Integer id = scopes.find(new ScopeName(p.table(), column));
          if (id != null) {
            wanted[id] = true;
            any = true;
          }
          continue;
        }
        for (int i = 0; i < scopes.size(); i++) {
          if (scopes.get(i).table() == p.table()) {
            wanted[i] = true;
            any = true;
          }
        }
      }
      return any ? new Filter(wanted, type) : null;
    }

    /** {@return the live entries the filter admits at {@code now}} */
    int count(Filter f, long now) {
      int n = 0;
      for (int s = 0; s < slots; s++) {
        if (admits(f, s, now)) {
          n++;
        }
      }
      return n;
    }

    /** Whether slot {@code s} holds an entry the filter admits, live at {@code now}. */
    private boolean admits(Filter f, int s, long now) {
      int scope = scopeIds[s];
      return scope >= 0
          && f.scopes[scope]
          && (f.type < 0 || typeIds[s] == f.type)
          && expires[s] > now;
    }

    /**
     * The best {@code keep} live entries the filter admits by their int8 score against the
     * quantised query (scale first, as {@link Vectors#quantise} writes it).
     *
     * @throws SwarmDbException CORRUPT for a damaged entry the filter admits
     */
    List<VectorSearch.Candidate> best(byte[] q8, int keep, Filter f, long now) {
      float queryScale = Vectors.scaleOf(q8);
      int dim = dimension;
      // the query offset as the stored values are (0 to 255); the offsets come out again through
      // the sums: sum (c + 128)(q + 128) - 128 sum (c + 128) - 128 sum (q + 128) + 16384 dim
      long[] qu = new long[dim];
      long offset = 16_384L * dim;
      for (int d = 0; d < dim; d++) {
        qu[d] = q8[4 + d] + 128L;
        offset -= 128 * qu[d];
      }
      byte[] c = codes;
      PriorityQueue<VectorSearch.Candidate> heap =
          new PriorityQueue<>(keep + 1, VectorSearch.BETTER.reversed());
      float worst = Float.NEGATIVE_INFINITY;
      int blocks = (slots + LANES - 1) / LANES;
      for (int b = 0; b < blocks; b++) {
        int first = b * LANES;
        int admitted = 0;
        for (int s = first, end = Math.min(slots, first + LANES); s < end; s++) {
          if (admits(f, s, now)) {
            if (Float.isNaN(scales[s])) {
              throw new SwarmDbException(ErrorCode.CORRUPT, Objects.requireNonNull(damage.get(s)));
            }
            admitted |= 1 << (s - first);
          }
        }
        if (admitted == 0) {
          continue;
        }
        // lanes j and j + 4 of the block in the low and high half of a[j]: at most 4,096 * 255 *
        // 255 each, well inside 32 bits, so no carry crosses between them
        long a0 = 0;
        long a1 = 0;
        long a2 = 0;
        long a3 = 0;
        for (int d = 0, o = first * dim; d < dim; d++, o += LANES) {
          long l = (long) LONGS.get(c, o);
          long qd = qu[d];
          a0 += (l & TWO_LANES) * qd;
          a1 += ((l >>> 8) & TWO_LANES) * qd;
          a2 += ((l >>> 16) & TWO_LANES) * qd;
          a3 += ((l >>> 24) & TWO_LANES) * qd;
        }
        for (int j = 0; j < LANES; j++) {
          if ((admitted & (1 << j)) == 0) {
            continue;
          }
          int s = first + j;
          long a = j % 4 == 0 ? a0 : j % 4 == 1 ? a1 : j % 4 == 2 ? a2 : a3;
          long lane = j < 4 ? a & 0xFFFF_FFFFL : a >>> 32;
          int acc = (int) (lane - 128L * sums[s] + offset);
          float score = acc * scales[s] * queryScale;
          if (heap.size() >= keep && score < worst) {
            continue;
          }
          ScopeName name = scopes.get(scopeIds[s]);
          offer(
              heap,
              keep,
              new VectorSearch.Candidate(
                  name.table(),
                  name.column(),
                  types.get(typeIds[s]),
                  Objects.requireNonNull(keys[s]),
                  score));
          if (heap.size() >= keep) {
            worst = (float) Objects.requireNonNull(heap.peek()).score();
          }
        }
      }
      return new ArrayList<>(heap);
    }
  }
}
