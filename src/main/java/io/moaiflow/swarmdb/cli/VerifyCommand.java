package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.CheckResult;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.FileSizes;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.health.WalFile;
import io.moaiflow.swarmdb.migrate.MigrationState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb verify}: structural check, schema version and migration checksums, the 12 indexes,
 * WAL mode, the {@code -wal}'s frames, file permissions and free space (against {@code
 * --min-free-bytes}); with {@code --full} also {@code json_valid} over every JSON column, listing
 * each damaged row. Exit 0 when all hold, 1 listing each problem. Opens the file through {@link
 * SwarmDB#openReadOnly}: it never creates, migrates, checkpoints or otherwise changes the database
 * or its {@code -wal} and {@code -shm}. Not thread safe (one invocation).
 */
@Command(
    name = "verify",
    description =
        "Check integrity, schema and checksums, the 12 indexes, WAL mode and file permissions.")
final class VerifyCommand extends BaseCommand {

  @Option(
      names = "--full",
      description =
          "Run integrity_check (slow, checks index contents) instead of quick_check, and check"
              + " that every JSON column of every row is valid JSON (json_valid).")
  private boolean full;

  private final List<String> problems = new ArrayList<>();
  private final List<String> passed = new ArrayList<>();

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() throws IOException {
    Path path = requireExistingDatabase().toAbsolutePath().normalize();
    checkWalHeader(path);
    checkPermissions(path);
    WalFile wal = WalFile.of(path);
    wal.problem().ifPresentOrElse(problems::add, () -> passed.add(wal.summary()));
    boolean hasShm = Files.exists(FileSizes.files(path).get(2), LinkOption.NOFOLLOW_LINKS);
    if (!hasShm && wal.recoveredFrames() > 0) {
      problems.add(
          "not checked: integrity, schema and indexes. "
              + wal.path()
              + " holds "
              + wal.recoveredCommits()
              + " committed transaction(s) in "
              + wal.bytes()
              + " bytes but there is no -shm: SQLite can only read them by creating and building"
              + " a -shm, which a check never does, and checking the main file alone would leave"
              + " them out. Open the database read-write once (the swarm, or 'swarmdb migrate')"
              + " to recover the WAL into the main file, then run verify again; to leave this file"
              + " alone, copy the main file and its -wal elsewhere, run 'swarmdb --db COPY"
              + " migrate' and verify the copy");
      return report(path);
    }
    // Without a -shm, or with a -wal SQLite ignores, the check reads the main file without locks
    // (immutable): detect a process that opened the database read-write meanwhile.
    boolean lockFree = !hasShm || (wal.bytes() > 0 && !wal.headerValid());
    String before = lockFree ? fingerprint(path) : "";
    try (SwarmDB db = openForChecks();
        Progress progress = progress(quiet)) {
      progress.step(full ? "integrity_check" : "quick_check");
      CheckResult check = full ? db.maintenance().integrityCheck() : db.maintenance().quickCheck();
      add(check, check.check() + " ok (" + check.millis() + " ms)");
      if (full) {
        progress.step("json_valid over every JSON column");
        CheckResult json = db.maintenance().jsonCheck();
        add(json, "json_valid ok: every JSON column of every row (" + json.millis() + " ms)");
      }
      progress.step("schema, free space and indexes");
      checkSchema(db);
      checkFreeSpace(db.inspect().health(), path);
      DatabaseInfo info = db.inspect().info();
      List<String> missing = info.missingIndexes();
      List<String> extra = info.unexpectedIndexes();
      int expected = info.indexes().size() - extra.size() + missing.size();
      if (!missing.isEmpty()) {
        problems.add(
            "missing index(es) "
                + missing
                + "; restore from a backup with 'swarmdb restore --from FILE'");
      }
      if (!extra.isEmpty()) {
        problems.add(
            "unexpected index(es) " + extra + "; the schema has " + expected + ", drop the others");
      }
      if (missing.isEmpty() && extra.isEmpty()) {
        passed.add("indexes: all " + expected + " present");
      }
    }
    String after = lockFree ? fingerprint(path) : "";
    if (!before.equals(after)) {
      problems.add(
          "the database changed during the check (before: "
              + before
              + "; after: "
              + after
              + "): another process opened it read-write while verify read the main file without"
              + " locks, so the results above may not hold; run verify again");
    }
    return report(path);
  }

  /** Size and modification time of the main file and whether -wal and -shm exist. */
  private static String fingerprint(Path path) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("main ")
        .append(Files.size(path))
        .append(" bytes modified ")
        .append(Files.getLastModifiedTime(path));
    for (Path p : FileSizes.files(path).subList(1, 3)) {
      sb.append(", ")
          .append(p.toString().substring(path.toString().length()))
          .append(Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? " present" : " absent");
    }
    return sb.toString();
  }

  private void add(CheckResult check, String ok) {
    if (check.ok()) {
      passed.add(ok);
    }
    for (String p : check.problems()) {
      problems.add(check.check() + ": " + p);
    }
  }

  private int report(Path path) {
    PrintWriter out = out();
    out.println(
        problems.isEmpty()
            ? "ok: " + path
            : "FAILED: " + path + " (" + problems.size() + " problem(s))");
    problems.forEach(p -> out.println("  FAIL " + p));
    passed.forEach(p -> out.println("  ok   " + p));
    return problems.isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  /**
   * Opening already refused a schema newer than this library and changed migration scripts ({@code
   * validate()}); this states the version and the number of matching checksums, or that migrations
   * are pending.
   */
  private void checkSchema(SwarmDB db) {
    db.migrator().validate();
    int current = db.migrator().currentVersion();
    int latest = db.migrator().latestVersion();
    if (current != latest) {
      problems.add(
          "schema version is "
              + current
              + ", this version of SwarmDB needs "
              + latest
              + "; run 'swarmdb migrate'");
      return;
    }
    long applied =
        db.migrator().status().stream().filter(m -> m.state() == MigrationState.APPLIED).count();
    passed.add("schema version " + current + ", " + applied + " migration checksum(s) match");
  }

  /** The free space on the database's filesystem against --min-free-bytes, as health checks it. */
  private void checkFreeSpace(HealthReport health, Path path) {
    long usable = health.usableBytes();
    long min = health.minFreeBytes();
    if (min == 0) {
      passed.add("free space: not checked (--min-free-bytes 0)");
    } else if (!health.writable()) {
      // a read-only file or mount: no write can run out of space (the WAL check says what that
      // means for reading it)
      passed.add("free space: not checked (the database is not writable here)");
    } else if (usable < 0) {
      problems.add(
          "free space of the filesystem holding "
              + path
              + " could not be read; check the mount, or pass --min-free-bytes 0");
    } else if (usable < min) {
      problems.add(
          "free space on the filesystem holding "
              + path
              + " is "
              + usable
              + " bytes, below the minimum of "
              + min
              + " bytes; writes fail with DISK_FULL when it runs out: free space, or lower"
              + " --min-free-bytes");
    } else {
      passed.add("free space " + usable + " bytes (minimum " + min + ")");
    }
  }

  /** Bytes 18 and 19 of a SQLite header are the write and read format versions: 2 means WAL. */
  private void checkWalHeader(Path path) throws IOException {
    byte[] header = new byte[20];
    int read;
    try (InputStream in = Files.newInputStream(path)) {
      read = in.readNBytes(header, 0, header.length);
    }
    if (read < header.length) {
      problems.add(
          "journal mode: the file has only "
              + read
              + " bytes, no SQLite header; restore from a backup or create it with 'swarmdb"
              + " init'");
    } else if (header[18] == 2 && header[19] == 2) {
      passed.add("journal_mode wal");
    } else {
      problems.add(
          "journal mode is not WAL (header format versions "
              + header[18]
              + "/"
              + header[19]
              + "); run 'swarmdb init' once to switch it to WAL");
    }
  }

  private void checkPermissions(Path path) throws IOException {
    if (Files.getFileAttributeView(path, PosixFileAttributeView.class) == null) {
      passed.add("permissions: not a POSIX file system, not checked");
      return;
    }
    int before = problems.size();
    for (Path p : FileSizes.files(path)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        checkMode("file", p, "rw-------", "600", LinkOption.NOFOLLOW_LINKS);
      }
    }
    Path dir = path.getParent();
    if (dir != null) {
      checkMode("directory", dir, "rwx------", "700");
    }
    if (problems.size() == before) {
      passed.add("permissions: file 600, directory 700");
    }
  }

  private void checkMode(String kind, Path p, String expected, String octal, LinkOption... how)
      throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, how);
    if (!mode.equals(PosixFilePermissions.fromString(expected))) {
      problems.add(
          kind
              + " mode of "
              + p
              + " is "
              + PosixFilePermissions.toString(mode)
              + ", expected "
              + expected
              + " ("
              + octal
              + "); fix with: chmod "
              + octal
              + " "
              + p);
    }
  }
}
