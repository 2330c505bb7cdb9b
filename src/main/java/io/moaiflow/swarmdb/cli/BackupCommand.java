package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.BackupResult;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb backup}: an online, consistent, verified copy (mode 0600) to a file, or to a
 * timestamped file in a directory with rotation by age. Safe while other processes write. Not
 * thread safe (one invocation).
 */
@Command(
    name = "backup",
    description = "Write an online, verified backup (0600) to a file, or timestamped into a dir.")
final class BackupCommand extends BaseCommand {

  /** UTC timestamp in backup names; sorts lexically in time order. */
  static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  @SuppressWarnings("NullAway.Init") // required group, set by picocli
  @ArgGroup(exclusive = true, multiplicity = "1")
  private Target target;

  @Option(
      names = "--keep-days",
      paramLabel = "DAYS",
      defaultValue = "30",
      description =
          "With --dir: delete this database's backups in DIR older than DAYS (default ${DEFAULT-VALUE}).")
  private int keepDays;

  /** Exactly one of the two destinations. */
  static final class Target {
    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Backup file.")
    @Nullable Path out;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        required = true,
        description = "Directory for <name>-<UTC timestamp>.db backups.")
    @Nullable Path dir;
  }

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() throws IOException {
    if (keepDays < 1) {
      throw CliException.usage("--keep-days is " + keepDays + "; pass 1 or more days");
    }
    Path dbFile = requireExistingDatabase();
    Instant now = Instant.now();
    Path file;
    Path dir = target.dir;
    if (dir != null) {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw CliException.usage("--dir " + dir + " is not a directory; pass a directory");
      }
      file = dir.resolve(baseName(dbFile) + "-" + STAMP.format(now) + ".db");
    } else {
      file = java.util.Objects.requireNonNull(target.out, "out");
    }
    BackupResult r;
    try (SwarmDB db = open(false);
        Progress progress = progress(quiet)) {
      progress.step("writing and verifying " + file);
      r = db.maintenance().backupTo(file);
    }
    printf(
        "backup written: %s (%d bytes, last event seq %d, verified, %d ms)%n",
        r.path(), r.bytes(), r.lastSeq(), r.millis());
    if (dir != null) {
      List<Path> deleted = rotate(dir, baseName(dbFile), r.path(), now, keepDays);
      deleted.forEach(p -> out().println("deleted old backup: " + p));
      out().println("kept backups newer than " + keepDays + " day(s); deleted " + deleted.size());
    }
    return ExitCodes.OK;
  }

  static String baseName(Path db) {
    String name = String.valueOf(db.getFileName());
    return name.endsWith(".db") ? name.substring(0, name.length() - 3) : name;
  }

  /**
   * Deletes this database's backups in {@code dir} whose name stamp is older than {@code keepDays}.
   * Only names of the form {@code <base>-<stamp>.db} written by this command are considered.
   */
  static List<Path> rotate(Path dir, String base, Path keep, Instant now, int keepDays)
      throws IOException {
    Pattern name = Pattern.compile(Pattern.quote(base) + "-([0-9]{8}T[0-9]{9}Z)\\.db");
    Instant cutoff = now.minus(Duration.ofDays(keepDays));
    List<Path> deleted = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        Matcher m = name.matcher(String.valueOf(p.getFileName()));
        if (!m.matches() || p.equals(keep) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Instant stamp;
        try {
          stamp = Instant.from(STAMP.parse(m.group(1)));
        } catch (DateTimeParseException e) {
          continue; // looks like ours but is not a real time: leave it alone
        }
        if (stamp.isBefore(cutoff)) {
          Files.delete(p);
          deleted.add(p);
        }
      }
    }
    deleted.sort(null);
    return deleted;
  }
}
