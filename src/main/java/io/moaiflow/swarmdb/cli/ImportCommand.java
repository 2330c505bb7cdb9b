package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb import}: appends the events of an {@code export} file, with their causal links.
 * The whole file is checked before anything is written, causes included: each must be an event of
 * an earlier line or already stored (a second read of the file finds the named ids' lines). Events
 * whose id is already stored are skipped (idempotent, their links as stored), and one stored with
 * different content is reported (exit 1) and left as stored. Events without links are appended in
 * batches; each linked one in its own transaction, its reads recorded as given ({@link
 * io.moaiflow.swarmdb.EventStore#appendAsRecorded}). Creates the database when missing. Not thread
 * safe (one invocation).
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
      Map<String, Long> named = new HashMap<>(); // cause id -> first line naming it
      long[] line = new long[1];
      lines = // a bad file fails here, before any write
          forEachEvent(
              true,
              l -> {
                line[0]++;
                l.links().causes().forEach(c -> named.putIfAbsent(c, line[0]));
                progress.add(1);
              });
      Map<String, Long> unresolved = unresolvedCauses(named);
      if (!unresolved.isEmpty() && fileMissing()) {
        throw missingCauses(unresolved);
      }
      try (SwarmDB db = open(true)) {
        unresolved.keySet().removeIf(id -> db.events().get(id).isPresent());
        if (!unresolved.isEmpty()) {
          throw missingCauses(unresolved);
        }
        progress.step("importing", lines, "events");
        List<AgentEvent> batch = new ArrayList<>(BATCH);
        forEachEvent(
            false,
            l -> {
              if (l.links().isEmpty()) {
                batch.add(l.event());
              } else {
                append(db, batch, conflicts, counts);
                linked(db, l, conflicts, counts);
              }
              if (batch.size() == BATCH) {
                append(db, batch, conflicts, counts);
              }
              progress.add(1);
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

  /**
   * The named causes that no earlier line of the file defines (a second read of the file, only when
   * any cause is named), with the first line naming each.
   */
  private Map<String, Long> unresolvedCauses(Map<String, Long> named) throws IOException {
    Map<String, Long> unresolved = new TreeMap<>(named);
    if (named.isEmpty()) {
      return unresolved;
    }
    long[] line = new long[1];
    forEachEvent(
        false,
        l -> {
          line[0]++;
          Long first = unresolved.get(l.event().eventId());
          if (first != null && first > line[0]) {
            unresolved.remove(l.event().eventId());
          }
        });
    return unresolved;
  }

  private CliException missingCauses(Map<String, Long> unresolved) {
    List<String> some =
        unresolved.entrySet().stream()
            .limit(10)
            .map(e -> e.getKey() + " (event " + e.getValue() + " of the file)")
            .toList();
    return CliException.usage(
        in
            + " names "
            + unresolved.size()
            + " cause(s) that are neither an earlier event of the file nor stored in the"
            + " database: "
            + some
            + "; nothing was imported: import the file the causes are in first, or remove the"
            + " links");
  }

  /** Appends one event with its links, adding to {@code counts} as {@link #append} does. */
  private static void linked(SwarmDB db, EventLines.Line l, List<String> conflicts, long[] counts) {
    long before = db.events().lastSeq();
    AgentEvent s = db.events().appendAsRecorded(l.event(), l.links());
    if (s.seq() > before) {
      counts[0]++;
    } else {
      counts[1]++;
      if (!s.sameContent(l.event())) {
        conflicts.add(s.eventId());
      }
    }
  }

  /** Parses each non-blank line into an event for {@code each}; returns how many there were. */
  private long forEachEvent(boolean checking, Consumer<EventLines.Line> each) throws IOException {
    long n = 0;
    try (ImportLines r = new ImportLines(in)) {
      for (String line = r.next(); line != null; line = r.next()) {
        if (line.isBlank()) {
          continue;
        }
        EventLines.Line e;
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
