package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
  @Option(names = "--in", paramLabel = "FILE", required = true, description = "JSON-lines file.")
  private Path in;

  @Override
  int run() throws IOException {
    long lines = check();
    long added = 0;
    long present = 0;
    List<String> conflicts = new ArrayList<>();
    try (SwarmDB db = open(true);
        BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      List<AgentEvent> batch = new ArrayList<>(BATCH);
      String line;
      while ((line = r.readLine()) != null) {
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
    long lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          EventLines.read(line);
        } catch (IllegalArgumentException e) {
          throw CliException.usage(
              "line "
                  + lineNo
                  + " of "
                  + in
                  + ": "
                  + e.getMessage()
                  + "; nothing was imported, fix the line or re-export the file");
        }
        n++;
      }
    } catch (NoSuchFileException e) {
      throw CliException.usage("import file " + in + " does not exist; pass --in FILE");
    } catch (java.nio.charset.MalformedInputException e) {
      throw CliException.usage(
          "import file " + in + " is not UTF-8 text; pass a file written by 'swarmdb export'");
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
