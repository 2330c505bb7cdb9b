package io.moaiflow.swarmdb.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
    mixinStandardHelpOptions = true,
    description = "Print the database's bytes on disk (main + WAL + SHM) without opening it.")
final class SizeCommand extends BaseCommand {

  @Option(names = "--json", description = "Print a JSON object with the three sizes.")
  private boolean json;

  @Override
  boolean opensDatabase() {
    return false;
  }

  @Override
  int run() throws IOException {
    out().println(report(requireExistingDatabase(), json));
    out().flush();
    return ExitCodes.OK;
  }

  /**
   * The report line for an existing database file.
   *
   * @param db the main file
   * @param json whether to print a JSON object instead of the bare number
   * @return the line, without a line separator
   */
  static String report(Path db, boolean json) throws IOException {
    long main = Files.size(db);
    long wal = sizeOrZero(Path.of(db + "-wal"));
    long shm = sizeOrZero(Path.of(db + "-shm"));
    long total = main + wal + shm;
    if (!json) {
      return Long.toString(total);
    }
    return "{\"path\":"
        + JsonText.quote(db.toAbsolutePath().normalize().toString())
        + ",\"bytes\":"
        + total
        + ",\"mainBytes\":"
        + main
        + ",\"walBytes\":"
        + wal
        + ",\"shmBytes\":"
        + shm
        + "}";
  }

  private static long sizeOrZero(Path p) throws IOException {
    try {
      return Files.size(p);
    } catch (NoSuchFileException e) {
      return 0;
    }
  }
}
