package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDbException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@code swarmdb [--db PATH] size [--json]} without building the picocli model of every
 * command, so that a cron job's size check costs little more than JVM start-up (the 1 GB target is
 * 0.5 s wall). Anything else on the command line, including {@code --help}, is left to picocli,
 * which gives the same output for these arguments. Stateless and thread safe.
 */
final class SizeFastPath {
  /** Returned when the arguments are not a plain size invocation. */
  static final int NOT_HANDLED = -1;

  private SizeFastPath() {}

  /** Runs the size command if {@code args} are exactly one; else returns {@link #NOT_HANDLED}. */
  static int run(
      String[] args,
      Map<String, String> env,
      Path workingDirectory,
      PrintStream out,
      PrintStream err) {
    @Nullable String db = null;
    boolean json = false;
    boolean size = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ("size".equals(a) && !size) {
        size = true;
      } else if ("--json".equals(a) && size && !json) {
        json = true;
      } else if ("--db".equals(a) && db == null && i + 1 < args.length) {
        db = args[++i];
      } else if (a.startsWith("--db=") && db == null) {
        db = a.substring("--db=".length());
      } else {
        return NOT_HANDLED;
      }
    }
    if (!size || (db != null && (db.isEmpty() || db.startsWith("-")))) {
      return NOT_HANDLED;
    }
    try {
      Path path = Main.databasePath(workingDirectory, db, CliEnvironment.from(env));
      out.println(SizeCommand.report(BaseCommand.requireExisting(path), json));
      out.flush();
      return ExitCodes.OK;
    } catch (CliException e) {
      err.println("swarmdb size: " + e.getMessage());
      return e.exitCode();
    } catch (SwarmDbException e) {
      err.println("swarmdb size: " + e.getMessage());
      return ExitCodes.of(e.code());
    } catch (RuntimeException e) {
      err.println(
          "swarmdb size: "
              + e
              + "; check that the database file and its directory are readable by this user");
      return ExitCodes.DATABASE;
    }
  }
}
