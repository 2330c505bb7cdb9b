package io.moaiflow.swarmdb.internal.sqlite;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.FileSecurity;
import io.moaiflow.swarmdb.internal.Json;
import io.moaiflow.swarmdb.internal.Uuid7;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The small internal helpers: error mapping, native-library messages, files, JSON rules. */
class SupportTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "SQLITE_BUSY, BUSY, busy timeout",
    "SQLITE_LOCKED, BUSY, busy timeout",
    "SQLITE_BUSY_SNAPSHOT, BUSY, busy timeout",
    "SQLITE_READONLY, READ_ONLY, read-only",
    "SQLITE_FULL, DISK_FULL, Free space",
    "SQLITE_CORRUPT, CORRUPT, restore",
    "SQLITE_NOTADB, CORRUPT, not a SQLite database",
    "SQLITE_IOERR, IO_ERROR, operating system",
    "SQLITE_CANTOPEN, IO_ERROR, operating system",
    "SQLITE_CONSTRAINT_UNIQUE, INVALID_ARGUMENT, constraint",
    "SQLITE_ERROR, DATABASE_ERROR, boom"
  })
  void sqliteErrorsMapToCodesWithTheFix(String sqlite, ErrorCode code, String fragment) {
    SQLiteErrorCode c = SQLiteErrorCode.valueOf(sqlite);
    SQLiteException e = new SQLiteException("boom", c);
    SwarmDbException mapped = SqliteErrors.map("append event", "/x/swarm.db", e);
    assertThat(mapped.code()).isEqualTo(code);
    assertThat(mapped.getMessage()).contains("append event failed on /x/swarm.db", fragment);
    assertThat(mapped.getCause()).isSameAs(e);
    assertThat(mapped.sqliteResultCode()).isEqualTo(c.code);
    assertThat(SqliteErrors.isBusy(e)).isEqualTo(code == ErrorCode.BUSY);
    assertThat(SqliteErrors.isConstraint(e)).isEqualTo(code == ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void plainSqlExceptionsUseTheirVendorCode() {
    assertThat(SqliteErrors.resultCode(new SQLException("x", "s", 13))).isEqualTo(13);
    assertThat(SqliteErrors.resultCode(new SQLException("x"))).isEqualTo(-1);
    assertThat(SqliteErrors.map("op", "f", new SQLException("x")).code())
        .isEqualTo(ErrorCode.DATABASE_ERROR);
  }

  @Test
  void nativeLibraryMessagesExplainTheFix() {
    NativeLibrary.ensureLoaded();
    NativeLibrary.ensureLoaded();
    String m = NativeLibrary.explain(new UnsatisfiedLinkError("no sqlitejdbc"));
    assertThat(m)
        .contains("no sqlitejdbc", "noexec", "-Dorg.sqlite.tmpdir", "musl", "never falls back");
    assertThat(NativeLibrary.explain(null)).contains("the loader reported failure");
    assertThat(NativeLibrary.compareVersions("3.53.4", NativeLibrary.MINIMUM_SQLITE)).isPositive();
    assertThat(NativeLibrary.compareVersions("3.51.2", "3.51.3")).isNegative();
    assertThat(NativeLibrary.compareVersions("3.51", "3.51.0")).isZero();
    assertThat(NativeLibrary.compareVersions("3.x.1", "3.0.1")).isZero();
  }

  @Test
  void fileHelpers() throws Exception {
    Path missing = dir.resolve("nope.db");
    assertThat(
            assertFails(ErrorCode.NOT_FOUND, () -> FileSecurity.prepareDatabaseFile(missing, false))
                .getMessage())
        .contains("does not exist", "swarmdb init");
    assertThat(FileSecurity.prepareDatabaseFile(missing, true)).isTrue();
    assertThat(FileSecurity.prepareDatabaseFile(missing, true)).isFalse();
    assertThat(mode(missing)).isEqualTo("600");
    assertThat(mode(dir.resolve("absent"))).isEmpty();
    Path wide = Files.createFile(dir.resolve("wide"));
    Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(mode(wide)).isEqualTo("777");
    FileSecurity.makePrivate(wide);
    assertThat(mode(wide)).isEqualTo("600");
    assertFails(ErrorCode.IO_ERROR, () -> FileSecurity.makePrivate(dir.resolve("absent")));
    assertThat(FileSecurity.size(dir.resolve("absent"))).isZero();
    assertFails(
        ErrorCode.IO_ERROR,
        () -> FileSecurity.createPrivateFile(dir.resolve("no/such/dir/f"), "test file"));
  }

  /** The POSIX mode of a file as an octal string such as {@code 600}, or empty when unreadable. */
  private static String mode(Path path) {
    try {
      int mode = 0;
      for (PosixFilePermission p : Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)) {
        mode |= 0400 >> p.ordinal(); // declared OWNER_READ, OWNER_WRITE, ..., OTHERS_EXECUTE
      }
      return Integer.toOctalString(mode);
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void backupVerificationRejectsForeignAndEmptyFiles() throws Exception {
    Path foreign = dir.resolve("foreign.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (x)");
    }
    assertThat(assertFails(ErrorCode.CORRUPT, () -> SqliteMaintenance.verify(foreign)).getMessage())
        .contains("holds no SwarmDB schema");
  }

  @Test
  void storedJsonThatIsNotAnObjectIsReported() {
    // stored text that is not an object is damage (issue 12 item 4), not the caller's input
    assertThat(
            assertFails(
                    ErrorCode.CORRUPT,
                    () -> Json.readMetadata(() -> "agent_events row seq 7", "[1]"))
                .getMessage())
        .contains("agent_events row seq 7", "stored metadata is not readable JSON");
    assertThat(
            assertFails(ErrorCode.CORRUPT, () -> Json.readMetadata(() -> "sessions row x", "null"))
                .getMessage())
        .contains("sessions row x", "JSON null");
    assertThat(Json.readMetadata(() -> "r", "{\"a\":1}")).isEqualTo(Map.of("a", 1));
    assertThat(Json.asStored(Map.of("n", Double.NaN), "{\"n\":\"NaN\"}"))
        .isEqualTo(Map.of("n", "NaN"));
    assertThat(Json.asStored(Map.of("n", 5_000_000_000L), "{\"n\":5000000000}"))
        .isEqualTo(Map.of("n", 5_000_000_000L));
    java.util.Map<Object, Object> odd = new java.util.HashMap<>();
    odd.put(1, "x");
    assertThat(Json.asStored(Map.of("m", odd), "{\"m\":{\"1\":\"x\"}}"))
        .isEqualTo(Map.of("m", Map.of("1", "x")));
    assertThat(Json.asStored(Map.of("l", java.util.List.of(1L)), "{\"l\":[1]}"))
        .isEqualTo(Map.of("l", java.util.List.of(1)));
  }

  @Test
  void uuidsAreVersion7AndTimeOrdered() {
    java.util.UUID a = Uuid7.at(1_000);
    java.util.UUID b = Uuid7.at(2_000);
    assertThat(a.version()).isEqualTo(7);
    assertThat(a.variant()).isEqualTo(2);
    assertThat(a.toString().compareTo(b.toString())).isNegative();
    assertThat(a.getMostSignificantBits() >>> 16).isEqualTo(1_000);
  }

  /**
   * Ids made one after the other sort in that order, also the thousands made within one millisecond
   * (before: same-millisecond ids sorted randomly), and ids made on 8 threads at once are all
   * distinct, each thread's in its own order, with the millisecond of their making.
   */
  @Test
  void uuidsAreUniqueAndMonotonicWithinAMillisecond() throws Exception {
    long before = System.currentTimeMillis();
    String previous = Uuid7.next();
    int sameMillisecond = 0;
    for (int i = 0; i < 200_000; i++) {
      String id = Uuid7.next();
      assertThat(id).as("id %d after %s", i, previous).isGreaterThan(previous);
      java.util.UUID u = java.util.UUID.fromString(id);
      assertThat(u.version()).isEqualTo(7);
      assertThat(u.variant()).isEqualTo(2);
      if (id.regionMatches(0, previous, 0, 13)) {
        sameMillisecond++;
      }
      previous = id;
    }
    long after = System.currentTimeMillis();
    long millis = java.util.UUID.fromString(previous).getMostSignificantBits() >>> 16;
    assertThat(millis).isBetween(before, after);
    assertThat(sameMillisecond)
        .as("ids that shared a millisecond with the one before")
        .isPositive();

    int threads = 8;
    int each = 50_000;
    java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(threads);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<java.util.List<String>>> parts =
          new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            pool.submit(
                () -> {
                  go.await();
                  java.util.List<String> ids = new java.util.ArrayList<>(each);
                  for (int i = 0; i < each; i++) {
                    ids.add(Uuid7.next());
                  }
                  return ids;
                }));
      }
      java.util.Set<String> all = new java.util.HashSet<>();
      for (java.util.concurrent.Future<java.util.List<String>> f : parts) {
        java.util.List<String> ids = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ids).isSorted();
        all.addAll(ids);
      }
      assertThat(all).hasSize(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }
}
