package io.moaiflow.swarmdb.internal.sqlite;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.StatementCache;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening checks that the loaded SQLite has FTS5, which the full-text index of schema v2 needs. */
class Fts5CheckTest {
  @TempDir Path dir;

  @Test
  void aLibraryWithoutFts5IsRefusedNamingTheVersionAndTheFix() {
    NativeLibrary.requireFts5(true, "3.53.4");
    assertThat(
            assertFails(ErrorCode.NATIVE_LIBRARY, () -> NativeLibrary.requireFts5(false, "3.9.9")))
        .hasMessageContaining("SQLite 3.9.9 is loaded without FTS5 (compile option ENABLE_FTS5)")
        .hasMessageContaining("use the native library bundled with sqlite-jdbc")
        .hasMessageContaining("Nothing was changed");
  }

  @Test
  void theBundledLibraryHasFts5AndOpeningReadsIt() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      Handle h = new Handle(c, new StatementCache(c), 0);
      assertThat(h.queryLong("SELECT sqlite_compileoption_used('ENABLE_FTS5')")).isEqualTo(1);
      assertThat(h.queryLong("SELECT sqlite_compileoption_used('ENABLE_NO_SUCH_THING')")).isZero();
      NativeLibrary.requireFts5(h, h.queryString("SELECT sqlite_version()"));
    }
    Path file = dir.resolve("fts.db");
    SwarmDB.open(file).close();
    try (SwarmDB ro = SwarmDB.openReadOnly(SwarmDbConfig.builder(file).migrate(false).build())) {
      assertThat(ro.maintenance().quickCheck().ok()).isTrue();
    }
  }
}
