package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.BackupCheck;
import io.moaiflow.swarmdb.RestoreResult;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb restore}: verifies a backup read-only, then puts a 0600 copy in place of the
 * database, keeping the replaced file (and its {@code -wal}/{@code -shm}) beside it as {@code
 * <db>.replaced-<timestamp>} ({@link SwarmDB#restore}). Refuses to replace without {@code --force},
 * and refuses while another process has the database open. Not thread safe (one invocation).
 */
@Command(
    name = "restore",
    description = "Verify a backup, then replace the database with it (old file kept beside it).")
final class RestoreCommand extends BaseCommand {

  @SuppressWarnings("NullAway.Init") // required option, set by picocli
  @Option(
      names = "--from",
      paramLabel = "FILE",
      required = true,
      description = "Backup to restore.")
  private Path from;

  @Option(names = "--force", description = "Replace an existing database (it is kept as a copy).")
  private boolean force;

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() {
    requireFileDatabase();
    SwarmDbConfig config = fileConfig().build();
    config.checkBackupPath(from);
    RestoreResult r;
    try (Progress progress = progress(quiet)) {
      progress.step("verifying " + from + " and restoring it");
      r = SwarmDB.restore(config, from, force);
    } catch (SwarmDbException e) {
      throw CliException.verbatim(ExitCodes.of(e.code()), e);
    }
    BackupCheck b = r.backup();
    printf(
        "restored %s from %s (schema version %d, %d events, integrity_check ok)%n",
        r.database(), b.path(), b.schemaVersion(), b.events());
    r.kept().forEach(k -> out().println("previous file kept as " + k));
    if (b.schemaVersion() < b.latestSchemaVersion()) {
      printf(
          "the restored schema is version %d; run 'swarmdb migrate' to bring it to %d%n",
          b.schemaVersion(), b.latestSchemaVersion());
    }
    return ExitCodes.OK;
  }
}
