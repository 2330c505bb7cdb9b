package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.migrate.MigrationInfo;
import io.moaiflow.swarmdb.migrate.MigrationResult;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb migrate}: lists pending migrations and, unless {@code --dry-run}, applies them
 * (the library backs the file up first). Refuses a missing file: {@code init} creates databases.
 * Not thread safe (one invocation).
 */
@Command(
    name = "migrate",
    description = "Show pending schema migrations and apply them after a backup.")
final class MigrateCommand extends BaseCommand {

  @Option(names = "--dry-run", description = "Only list the pending migrations.")
  private boolean dryRun;

  @Override
  int run() {
    try (SwarmDB db = openExisting()) {
      PrintWriter out = out();
      List<MigrationInfo> pending = db.migrator().pending();
      int current = db.migrator().currentVersion();
      if (pending.isEmpty()) {
        out.println("schema version " + current + " is current; nothing to migrate");
        return ExitCodes.OK;
      }
      printf(
          "schema version %d; %d pending migration(s)%s%n",
          current, pending.size(), dryRun ? " (dry run, nothing applied):" : ":");
      pending.forEach(m -> out.println("  V" + m.version() + "  " + m.description()));
      if (dryRun) {
        return ExitCodes.OK;
      }
      MigrationResult r = db.migrator().migrate();
      if (r.backup() != null) {
        out.println("backup before migrating: " + r.backup());
      }
      printf(
          "migrated from version %d to %d (%d applied)%n",
          r.fromVersion(), r.toVersion(), r.applied().size());
    }
    return ExitCodes.OK;
  }
}
