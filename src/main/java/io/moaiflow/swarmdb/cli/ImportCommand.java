package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb import}: appends the events of an {@code export} file. The whole file is checked
 * before anything is written; events whose id is already stored are skipped (idempotent), and one
 * stored with different content is reported (exit 1) and left as stored. Creates the database when
 * missing. Not thread safe (one invocation).
 */
@Command(
    name = "import",
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

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() throws IOException {
    long[] counts = new long[2]; // added, already present
    List<String> conflicts = new ArrayList<>();
    long lines;
    try (Progress progress = progress(quiet)) {
      progress.step("checking " + in, -1, "lines");
      lines = forEachEvent(true, e -> progress.add(1)); // a bad file fails here, before any write
      try (SwarmDB db = open(true)) {
        progress.step("importing", lines, "events");
        List<AgentEvent> batch = new ArrayList<>(BATCH);
        forEachEvent(
            false,
            e -> {
              batch.add(e);
              if (batch.size() == BATCH) {
                append(db, batch, conflicts, counts);
                progress.add(BATCH);
              }
            });
        append(db, batch, conflicts, counts);
      }
    }
    printf(
        "imported %d new events from %s (%d lines; %d already present)%n",
        counts[0], in, lines, counts[1]);
    if (!conflicts.isEmpty()) {
      printf(
          "%d event id(s) are already stored with different content; the stored rows were kept:"
              + " %s%n",
          conflicts.size(), conflicts.subList(0, Math.min(10, conflicts.size())));
      return ExitCodes.CHECK_FAILED;
    }
    return ExitCodes.OK;
  }

  /** Parses each non-blank line into an event for {@code each}; returns how many there were. */
  private long forEachEvent(boolean checking, Consumer<AgentEvent> each) throws IOException {
    long n = 0;
    try (ImportLines r = new ImportLines(in)) {
      for (String line = r.next(); line != null; line = r.next()) {
        if (line.isBlank()) {
          continue;
        }
        AgentEvent e;
        try {
          e = EventLines.read(line);
        } catch (IllegalArgumentException ex) {
          if (!checking) {
            throw ex; // the file changed after it was checked
          }
          throw CliException.usage(
              "line "
                  + r.number()
                  + " of "
                  + in
                  + ": "
                  + ex.getMessage()
                  + "; nothing was imported, fix the line or re-export the file");
        }
        each.accept(e);
        n++;
      }
    }
    return n;
  }

  /** Appends and clears {@code batch}, adding to {@code counts} {added, already present}. */
  private static void append(
      SwarmDB db, List<AgentEvent> batch, List<String> conflicts, long[] counts) {
    if (batch.isEmpty()) {
      return;
    }
    long before = db.events().lastSeq();
    List<AgentEvent> stored = db.events().appendAll(batch);
    Set<Long> fresh = new HashSet<>();
    for (int i = 0; i < stored.size(); i++) {
      AgentEvent s = stored.get(i);
      if (s.seq() > before && fresh.add(s.seq())) {
        counts[0]++;
      } else {
        counts[1]++;
        if (!s.sameContent(batch.get(i))) {
          conflicts.add(s.eventId());
        }
      }
    }
    batch.clear();
  }
}
