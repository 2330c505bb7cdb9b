package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SeedFiles;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.CheckResult;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 4 (library part): a truncated file, a zeroed header and bytes flipped in the middle of
 * pages. Each must be reported as CORRUPT naming the file, by open (with quickCheckOnOpen) or by
 * the checks; never read back as if nothing happened. (CLI verify and restore are tested with the
 * CLI.)
 */
@Tag("reliability")
class CorruptionTest {
  static final int ROWS = 3_000;
  static final int PAGE = 4096;

  @TempDir Path dir;
  Path good;

  @BeforeEach
  void createGoodDatabase() {
    good =
        SeedFiles.withEvents(
            dir.resolve("good.db"),
            ROWS,
            i ->
                AgentEvent.of(
                    "run", "agent-" + (i % 50), "worker", Map.of("pad", "z".repeat(200), "i", i)));
  }

  @Test
  void truncatedFileIsCorrupt() throws Exception {
    Path db = copy("truncated.db");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(f.length() * 2 / 5);
    }
    assertCorruptOnOpenWithQuickCheck(db);
    assertChecksFail(db);
  }

  @Test
  void zeroedHeaderIsCorruptOnOpen() throws Exception {
    Path db = copy("zeroed.db");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.write(new byte[100]);
    }
    SwarmDbException e = openFails(SwarmDbConfig.builder(db).build());
    assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT);
    assertThat(e.getMessage()).contains(db.toString()).contains("restore");
  }

  @Test
  void bytesFlippedMidPageAreFound() throws Exception {
    Path db = copy("flipped.db");
    long pages = Files.size(db) / PAGE;
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      for (long p = 2; p < pages; p += 5) {
        long at = p * PAGE + PAGE / 2;
        byte[] b = new byte[64];
        f.seek(at);
        f.readFully(b);
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) ~b[i];
        }
        f.seek(at);
        f.write(b);
      }
    }
    assertCorruptOnOpenWithQuickCheck(db);
    assertChecksFail(db);
  }

  private Path copy(String name) throws Exception {
    Path db = dir.resolve(name);
    Files.copy(good, db);
    assertThat(
            Files.exists(dir.resolve("good.db-wal")) && Files.size(dir.resolve("good.db-wal")) > 0)
        .as("the WAL was checkpointed into the file on close")
        .isFalse();
    return db;
  }

  private static SwarmDbException openFails(SwarmDbConfig config) {
    try (SwarmDB swarm = SwarmDB.open(config)) {
      throw new AssertionError("opened a damaged file without error: " + swarm);
    } catch (SwarmDbException e) {
      return e;
    }
  }

  private static void assertCorruptOnOpenWithQuickCheck(Path db) {
    SwarmDbException e = openFails(SwarmDbConfig.builder(db).quickCheckOnOpen(true).build());
    assertThat(e.code()).as(String.valueOf(e.getMessage())).isEqualTo(ErrorCode.CORRUPT);
    assertThat(e.getMessage()).contains(db.toString()).contains("restore");
  }

  /** Without the open-time check, quick_check and integrity_check must report the damage. */
  private static void assertChecksFail(Path db) {
    try (SwarmDB swarm = SwarmDB.open(db)) {
      for (boolean full : new boolean[] {false, true}) {
        try {
          CheckResult r =
              full ? swarm.maintenance().integrityCheck() : swarm.maintenance().quickCheck();
          assertThat(r.ok()).as(r.check()).isFalse();
          assertThat(r.problems()).isNotEmpty();
        } catch (SwarmDbException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT);
          assertThat(e.getMessage()).contains(db.toString());
        }
      }
    } catch (SwarmDbException e) {
      assertThat(e.code()).as(String.valueOf(e.getMessage())).isEqualTo(ErrorCode.CORRUPT);
      assertThat(e.getMessage()).contains(db.toString());
    }
  }
}
