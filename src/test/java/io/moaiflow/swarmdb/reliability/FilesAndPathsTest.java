package io.moaiflow.swarmdb.reliability;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SeedFiles;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 10: files and paths. A child JVM started under {@code umask 022} creates a database in new
 * nested directories and a backup; while it holds the database open the database, -wal, -shm and
 * the backup must be 0600 and every directory created 0700. Symlinks at the database or backup path
 * and {@code file:} URIs are refused, and with a backup root no backup leaves it (by {@code ..}, a
 * symlinked directory, or a plain outside path).
 */
@Tag("reliability")
class FilesAndPathsTest {
  @TempDir Path dir;

  @Test
  void filesAre600AndDirectories700UnderUmask022() throws Exception {
    Path root = dir.resolve("umask");
    Files.createDirectories(root);
    try (ChildJvm child =
        ChildJvm.start(
            ReliabilityChild.class,
            dir.resolve("files.err"),
            "022",
            null,
            List.of(),
            "files",
            root.toString())) {
      child.awaitReady();
      Path db = root.resolve("a/b/swarm.db");
      for (Path f :
          List.of(
              db,
              Path.of(db + "-wal"),
              Path.of(db + "-shm"),
              root.resolve("backups/nested/copy.db"))) {
        assertThat(Files.exists(f)).as("%s exists", f).isTrue();
        assertThat(DbFiles.mode(f)).as("mode of %s", f).isEqualTo("600");
      }
      for (Path d :
          List.of(
              root.resolve("a"),
              root.resolve("a/b"),
              root.resolve("backups"),
              root.resolve("backups/nested"))) {
        assertThat(DbFiles.mode(d)).as("mode of %s", d).isEqualTo("700");
      }
      child.send("close");
      assertThat(child.awaitLine("CLOSED", 60)).isNotNull();
      assertThat(child.waitFor(60)).isZero();
    }
    // the umask really was 022: a plain file created by the shell gets 644
    Path probe = dir.resolve("probe");
    Tmpfs.run("/bin/sh", "-c", "umask 022; : > '" + probe + "'");
    assertThat(DbFiles.mode(probe)).isEqualTo("644");
  }

  @Test
  void symlinkAtTheDatabasePathIsRefused() throws Exception {
    Path real = dir.resolve("real.db");
    SeedFiles.withOneEvent(real);
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), real);
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling.db"), dir.resolve("nowhere.db"));
    for (Path p : List.of(link, dangling)) {
      assertInvalid(() -> SwarmDB.open(p).close(), p.toString(), "symbolic link");
    }
    assertThat(Files.exists(dir.resolve("nowhere.db"))).isFalse();
  }

  @Test
  void backupToAUriOrThroughASymlinkIsRefused() throws Exception {
    Path db = dir.resolve("src.db");
    Path outside = dir.resolve("outside.db");
    try (SwarmDB swarm = SwarmDB.open(db)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      for (String target :
          List.of(
              "file:" + dir.resolve("uri.db"),
              "file:" + dir.resolve("uri.db") + "?mode=rwc",
              dir.resolve("q.db") + "?vfs=unix")) {
        assertInvalid(() -> swarm.maintenance().backupTo(Path.of(target)), "URI");
      }
      Path link = Files.createSymbolicLink(dir.resolve("backup-link.db"), outside);
      assertFails(ErrorCode.INVALID_ARGUMENT, () -> swarm.maintenance().backupTo(link));
      assertThat(Files.exists(outside)).isFalse();
    }
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> SwarmDbConfig.builder(Path.of("file:" + db)).build());
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("uri") || n.startsWith("q.db") || n.startsWith("file:"));
    }
  }

  @Test
  void backupOutsideTheAllowedRootIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path root = dir.resolve("backups");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createDirectories(root);
    Path escape = Files.createSymbolicLink(root.resolve("escape"), elsewhere);
    Path db = dir.resolve("rooted.db");
    SwarmDbConfig config = SwarmDbConfig.builder(db).backupRoot(root).build();
    String realRoot = root.toRealPath().toString();
    try (SwarmDB swarm = SwarmDB.open(config)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      for (Path target :
          List.of(
              dir.resolve("beside.db"),
              root.resolve("../dotdot.db"),
              root.resolve("sub/../../dotdot2.db"),
              escape.resolve("through-link.db"),
              root,
              dir.resolve("backups-sibling/x.db"))) {
        assertThat(
                assertFails(ErrorCode.INVALID_ARGUMENT, () -> swarm.maintenance().backupTo(target))
                    .getMessage())
            .as("backup to %s", target)
            .contains("outside the allowed backup root " + realRoot)
            .contains("--backup-root");
      }
      try (var files = Files.list(elsewhere)) {
        assertThat(files).isEmpty();
      }
      assertThat(dir.resolve("beside.db")).doesNotExist();
      assertThat(dir.resolve("dotdot.db")).doesNotExist();
      assertThat(dir.resolve("backups-sibling")).doesNotExist();

      // inside the root, in new nested directories, the backup is written and private
      Path inside = root.resolve("nested/deeper/ok.db");
      assertThat(swarm.maintenance().backupTo(inside).lastSeq()).isEqualTo(1);
      assertThat(DbFiles.mode(inside)).isEqualTo("600");
      // "x/../" that stays inside is fine too
      Path stays = root.resolve("nested/../stays.db");
      assertThat(swarm.maintenance().backupTo(stays).path()).isEqualTo(root.resolve("stays.db"));
    }
  }

  @Test
  void theBackupRootItselfMayBeReachedThroughASymlink() throws Exception {
    Path realRoot = Files.createDirectories(dir.resolve("real-root"));
    Path linkRoot = Files.createSymbolicLink(dir.resolve("link-root"), realRoot);
    SwarmDbConfig viaLink = SwarmDbConfig.builder(dir.resolve("a.db")).backupRoot(linkRoot).build();
    assertThat(viaLink.checkBackupPath(realRoot.resolve("b.db")))
        .isEqualTo(realRoot.resolve("b.db"));
    assertThat(viaLink.checkBackupPath(linkRoot.resolve("c.db")))
        .isEqualTo(realRoot.resolve("c.db"));
    // a root that does not exist yet still bounds paths by their spelling
    SwarmDbConfig missing =
        SwarmDbConfig.builder(dir.resolve("a.db")).backupRoot(dir.resolve("not-yet")).build();
    assertThat(missing.checkBackupPath(dir.resolve("not-yet/d.db")))
        .isEqualTo(dir.toRealPath().resolve("not-yet/d.db"));
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> missing.checkBackupPath(dir.resolve("not-yet-2/d.db")));
    // without a root every path passes, made absolute
    SwarmDbConfig open = SwarmDbConfig.builder(dir.resolve("a.db")).build();
    assertThat(open.backupRoot()).isNull();
    assertThat(open.checkBackupPath(Path.of("rel.db"))).isAbsolute();
    // a URI or a blank root is a configuration error
    for (String bad : List.of("file:" + dir, " ")) {
      assertFails(
          ErrorCode.INVALID_ARGUMENT,
          () -> SwarmDbConfig.builder(dir.resolve("a.db")).backupRoot(Path.of(bad)).build());
    }
  }
}
