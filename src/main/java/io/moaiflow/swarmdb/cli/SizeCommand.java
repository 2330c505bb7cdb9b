package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.health.FileSizes;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb size}: bytes on disk of the main file, {@code -wal} and {@code -shm}. A fast path
 * for cron and monitoring: it never opens the database, runs no schema work and starts neither
 * Jackson nor Logback. Not thread safe (one invocation).
 */
@Command(
    name = "size",
    description = "Print the database's bytes on disk (main + WAL + SHM) without opening it.")
final class SizeCommand extends BaseCommand {

  @Option(names = "--json", description = "Print a JSON object with the three sizes.")
  private boolean json;

  @Override
  boolean opensDatabase() {
    return false;
  }

  @Override
  int run() {
    out().println(report(requireExistingDatabase(), json));
    out().flush();
    return ExitCodes.OK;
  }

  /** The report line (without a line separator) for an existing database file. */
  static String report(Path db, boolean json) {
    FileSizes sizes = FileSizes.of(db);
    if (!json) {
      return Long.toString(sizes.totalBytes());
    }
    return "{\"path\":"
        + JsonText.quote(db.toAbsolutePath().normalize().toString())
        + ",\"bytes\":"
        + sizes.totalBytes()
        + ",\"mainBytes\":"
        + sizes.mainBytes()
        + ",\"walBytes\":"
        + sizes.walBytes()
        + ",\"shmBytes\":"
        + sizes.shmBytes()
        + "}";
  }
}
