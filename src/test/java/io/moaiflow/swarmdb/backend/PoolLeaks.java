package io.moaiflow.swarmdb.backend;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.moaiflow.swarmdb.SwarmDB;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leak check {@link SwarmDbExtension} runs after every {@link BackendTest}: no connection of a
 * {@code SwarmDB}'s pools (the SQLite read pool, the PostgreSQL pool) may still be borrowed once
 * the test is over. Every SwarmDB call returns its connection before it returns (or, for {@code
 * appendAsync}, before its future completes), and streams hold none between pages, so a connection
 * still in use after the test is a read or write that never gave it back.
 *
 * <p>The pools are private to the {@code internal} packages; they are found by walking the fields
 * of SwarmDB's own objects, so renaming a field does not defeat the check. Stateless and thread
 * safe.
 */
public final class PoolLeaks {
  private static final String OWN_PACKAGES = "io.moaiflow.swarmdb";
  private static final int MAX_DEPTH = 6;

  private PoolLeaks() {}

  /**
   * Fails when a connection of one of {@code db}'s pools is still borrowed.
   *
   * @param db an open database whose calls have all returned
   * @throws AssertionError naming the pool and its counts
   */
  public static void assertNoneBorrowed(SwarmDB db) {
    List<String> leaks = new ArrayList<>();
    for (HikariDataSource pool : pools(db)) {
      HikariPoolMXBean mx = pool.getHikariPoolMXBean();
      if (mx != null && mx.getActiveConnections() > 0) {
        leaks.add(
            "pool '"
                + pool.getPoolName()
                + "' has "
                + mx.getActiveConnections()
                + " connection(s) still borrowed (total="
                + mx.getTotalConnections()
                + ", idle="
                + mx.getIdleConnections()
                + ")");
      }
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "the test leaked pooled connections of "
              + db
              + ": "
              + String.join("; ", leaks)
              + ". A SwarmDB read or write did not give its connection back; find the call"
              + " whose connection is not closed on every path");
    }
  }

  /**
   * The connection pools {@code db} holds (none for an in-memory database).
   *
   * @param db the database
   * @return its pools
   */
  public static List<HikariDataSource> pools(SwarmDB db) {
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    List<HikariDataSource> found = new ArrayList<>();
    walk(db, 0, seen, found);
    return found;
  }

  private static void walk(
      Object o, int depth, Map<Object, Boolean> seen, List<HikariDataSource> found) {
    if (seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof HikariDataSource pool) {
      found.add(pool);
      return;
    }
    if (depth > MAX_DEPTH || !o.getClass().getName().startsWith(OWN_PACKAGES)) {
      return;
    }
    for (Class<?> c = o.getClass();
        c != null && c.getName().startsWith(OWN_PACKAGES);
        c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        Object value;
        try {
          f.setAccessible(true);
          value = f.get(o);
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new AssertionError("cannot read " + c.getName() + "." + f.getName(), e);
        }
        if (value != null) {
          walk(value, depth + 1, seen, found);
        }
      }
    }
  }
}
