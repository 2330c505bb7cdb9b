package io.moaiflow.swarmdb.reliability;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SeedFiles;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.HealthReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 3: read-only files, directories and filesystems. Opening for writing must fail with
 * READ_ONLY and a message that names the path and the fix. Root ignores permission bits, so as root
 * the filesystem cases use a tmpfs remounted read-only, and the chmod cases are skipped (and the
 * reverse when not root).
 */
@Tag("reliability")
class ReadOnlyTest {
  @TempDir Path dir;

  @Test
  void readOnlyFilesystemGivesReadOnly() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "4m", "the read-only filesystem test")) {
      Path db = fs.dir().resolve("data/swarm.db");
      SeedFiles.withOneEvent(db);
      fs.remountReadOnly();
      try {
        assertReadOnly(db, db.toString());
        assertReadOnly(fs.dir().resolve("data/new.db"), "new.db");
        assertReadOnly(fs.dir().resolve("fresh/dir/new.db"), "fresh");
        assertThat(Files.exists(fs.dir().resolve("fresh"))).isFalse();
      } finally {
        fs.remountReadWrite();
      }
      try (SwarmDB swarm = SwarmDB.open(db)) {
        assertThat(swarm.events().count()).isEqualTo(1);
      }
    }
  }

  @Test
  void readOnlyFileAndDirectoryGiveReadOnly() throws Exception {
    assumeFalse(
        DbFiles.isRoot(),
        "chmod-based read-only tests cannot work as root (root ignores permission bits);"
            + " readOnlyFilesystemGivesReadOnly covers this case with a read-only mount");
    Path db = dir.resolve("ro/swarm.db");
    SeedFiles.withOneEvent(db);
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--------"));
    try {
      assertReadOnly(db, db.toString());
    } finally {
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
    }
    Files.setPosixFilePermissions(db.getParent(), PosixFilePermissions.fromString("r-x------"));
    try {
      assertReadOnly(db, db.getParent().toString());
    } finally {
      Files.setPosixFilePermissions(db.getParent(), PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void healthReportsAFileThatBecameReadOnly() throws Exception {
    assumeFalse(
        DbFiles.isRoot(),
        "a file chmod-ed read-only stays writable for root; this health check is not run as root");
    Path db = dir.resolve("health/swarm.db");
    try (SwarmDB swarm = SwarmDB.open(db)) {
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--------"));
      try {
        HealthReport report = swarm.inspect().health();
        assertThat(report.healthy()).isFalse();
        assertThat(report.writable()).isFalse();
        assertThat(report.problems()).anyMatch(p -> p.contains("not writable"));
      } finally {
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
      }
    }
  }

  private static void assertReadOnly(Path db, String named) {
    assertThat(assertFails(ErrorCode.READ_ONLY, () -> SwarmDB.open(db).close()).getMessage())
        .contains(named)
        .containsAnyOf("not writable", "read-only");
  }
}
