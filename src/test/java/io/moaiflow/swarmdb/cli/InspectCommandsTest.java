package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.PlainSql.sql;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init, info and health end to end. */
class InspectCommandsTest {
  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void initCreatesAPrivateDatabaseAndIsIdempotent() throws Exception {
    Path db = dir.resolve("a/b/swarm.db");
    assertThat(CliRun.ok(db, "init").out())
        .isEqualTo(
            "initialised "
                + db.toAbsolutePath()
                + " at schema version "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db.getParent())))
        .isEqualTo("rwx------");
    assertThat(CliRun.on(db, "init").code()).isZero();
  }

  @Test
  void infoShowsSchemaCountsIndexesPragmasAndFiles() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 5);
    assertThat(CliRun.ok(db, "info").out())
        .contains("schema version:  7 (library: 7)")
        .containsPattern("agent_events +5")
        .contains("indexes (12):", "idx_events_agent_ts", "idx_memory_session_updated")
        .contains("journal_mode", "cache_size           10000")
        .contains("pages:", "files:");

    JsonNode n = json.readTree(CliRun.on(db, "info", "--json").out());
    assertThat(n.get("schemaVersion").asInt()).isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
    assertThat(n.get("indexCount").asInt()).isEqualTo(12);
    assertThat(n.get("indexes")).hasSize(12);
    assertThat(n.get("rowCounts").get("agent_events").asLong()).isEqualTo(5);
    assertThat(n.get("rowCounts").get("scoped_memory").asLong()).isZero();
    assertThat(n.get("rowCounts").get("swarm_settings").asLong()).isEqualTo(1);
    assertThat(n.get("pragmas").get("journal_mode").asText()).isEqualTo("wal");
    assertThat(n.get("files").get("totalBytes").asLong()).isPositive();
  }

  @Test
  void healthIsHealthyOnACurrentDatabase() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    assertThat(CliRun.ok(db, "health").out())
        .startsWith("healthy: " + db.toAbsolutePath() + " connected, writable");

    CliRun j = CliRun.ok(db, "health", "--json");
    assertThat(j.out()).startsWith("{\"status\":\"healthy\",\"database\":\"connected\",");
    JsonNode n = json.readTree(j.out());
    assertThat(n.get("writable").asBoolean()).isTrue();
    assertThat(n.get("schemaVersion").asInt()).isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
    assertThat(n.get("problems")).isEmpty();
  }

  @Test
  void healthIsUnhealthyBelowTheMinimumFreeSpace() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    CliRun run = CliRun.fails(1, db, "--min-free-bytes", Long.toString(Long.MAX_VALUE), "health");
    assertThat(run.out())
        .startsWith("unhealthy: ")
        .contains("free space on the filesystem holding " + db.toAbsolutePath())
        .contains("below the minimum of " + Long.MAX_VALUE + " bytes");
    JsonNode n = json.readTree(CliRun.on(db, "--min-free-bytes", "0", "health", "--json").out());
    assertThat(n.get("status").asText()).isEqualTo("healthy");
    assertThat(n.get("minFreeBytes").asLong()).isZero();
    assertThat(n.get("usableBytes").asLong()).isPositive();
    assertThat(n.get("recentWriteFailures")).isEmpty();

    java.util.Map<String, String> env = new java.util.HashMap<>(CliRun.quietEnv());
    env.put("MOAI_MIN_FREE_BYTES", Long.toString(Long.MAX_VALUE));
    CliRun.run(env, "--db", db.toString(), "health").exits(1);
    env.put("MOAI_MIN_FREE_BYTES", "64MiB");
    CliRun bad = CliRun.run(env, "--db", db.toString(), "health").exits(2);
    assertThat(bad.err()).contains("MOAI_MIN_FREE_BYTES='64MiB' is not a number of bytes");
    assertThat(CliRun.fails(2, db, "--min-free-bytes", "-1", "health").err())
        .contains("minFreeSpaceBytes is -1 bytes");
  }

  @Test
  void healthIsUnhealthyOnAnOutdatedSchema() throws Exception {
    Path db = dir.resolve("old.db");
    sql(db, "PRAGMA journal_mode=WAL");
    assertThat(CliRun.fails(1, db, "health").out())
        .startsWith("unhealthy: ")
        .contains("schema version is 0", "swarmdb migrate");
    JsonNode n = json.readTree(CliRun.on(db, "health", "--json").out());
    assertThat(n.get("status").asText()).isEqualTo("unhealthy");
    assertThat(n.get("problems").get(0).asText()).contains("schema version is 0");
  }

  @Test
  void inspectionNeverCreatesAMissingDatabase() {
    Path db = dir.resolve("missing/swarm.db");
    for (String cmd : new String[] {"info", "health", "verify", "migrate", "vacuum", "export"}) {
      CliRun r = CliRun.on(db, cmd);
      assertThat(r.code()).as(cmd + ": " + r).isEqualTo(3);
      assertThat(r.err()).as(cmd).contains("does not exist", "swarmdb init");
    }
    CliRun j = CliRun.on(db, "health", "--json");
    assertThat(j.out()).startsWith("{\"status\":\"unhealthy\",\"database\":\"disconnected\"");
    assertThat(dir.resolve("missing")).doesNotExist();
  }

  @Test
  void corruptFileIsADatabaseErrorWithOneLine() throws Exception {
    Path db = dir.resolve("corrupt.db");
    byte[] junk = new byte[8192];
    java.util.Arrays.fill(junk, (byte) 0x5a);
    Files.write(db, junk);
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
    CliRun r = CliRun.fails(3, db, "info");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("swarmdb info: ").contains(db.getFileName().toString());

    assertThat(CliRun.fails(3, db, "--verbose", "health").err())
        .contains("SwarmDbException", "\tat ");
  }
}
