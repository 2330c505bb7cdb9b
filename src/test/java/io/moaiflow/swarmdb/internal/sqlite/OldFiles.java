package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.MigrationEngine;
import io.moaiflow.swarmdb.internal.StatementCache;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/**
 * Files as an older SwarmDB left them, for the migration tests: the checked-in v1 file migrated
 * with the shipped scripts up to a version only, then the rows an old process of that version
 * wrote.
 */
final class OldFiles {
  private OldFiles() {}

  /** SQL statements run on the file once it is at its version. */
  static Path atVersion(Path dir, int version, String description, String... rows)
      throws Exception {
    Path file = dir.resolve("swarm-v" + version + ".db");
    try (InputStream in = OldFiles.class.getResourceAsStream("/db/v1/swarm-v1.db")) {
      Files.copy(in, file);
    }
    List<MigrationEngine.Script> scripts = SqliteMigrator.SCRIPTS.subList(0, version);
    assertThat(scripts.get(version - 1).description()).isEqualTo(description);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      Handle h = new Handle(c, new StatementCache(c), 1_767_225_600_000L);
      new SqliteMigrator(null, file.toString(), null, scripts).migrate(h);
      assertThat(SqliteMigrator.userVersion(h)).isEqualTo(version);
      for (String row : rows) {
        st.execute(row);
      }
    }
    return file;
  }

  /**
   * The backup the migration of {@code file} to the latest version took: {@code
   * <file>.pre-v<latest>-<stamp>.bak} beside it; fails the test when there is none.
   */
  static Path backupOf(Path file) throws Exception {
    String prefix = file.getFileName() + ".pre-v" + io.moaiflow.swarmdb.SchemaV7.LATEST + "-";
    try (java.util.stream.Stream<Path> files = Files.list(file.getParent())) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no backup " + prefix + "* beside " + file));
    }
  }

  /** {@return how many explicit CREATE INDEX the file's schema holds (the checklist's 12)} */
  static long explicitIndexes(Path file) throws Exception {
    return V2ToV3MigrationTest.V1ToV3Queries.query(
        file, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL");
  }
}
