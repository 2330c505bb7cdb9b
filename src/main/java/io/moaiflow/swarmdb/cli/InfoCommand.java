package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.FileSizes;
import io.moaiflow.swarmdb.health.HistoryInfo;
import java.io.PrintWriter;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb info}: schema version, row counts, indexes, effective pragmas, page figures, file
 * sizes and the history's size against its budget of an existing database. Never creates or
 * migrates it; a SQLite file is opened through {@link SwarmDB#openReadOnly}, so none of its files
 * changes. Not thread safe (one invocation).
 */
@Command(
    name = "info",
    description = "Show schema version, row counts, the 12 indexes, pragmas, pages and file sizes.")
final class InfoCommand extends BaseCommand {

  @Option(names = "--json", description = "Print one JSON object.")
  private boolean json;

  @Override
  int run() {
    DatabaseInfo info;
    try (SwarmDB db = openForChecks()) {
      info = db.inspect().info();
    }
    PrintWriter out = out();
    if (json) {
      out.println(Reports.json(Reports.info(info)));
      return ExitCodes.OK;
    }
    out.println("path:            " + info.path());
    out.println("sqlite:          " + info.sqliteVersion());
    printf("schema version:  %d (library: %d)%n", info.schemaVersion(), info.latestSchemaVersion());
    out.println("rows:");
    info.rowCounts().forEach((table, n) -> printf("  %-16s %d%n", table, n));
    out.println("indexes (" + info.indexes().size() + "):");
    info.indexes().forEach(index -> out.println("  " + index));
    out.println("pragmas (as the library's connections see them):");
    info.pragmas().forEach((name, value) -> printf("  %-20s %s%n", name, value));
    printf(
        "pages:           %d x %d bytes, %d free%n",
        info.pageCount(), info.pageSize(), info.freelistCount());
    FileSizes f = info.files();
    printf(
        "files:           main %d, wal %d, shm %d, total %d bytes%n",
        f.mainBytes(), f.walBytes(), f.shmBytes(), f.totalBytes());
    HistoryInfo h = info.history();
    OptionalLong budget = h.budgetBytes();
    printf(
        "history:         %d rows, %d bytes, budget %s, horizon seq %d%n",
        h.rows(),
        h.bytes(),
        budget.isPresent()
            ? budget.getAsLong() + " bytes (" + (h.overBudget() ? "over" : "within") + ")"
            : "none",
        h.horizon());
    return ExitCodes.OK;
  }
}
