package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.HealthReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb health}: connects, probes a read, checks that the files are writable and the
 * schema version. Exit 0 healthy, 1 unhealthy (with the reasons), 3 when the database cannot be
 * opened at all. A SQLite file is opened through {@link SwarmDB#openReadOnly}, so no file changes
 * (the write lock is not taken); PostgreSQL gets a rolled-back write probe. Never creates or
 * migrates the database. Not thread safe (one invocation).
 */
@Command(
    name = "health",
    description = "Check that the database is connected, readable, writable and current.")
final class HealthCommand extends BaseCommand {

  @Option(
      names = "--json",
      description = "Print {\"status\":\"healthy\",\"database\":\"connected\",...}.")
  private boolean json;

  @Override
  int run() {
    Path path = dbPath().toAbsolutePath().normalize();
    HealthReport report;
    try (SwarmDB db = openForChecks()) {
      report = db.inspect().health();
    } catch (SwarmDbException | CliException e) {
      // Scripts that parse stdout still get a status document; the error line goes to stderr.
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "unhealthy");
        m.put("database", "disconnected");
        m.put("path", path.toString());
        m.put("problems", List.of(String.valueOf(e.getMessage())));
        out().println(Reports.json(m));
        out().flush();
      }
      throw e;
    }
    if (json) {
      out().println(Reports.json(report.toJsonMap(path.toString())));
    } else if (report.healthy()) {
      printf(
          "healthy: %s connected, writable, schema v%d, %d bytes (%d ms)%n",
          path, report.schemaVersion(), report.dbSizeBytes(), report.checkMillis());
    } else {
      out().println("unhealthy: " + path + " (" + report.database() + ")");
      report.problems().forEach(p -> out().println("  - " + p));
    }
    return report.healthy() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }
}
