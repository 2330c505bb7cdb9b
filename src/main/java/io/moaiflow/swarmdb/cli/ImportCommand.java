package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb import}: appends the events of an {@code export} file. The whole file is checked
 * before anything is written; events whose id is already stored are skipped (idempotent), and one
 * stored with different content is reported (exit 1) and left as stored. Creates the database when
 * missing. Not thread safe (one invocation).
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Append the events of an export file (idempotent by event id).")
final class ImportCommand extends BaseCommand {
  static final int BATCH = 1_000;

  @SuppressWarnings("NullAway.Init") // required option, set by picocli
  @Option(
      names = "--in",
      paramLabel = "FILE",
      required = true,
      description =
          "JSON-lines file; a line may have at most "
              + ImportLines.MAX_LINE_BYTES
              + " bytes (16 MiB of metadata plus 64 KiB).")
  private Path in;

  @Override
  int run() throws IOException {
    long lines = check();
    long added = 0;
    long present = 0;
    List<String> conflicts = new ArrayList<>();
    try (SwarmDB db = open(true);
        ImportLines r = new ImportLines(in, ImportLines.MAX_LINE_BYTES)) {
      List<AgentEvent> batch = new ArrayList<>(BATCH);
      String line;
      while ((line = r.next()) != null) {
        if (line.isBlank()) {
          continue;
        }
        batch.add(EventLines.read(line));
        if (batch.size() == BATCH) {
          long[] counts = append(db, batch, conflicts);
          added += counts[0];
          present += counts[1];
          batch.clear();
        }
      }
      long[] counts = append(db, batch, conflicts);
      added += counts[0];
      present += counts[1];
    }
    out()
        .println(
            "imported "
                + added
                + " new events from "
                + in
                + " ("
                + lines
                + " lines; "
                + present
                + " already present)");
    if (!conflicts.isEmpty()) {
      out()
          .println(
              conflicts.size()
                  + " event id(s) are already stored with different content; the stored rows were"
                  + " kept: "
                  + conflicts.subList(0, Math.min(10, conflicts.size())));
      return ExitCodes.CHECK_FAILED;
    }
    return ExitCodes.OK;
  }

  /** Parses every line first, so a bad file writes nothing. */
  private long check() throws IOException {
    long n = 0;
    try (ImportLines r = new ImportLines(in, ImportLines.MAX_LINE_BYTES)) {
      String line;
      while ((line = r.next()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          EventLines.read(line);
        } catch (IllegalArgumentException e) {
          throw CliException.usage(
              "line "
                  + r.number()
                  + " of "
                  + in
                  + ": "
                  + e.getMessage()
                  + "; nothing was imported, fix the line or re-export the file");
        }
        n++;
      }
    }
    return n;
  }

  private static long[] append(SwarmDB db, List<AgentEvent> batch, List<String> conflicts) {
    if (batch.isEmpty()) {
      return new long[] {0, 0};
    }
    long before = db.events().lastSeq();
    List<AgentEvent> stored = db.events().appendAll(batch);
    long added = 0;
    long present = 0;
    java.util.Set<Long> fresh = new java.util.HashSet<>();
    for (int i = 0; i < stored.size(); i++) {
      AgentEvent s = stored.get(i);
      if (s.seq() > before && fresh.add(s.seq())) {
        added++;
      } else {
        present++;
        if (!s.sameContent(batch.get(i))) {
          conflicts.add(s.eventId());
        }
      }
    }
    return new long[] {added, present};
  }
}
