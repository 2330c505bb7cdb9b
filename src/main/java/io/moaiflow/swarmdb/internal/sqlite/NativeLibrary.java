package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.Handle;
import java.sql.SQLException;
import java.util.Locale;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Loads SQLite's native library once and explains a failure: where it was extracted, why that may
 * have failed (a {@code noexec} temporary directory, a musl/glibc or architecture mismatch) and how
 * to fix it. There is no fallback to an in-memory store. This class is thread safe.
 */
final class NativeLibrary {
  /** The oldest SQLite accepted: earlier versions can corrupt a WAL under concurrent writers. */
  public static final String MINIMUM_SQLITE = "3.51.3";

  private static volatile boolean loaded;

  private NativeLibrary() {}

  /** Loads the library, or throws {@link ErrorCode#NATIVE_LIBRARY} with the reason and fix. */
  public static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (NativeLibrary.class) {
      if (loaded) {
        return;
      }
      Throwable failure = null;
      boolean ok = false;
      try {
        ok = SQLiteJDBCLoader.initialize();
      } catch (Exception | LinkageError e) {
        failure = e;
      }
      if (!ok) {
        throw new SwarmDbException(ErrorCode.NATIVE_LIBRARY, explain(failure), failure);
      }
      loaded = true;
    }
  }

  /**
   * Checks that the loaded SQLite has FTS5 compiled in ({@code sqlite_compileoption_used
   * ('ENABLE_FTS5')}): the full-text index of memory and events (schema v2) is made of FTS5 tables.
   *
   * @throws SwarmDbException {@link ErrorCode#NATIVE_LIBRARY} naming the version and the fix
   */
  static void requireFts5(Handle h, String version) throws SQLException {
    requireFts5(h.queryLong("SELECT sqlite_compileoption_used('ENABLE_FTS5')") == 1, version);
  }

  /**
   * The decision of {@link #requireFts5(Handle, String)}.
   *
   * @param fts5 whether the library was compiled with {@code SQLITE_ENABLE_FTS5}
   * @param version the loaded SQLite version, for the message
   * @throws SwarmDbException {@link ErrorCode#NATIVE_LIBRARY} when {@code fts5} is false
   */
  static void requireFts5(boolean fts5, String version) {
    if (!fts5) {
      throw new SwarmDbException(
          ErrorCode.NATIVE_LIBRARY,
          "SQLite "
              + version
              + " is loaded without FTS5 (compile option ENABLE_FTS5), which SwarmDB's full-text"
              + " index needs; use the native library bundled with sqlite-jdbc (remove"
              + " -Dorg.sqlite.lib.path/-Dorg.sqlite.lib.name, or point them at a build with"
              + " -DSQLITE_ENABLE_FTS5). Nothing was changed");
    }
  }

  static String explain(@org.jspecify.annotations.Nullable Throwable failure) {
    String tmp = System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"));
    String os = System.getProperty("os.name", "?") + "/" + System.getProperty("os.arch", "?");
    return String.format(
        Locale.ROOT,
        "could not load the SQLite native library for %s (extracted to %s): %s. If that directory"
            + " is mounted noexec, point -Dorg.sqlite.tmpdir at an executable directory; on Alpine"
            + " (musl) or an unusual architecture, install a matching sqlite-jdbc native library"
            + " and set -Dorg.sqlite.lib.path/-Dorg.sqlite.lib.name. SwarmDB never falls back to"
            + " an in-memory store",
        os,
        tmp,
        failure == null ? "the loader reported failure" : failure.toString());
  }

  /**
   * Compares dotted version strings numerically.
   *
   * @param a a version such as 3.51.3
   * @return negative, zero or positive as a is older, equal or newer
   */
  public static int compareVersions(String a, String b) {
    String[] x = a.split("\\.", -1);
    String[] y = b.split("\\.", -1);
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int xi = i < x.length ? parse(x[i]) : 0;
      int yi = i < y.length ? parse(y[i]) : 0;
      if (xi != yi) {
        return Integer.compare(xi, yi);
      }
    }
    return 0;
  }

  private static int parse(String part) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
