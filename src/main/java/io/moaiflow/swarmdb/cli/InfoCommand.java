package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb info}: schema version, row counts, indexes, effective pragmas, page figures and
 * file sizes of an existing database. Never creates or migrates it; a SQLite file is opened through
 * {@link SwarmDB#openReadOnly}, so none of its files changes. Not thread safe (one invocation).
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
    out.println(
        "schema version:  "
            + info.schemaVersion()
            + " (library: "
            + info.latestSchemaVersion()
            + ")");
    out.println("rows:");
    for (Map.Entry<String, Long> e : info.rowCounts().entrySet()) {
      out.printf("  %-16s %d%n", e.getKey(), e.getValue());
    }
    out.println("indexes (" + info.indexes().size() + "):");
    for (String index : info.indexes()) {
      out.println("  " + index);
    }
    out.println("pragmas (as the library's connections see them):");
    for (Map.Entry<String, String> e : info.pragmas().entrySet()) {
      out.printf("  %-20s %s%n", e.getKey(), e.getValue());
    }
    out.println(
        "pages:           "
            + info.pageCount()
            + " x "
            + info.pageSize()
            + " bytes, "
            + info.freelistCount()
            + " free");
    out.println(
        "files:           main "
            + info.files().mainBytes()
            + ", wal "
            + info.files().walBytes()
            + ", shm "
            + info.files().shmBytes()
            + ", total "
            + info.files().totalBytes()
            + " bytes");
    return ExitCodes.OK;
  }
}
