package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SalvagedEvents;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb export}: every event as JSON lines, oldest first, with its causal links (causes as
 * event ids, reads as memory versions; {@link EventLines}), read page by page (bounded memory, no
 * long read transaction). A row whose stored data cannot be read stops the export after the rows
 * before it (exit 3, naming its seq); with {@code --skip-corrupt} every readable row is exported
 * and each damaged one is listed on stderr (exit 1). Not thread safe (one invocation).
 */
@Command(
    name = "export",
    description = "Write every event as JSON lines (to stdout, or a new 0600 file).")
final class ExportCommand extends BaseCommand {

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "New file to write (mode 0600); default stdout.")
  private @Nullable Path outFile;

  @Option(
      names = "--skip-corrupt",
      description =
          "Export every readable event and list each damaged row on stderr (exit 1), instead of"
              + " stopping at the first damaged row (exit 3).")
  private boolean skipCorrupt;

  @Mixin private QuietOption quiet = new QuietOption();

  @Override
  int run() throws IOException {
    long[] counts;
    Path file = outFile;
    try (SwarmDB db = openExisting();
        Progress progress = progress(quiet)) {
      // the total is read before the export: events appended meanwhile are exported too
      progress.step("exporting", progress.enabled() ? db.events().count() : -1, "events");
      if (file == null) {
        counts = export(db, out(), progress);
        out().flush();
      } else {
        try (Writer w =
            new BufferedWriter(
                new OutputStreamWriter(
                    Files.newOutputStream(create(file), StandardOpenOption.WRITE),
                    StandardCharsets.UTF_8))) {
          counts = export(db, w, progress);
        }
        out().println("exported " + counts[0] + " events to " + file);
      }
      if (file == null || counts[1] > 0) {
        err().println("exported " + counts[0] + " events" + skipped(counts[1]));
      }
    }
    return counts[1] == 0 ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  private static String skipped(long n) {
    return n == 0
        ? ""
        : "; skipped "
            + n
            + " damaged row(s), listed above (left in the database as they are; 'swarmdb verify"
            + " --full' lists every damaged row, 'swarmdb restore' brings back a backup)";
  }

  private static Path create(Path file) throws IOException {
    try {
      return PrivateRollingFileAppender.createPrivateFile(file);
    } catch (FileAlreadyExistsException e) {
      throw CliException.usage(
          "export file " + file + " already exists; pass a new file name with --out");
    }
  }

  /** Writes the events; returns {exported, skipped}. */
  private long[] export(SwarmDB db, Writer w, Progress progress) throws IOException {
    long cursor = 0;
    long n = 0;
    long skipped = 0;
    while (true) {
      SalvagedEvents page = db.events().salvageSince(cursor, EventQuery.MAX_LIMIT);
      if (page.isEmpty()) {
        return new long[] {n, skipped};
      }
      // without --skip-corrupt, the first damaged row stops the export after the rows before it
      long stop =
          skipCorrupt || page.damaged().isEmpty() ? Long.MAX_VALUE : page.damaged().firstKey();
      // the page's links, read after its events: links commit with their event
      Map<Long, CausalLinks> links = db.events().links(cursor, page.lastSeq());
      for (AgentEvent e : page.events()) {
        if (e.seq() < stop) {
          w.write(EventLines.write(e, links.getOrDefault(e.seq(), CausalLinks.none())));
          w.write('\n');
          n++;
          progress.add(1);
        }
      }
      if (stop != Long.MAX_VALUE) {
        w.flush();
        throw new SwarmDbException(
            ErrorCode.CORRUPT,
            page.damaged().get(stop)
                + ". export stopped at it: exported "
                + n
                + " events before it; pass --skip-corrupt to export every readable event and list"
                + " the damaged rows");
      }
      page.damaged().values().forEach(why -> err().println("skipped " + why));
      skipped += page.damaged().size();
      cursor = page.lastSeq();
    }
  }
}
