package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "vacuum",
    description = "Rebuild the file to reclaim free pages (blocks writers while it runs).")
final class VacuumCommand extends BaseCommand {

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() {
    try (SwarmDB db = openExisting();
        Progress progress = progress(quiet)) {
      progress.step("VACUUM");
      long before = db.inspect().sizeBytes();
      long after = db.maintenance().vacuum();
      out().println("vacuumed " + location() + ": " + before + " -> " + after + " bytes");
    }
    return ExitCodes.OK;
  }
}
