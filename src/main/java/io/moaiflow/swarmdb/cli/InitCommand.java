package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb init}: creates the database (file 0600, directories 0700) or migrates an existing
 * one, and prints the schema version; {@code --index-events} switches the events' full-text index
 * on or off, recorded in the database. Not thread safe (one invocation).
 */
@Command(
    name = "init",
    description = "Create the database, or migrate an existing one; print the schema version.")
final class InitCommand extends BaseCommand {

  @Option(
      names = "--index-events",
      arity = "1",
      paramLabel = "true|false",
      description =
          "Index events for full-text recall (recorded in the database for every process;"
              + " default: keep what it records, on for a new database). false makes appends"
              + " cheaper and empties the event index; true indexes every stored event again.")
  private @Nullable Boolean indexEvents;

  @Override
  int run() {
    Boolean index = indexEvents;
    try (SwarmDB db = open(true, b -> index == null ? b : b.indexEvents(index))) {
      out()
          .println(
              "initialised "
                  + location()
                  + " at schema version "
                  + db.migrator().currentVersion()
                  + (index == null ? "" : ", event indexing " + (index ? "on" : "off")));
    }
    return ExitCodes.OK;
  }
}
