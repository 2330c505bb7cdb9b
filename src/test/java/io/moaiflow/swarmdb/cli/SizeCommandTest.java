package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SizeCommandTest {
  @TempDir Path dir;

  @Test
  void sumsMainWalAndShm() throws Exception {
    Path db = dir.resolve("swarm.db");
    Files.write(db, new byte[4096]);
    Files.write(Path.of(db + "-wal"), new byte[100]);
    Files.write(Path.of(db + "-shm"), new byte[32768]);
    CliRun r = CliRun.ok(db, "size");
    assertThat(r.out()).isEqualTo(4096 + 100 + 32768 + System.lineSeparator());
    assertThat(r.err()).isEmpty();

    JsonNode json = new ObjectMapper().readTree(CliRun.on(db, "size", "--json").out());
    assertThat(json.get("bytes").asLong()).isEqualTo(36964);
    assertThat(json.get("mainBytes").asLong()).isEqualTo(4096);
    assertThat(json.get("walBytes").asLong()).isEqualTo(100);
    assertThat(json.get("shmBytes").asLong()).isEqualTo(32768);
    assertThat(json.get("path").asText()).isEqualTo(db.toAbsolutePath().toString());
  }

  @Test
  void mainFileAloneAndRealDatabase() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("real.db"), 10);
    long expected = Files.size(db);
    for (String s : new String[] {"-wal", "-shm"}) {
      if (Files.exists(Path.of(db + s))) {
        expected += Files.size(Path.of(db + s));
      }
    }
    assertThat(CliRun.on(db, "size").out().trim()).isEqualTo(Long.toString(expected));
  }

  @Test
  void missingFileIsADatabaseErrorAndIsNotCreated() {
    Path db = dir.resolve("nope/swarm.db");
    CliRun r = CliRun.fails(3, db, "size");
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("swarmdb size: database file " + db.toAbsolutePath())
        .contains("does not exist", "--db PATH", "swarmdb init")
        .doesNotContain("Exception");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(dir.resolve("nope")).doesNotExist();
  }

  @Test
  void directoryIsRefused() {
    assertThat(CliRun.fails(3, dir, "size").err()).contains("is a directory");
  }
}
