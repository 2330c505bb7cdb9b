package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command shares: the global options, the validated environment, the database path,
 * output writers, and the mapping of errors to one line on stderr and an exit code. Instances serve
 * one invocation and are not thread safe.
 */
@CommandLine.Command(mixinStandardHelpOptions = true)
abstract class BaseCommand implements Callable<Integer> {

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @CommandLine.ParentCommand
  private Main main;

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @CommandLine.Spec
  private CommandSpec spec;

  @SuppressWarnings("NullAway.Init") // set at the start of call()
  private CliEnvironment env;

  /** Runs the command; {@link #call()} maps a failure to one stderr line and an exit code. */
  abstract int run() throws Exception;

  /** Whether to configure logging first ({@code size} only looks at files: it never does). */
  boolean opensDatabase() {
    return true;
  }

  @Override
  public final Integer call() {
    try {
      env = main.environment();
      if (opensDatabase()) {
        Logging.configure(env, main.verbose(), main.logFile());
      }
      return run();
    } catch (SwarmDbException e) {
      return fail(ExitCodes.of(e.code()), withFile(String.valueOf(e.getMessage())), e);
    } catch (CliException e) {
      return fail(e.exitCode(), String.valueOf(e.getMessage()), e);
    } catch (IOException e) {
      return fail(ExitCodes.DATABASE, describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitCodes.DATABASE, "interrupted; the command did not finish", e);
    } catch (Exception e) {
      return fail(
          ExitCodes.DATABASE,
          withFile(e.toString()) + "; rerun with --verbose for the stack trace",
          e);
    }
  }

  private int fail(int code, String message, Throwable e) {
    PrintWriter err = err();
    err.println(spec.qualifiedName() + ": " + message);
    if (main.verbose()) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  private String describe(IOException e) {
    return e.getClass().getSimpleName()
        + ": "
        + e.getMessage()
        + " (database "
        + dbPath()
        + "); check that the path exists and is readable and writable by this user";
  }

  private String withFile(String message) {
    String shown = location();
    boolean named =
        message.contains(shown)
            || (main.databaseUrl() == null && message.contains(dbPath().toString()));
    return named ? message : message + " [database " + shown + "]";
  }

  final CliEnvironment environment() {
    return env == null ? main.environment() : env;
  }

  final Path dbPath() {
    return main.databasePath(environment());
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Formats to stdout in {@link Locale#ROOT}, so numbers read the same everywhere. */
  final void printf(String format, Object... args) {
    out().printf(Locale.ROOT, format, args);
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * Tells how to get the next page of a listing: on stdout under a table, on stderr with {@code
   * --json} (where stdout holds only rows, and the last row's id or seq is the cursor).
   */
  final void printNextPage(boolean json, String line) {
    PrintWriter w = json ? err() : out();
    w.println(line);
    w.flush();
  }

  /**
   * Progress on stderr for a long command, off with {@code --quiet}: live on a terminal ({@link
   * System#console()} present and {@code TERM} not {@code dumb}), else a log line every 5 s, or
   * every {@code $SWARMDB_PROGRESS_INTERVAL_MS} milliseconds.
   */
  final Progress progress(QuietOption quiet) {
    if (quiet.quiet) {
      return Progress.off();
    }
    boolean tty = stderrIsTerminal() && !"dumb".equals(variable("TERM"));
    long interval = tty ? Progress.TTY_INTERVAL_MS : Progress.LOG_INTERVAL_MS;
    String raw = variable(Progress.INTERVAL_ENV);
    if (raw != null) {
      try {
        interval = Long.parseLong(raw.trim());
      } catch (NumberFormatException e) {
        interval = 0;
      }
      if (interval < 1) {
        throw CliException.usage(
            "environment variable "
                + Progress.INTERVAL_ENV
                + "='"
                + raw
                + "' is invalid; allowed values: milliseconds, 1 or more");
      }
    }
    return Progress.start(err(), spec.qualifiedName(), tty, interval);
  }

  /**
   * Whether stderr is a terminal: on Linux from what file descriptor 2 is ({@code /dev/pts/N} or
   * {@code /dev/ttyN}); elsewhere whether the process runs on a terminal at all ({@link
   * #isTerminal()}).
   */
  static boolean stderrIsTerminal() {
    Path fd2 = Path.of("/proc/self/fd/2");
    if (Files.isSymbolicLink(fd2)) {
      try {
        String target = Files.readSymbolicLink(fd2).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // not readable here: decide as on other systems
      }
    }
    return isTerminal();
  }

  /**
   * Whether the process runs on a terminal. On Java 17 (our release) {@link System#console()} is
   * null unless stdin and stdout are both terminals; on Java 22 and later it is never null, and
   * {@code Console.isTerminal()} (absent from Java 17, so called reflectively) says it instead.
   */
  @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() where the JDK has it
  static boolean isTerminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return true; // Java 17 to 21: a console exists only on a terminal
    }
  }

  /** A raw environment variable (null when unset or blank), for settings the CLI reads itself. */
  final @Nullable String variable(String name) {
    return main.variable(name);
  }

  /** {@return whether the database is a SQLite file that does not exist yet} */
  final boolean fileMissing() {
    return main.databaseUrl() == null && !Files.exists(dbPath());
  }

  /** The database file, refusing a missing one so that inspection never creates it. */
  final Path requireExistingDatabase() {
    requireFileDatabase();
    return requireExisting(dbPath());
  }

  /** Refuses a missing database file or a directory (exit 3, naming the file and the fix). */
  static Path requireExisting(Path p) {
    if (Files.isDirectory(p)) {
      throw CliException.database(
          "database path " + p + " is a directory; pass the database file with --db PATH");
    }
    if (!Files.exists(p)) {
      throw CliException.database(
          "database file "
              + p.toAbsolutePath().normalize()
              + " does not exist; pass the right file with --db PATH (or $MOAI_DB_PATH), or"
              + " create one with 'swarmdb init'");
    }
    return p;
  }

  /** Opens the database; {@code migrate} applies pending migrations, creating a missing file. */
  final SwarmDB open(boolean migrate) {
    return open(migrate, b -> b);
  }

  /** Opens the database as {@link #open(boolean)} does, with more settings. */
  final SwarmDB open(boolean migrate, UnaryOperator<SwarmDbConfig.Builder> settings) {
    String url = main.databaseUrl();
    SwarmDbConfig.Builder b = url != null ? budgeted(SwarmDbConfig.postgres(url)) : fileConfig();
    return SwarmDB.open(settings.apply(b.migrate(migrate)).build());
  }

  /** Opens an existing database without changing its schema. */
  final SwarmDB openExisting() {
    return openExisting(b -> b);
  }

  /** Opens an existing database as {@link #openExisting()} does, with more settings. */
  final SwarmDB openExisting(UnaryOperator<SwarmDbConfig.Builder> settings) {
    if (main.databaseUrl() == null) {
      requireExistingDatabase();
    }
    return open(false, settings);
  }

  /**
   * Opens an existing database for a check ({@code verify}, {@code health}, {@code info}): a SQLite
   * file through {@link SwarmDB#openReadOnly}, which changes none of its files; PostgreSQL as
   * {@link #openExisting}.
   */
  final SwarmDB openForChecks() {
    if (main.databaseUrl() != null) {
      return open(false);
    }
    requireExistingDatabase();
    return SwarmDB.openReadOnly(fileConfig().migrate(false).build());
  }

  /** Whether a history budget is set ({@code --history-budget} or its variable). */
  final boolean hasHistoryBudget() {
    return main.historyBudget() != null;
  }

  /** {@code b} with the history budget, when one is set. */
  private SwarmDbConfig.Builder budgeted(SwarmDbConfig.Builder b) {
    Long budget = main.historyBudget();
    return budget == null ? b : b.historyBudgetBytes(budget);
  }

  /**
   * The database file's configuration with the global settings (backup root, free space, history
   * budget).
   */
  final SwarmDbConfig.Builder fileConfig() {
    SwarmDbConfig.Builder b = budgeted(SwarmDbConfig.builder(dbPath()));
    Path root = main.backupRoot();
    if (root != null) {
      b.backupRoot(root);
    }
    Long minFree = main.minFreeBytes();
    if (minFree != null) {
      b.minFreeSpaceBytes(minFree);
    }
    return b;
  }

  /** Where the database is, for messages: the file, or the PostgreSQL URL without its password. */
  final String location() {
    String url = main.databaseUrl();
    return url != null
        ? SwarmDbConfig.redact(url)
        : dbPath().toAbsolutePath().normalize().toString();
  }

  /** Refuses a SQLite-file command against PostgreSQL (exit 2, naming the alternative). */
  final void requireFileDatabase() {
    if (main.databaseUrl() != null) {
      throw CliException.usage(
          "'"
              + spec.name()
              + "' works on the SQLite database file only and is not available with --url /"
              + " $MOAI_DB_URL (PostgreSQL); use the server's own tools (pg_dump, pg_restore,"
              + " pg_database_size) as docs/postgresql.md describes");
    }
  }
}
