package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import picocli.CommandLine.Command;

@Command(
    name = "vacuum",
    description = "Rebuild the file to reclaim free pages (blocks writers while it runs).")
final class VacuumCommand extends BaseCommand {

  @Override
  int run() {
    try (SwarmDB db = openExisting()) {
      long before = db.inspect().sizeBytes();
      long after = db.maintenance().vacuum();
      out().println("vacuumed " + location() + ": " + before + " -> " + after + " bytes");
    }
    return ExitCodes.OK;
  }
}
