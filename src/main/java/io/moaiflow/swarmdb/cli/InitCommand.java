package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import picocli.CommandLine.Command;

/**
 * {@code swarmdb init}: creates the database (file 0600, directories 0700) or migrates an existing
 * one, and prints the schema version. Not thread safe (one invocation).
 */
@Command(
    name = "init",
    description = "Create the database, or migrate an existing one; print the schema version.")
final class InitCommand extends BaseCommand {

  @Override
  int run() {
    try (SwarmDB db = open(true)) {
      out()
          .println(
              "initialised " + location() + " at schema version " + db.migrator().currentVersion());
    }
    return ExitCodes.OK;
  }
}
