package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb export}: every event as JSON lines, oldest first, read page by page (bounded
 * memory, no long read transaction). Not thread safe (one invocation).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Write every event as JSON lines (to stdout, or a new 0600 file).")
final class ExportCommand extends BaseCommand {

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "New file to write (mode 0600); default stdout.")
  private @Nullable Path outFile;

  @Override
  int run() throws IOException {
    try (SwarmDB db = openExisting()) {
      if (outFile == null) {
        long n = export(db, out());
        out().flush();
        err().println("exported " + n + " events");
        return ExitCodes.OK;
      }
      Path file = outFile;
      try (Writer w =
          new BufferedWriter(
              new OutputStreamWriter(
                  Files.newOutputStream(create(file), StandardOpenOption.WRITE),
                  StandardCharsets.UTF_8))) {
        long n = export(db, w);
        out().println("exported " + n + " events to " + file);
      }
    }
    return ExitCodes.OK;
  }

  private static Path create(Path file) throws IOException {
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      return Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      throw CliException.usage(
          "export file " + file + " already exists; pass a new file name with --out");
    }
  }

  private static long export(SwarmDB db, Writer w) throws IOException {
    long cursor = 0;
    long n = 0;
    while (true) {
      List<AgentEvent> page = db.events().since(cursor, EventQuery.MAX_LIMIT);
      if (page.isEmpty()) {
        return n;
      }
      for (AgentEvent e : page) {
        w.write(EventLines.write(e));
        w.write('\n');
        n++;
      }
      cursor = page.get(page.size() - 1).seq();
    }
  }
}
