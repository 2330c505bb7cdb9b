package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code swarmdb} executable ({@code java -jar target/swarmdb.jar}): global options and the
 * list of commands. Add a command by writing a {@link BaseCommand} subclass and naming it in {@code
 * subcommands} below (or with {@link CommandLine#addSubcommand} on {@link #newCommandLine}'s
 * result).
 *
 * <p>Instances hold the parsed global options of one invocation and are not thread safe.
 */
@Command(
    name = "swarmdb",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    headerHeading = "",
    header = "SwarmDB: the persistent memory of a multi-agent swarm, for scripts and operators.",
    synopsisHeading = "%nUsage: ",
    descriptionHeading = "%n",
    description = {
      "Sizes, checks, backs up, restores and migrates a SwarmDB database file. Reports go to"
          + " stdout, logs to stderr."
    },
    optionListHeading = "%nGlobal options:%n",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:check failed or database unhealthy",
      "2:usage error (unknown flag, bad duration such as 30x, invalid environment variable)",
      "3:database error (missing or corrupt file, schema too new, locked, not writable)"
    },
    footerHeading = "%nEnvironment (flags override it):%n",
    footer = {
      "  MOAI_ENV             development|staging|production (default development): log format",
      "  MOAI_DB_PATH         database file when --db is not given (default "
          + SwarmDbConfig.DEFAULT_PATH
          + ")",
      "  MOAI_LOG_LEVEL       TRACE|DEBUG|INFO|WARN|ERROR|OFF (default by MOAI_ENV: DEBUG|INFO|WARN)",
      "  MOAI_ENABLE_METRICS  true|false (default true): metrics on the ops endpoint",
      "  MOAI_METRICS_PORT    1-65535 (default 9090)",
      "  MOAI_HTTP_PORT       1-65535 (default 8000)",
      "  MOAI_DB_URL          PostgreSQL JDBC URL when --url is not given (instead of a file)",
      "  MOAI_BACKUP_ROOT     only directory backup writes to and restore reads from (default any)",
      "  MOAI_MIN_FREE_BYTES  health is unhealthy below this free space (default 67108864, 0 off)",
      "",
      "Example: java -jar target/swarmdb.jar --db .moai/memory/swarm.db health --json"
    },
    subcommands = {
      InitCommand.class,
      DemoCommand.class,
      SizeCommand.class,
      InfoCommand.class,
      HealthCommand.class,
      VerifyCommand.class,
      MigrateCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      CleanupCommand.class,
      VacuumCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      EventsCommand.class,
      AgentsCommand.class,
      SessionsCommand.class,
      MemoryCommand.class,
      HistoryCommand.class,
      WhyCommand.class,
      BlastCommand.class,
      SearchCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {

  private final Map<String, String> environment;
  private final Path workingDirectory;

  @Option(
      names = "--db",
      paramLabel = "PATH",
      scope = ScopeType.INHERIT,
      description =
          "Database file (default $MOAI_DB_PATH, else " + SwarmDbConfig.DEFAULT_PATH + ").")
  private @Nullable Path db;

  @Option(
      names = "--url",
      paramLabel = "JDBC_URL",
      scope = ScopeType.INHERIT,
      description =
          "PostgreSQL database (jdbc:postgresql://HOST:5432/DB) instead of a file (default"
              + " $MOAI_DB_URL). File-only commands (size, backup, restore, verify) refuse it.")
  private @Nullable String url;

  @Option(
      names = "--backup-root",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Refuse backups written, or restored from, outside DIR (default $MOAI_BACKUP_ROOT, else"
              + " no limit).")
  private @Nullable Path backupRoot;

  @Option(
      names = "--min-free-bytes",
      paramLabel = "BYTES",
      scope = ScopeType.INHERIT,
      description =
          "health and /health are unhealthy while the database's filesystem has less usable space"
              + " than this (default $"
              + MIN_FREE_BYTES_ENV
              + ", else 67108864 = 64 MiB; 0 turns the check off).")
  private @Nullable Long minFreeBytes;

  @Option(
      names = "--history-budget",
      paramLabel = "SIZE",
      scope = ScopeType.INHERIT,
      converter = Sizes.class,
      description =
          "The history's size budget (e.g. 512MiB; default $"
              + HISTORY_BUDGET_ENV
              + ", else none): info reports against it, cleanup and serve's retention prune the"
              + " history to it.")
  private @Nullable Long historyBudget;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log at DEBUG and print stack traces with errors.")
  private boolean verbose;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Also write JSON log lines to FILE, rolled daily, 7 days kept, gzipped.")
  private @Nullable Path logFile;

  @CommandLine.Spec private CommandLine.Model.@Nullable CommandSpec spec;

  /** Creates the command with the process environment. */
  public Main() {
    this(System.getenv());
  }

  /** Creates the command with the given environment variables (for tests and embedding). */
  public Main(Map<String, String> environment) {
    this(environment, Path.of(""));
  }

  /**
   * Creates the command with the given environment variables and working directory, against which a
   * relative {@code --db} or {@code $MOAI_DB_PATH} and the default path are resolved (for tests and
   * embedding: a test never depends on the process's working directory).
   *
   * @param workingDirectory the directory relative database paths are resolved against
   */
  public Main(Map<String, String> environment, Path workingDirectory) {
    this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
  }

  /** Runs the executable and exits with its exit code. */
  public static void main(String[] args) {
    int code = SizeFastPath.run(args, System.getenv(), Path.of(""), System.out, System.err);
    if (code == SizeFastPath.NOT_HANDLED) {
      code = newCommandLine(new Main()).execute(args);
    }
    System.exit(code);
  }

  /**
   * A command line for {@code main}, with the error handling of the executable: a usage error is
   * one line on stderr and exit code 2.
   *
   * @return the command line; set its out and err writers to capture the output
   */
  public static CommandLine newCommandLine(Main main) {
    CommandLine cl = new CommandLine(main);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(Duration.class, Durations::parse);
    cl.setParameterExceptionHandler(Main::usageError);
    return cl;
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** Without a command, shows the usage on stderr and fails as a usage error. */
  @Override
  public Integer call() {
    CommandLine cl = Objects.requireNonNull(spec, "spec").commandLine();
    cl.getErr().println("swarmdb: missing command");
    cl.usage(cl.getErr());
    return ExitCodes.USAGE;
  }

  /** The validated environment; throws a usage error naming a bad variable. */
  CliEnvironment environment() {
    return CliEnvironment.from(environment);
  }

  Path databasePath(CliEnvironment env) {
    return databasePath(workingDirectory, db == null ? null : db.toString(), env);
  }

  /** The database file: {@code --db}, else {@code $MOAI_DB_PATH}, else the default path. */
  static Path databasePath(Path workingDirectory, @Nullable String db, CliEnvironment env) {
    String fromEnv = env.dbPath();
    return workingDirectory.resolve(
        db != null ? db : fromEnv != null ? fromEnv : SwarmDbConfig.DEFAULT_PATH);
  }

  /** The PostgreSQL URL: {@code --url}, else {@code $MOAI_DB_URL}, else null (a SQLite file). */
  @Nullable String databaseUrl() {
    return url != null ? url : variable("MOAI_DB_URL");
  }

  /** The backup root: {@code --backup-root}, else {@code $MOAI_BACKUP_ROOT}, else null (none). */
  @Nullable Path backupRoot() {
    String fromEnv = variable(SwarmDbConfig.BACKUP_ROOT_ENV);
    return backupRoot != null ? backupRoot : fromEnv == null ? null : Path.of(fromEnv.trim());
  }

  static final String MIN_FREE_BYTES_ENV = "MOAI_MIN_FREE_BYTES";

  /**
   * The minimum free space: {@code --min-free-bytes}, else {@code $MOAI_MIN_FREE_BYTES}, else null
   * (the library's default).
   */
  @Nullable Long minFreeBytes() {
    String fromEnv = variable(MIN_FREE_BYTES_ENV);
    if (minFreeBytes != null || fromEnv == null) {
      return minFreeBytes;
    }
    try {
      return Long.parseLong(fromEnv.trim());
    } catch (NumberFormatException e) {
      throw CliException.usage(
          "environment variable "
              + MIN_FREE_BYTES_ENV
              + "='"
              + fromEnv
              + "' is not a number of bytes; use for example 67108864 (64 MiB), or 0 to turn the"
              + " free-space check off");
    }
  }

  static final String HISTORY_BUDGET_ENV = "MOAI_HISTORY_BUDGET";

  /**
   * The history budget in bytes: {@code --history-budget}, else {@code $MOAI_HISTORY_BUDGET}, else
   * null (none).
   */
  @Nullable Long historyBudget() {
    String fromEnv = variable(HISTORY_BUDGET_ENV);
    if (historyBudget != null || fromEnv == null) {
      return historyBudget;
    }
    try {
      return Sizes.parse(fromEnv);
    } catch (CommandLine.TypeConversionException e) {
      throw CliException.usage(
          "environment variable " + HISTORY_BUDGET_ENV + ": " + e.getMessage());
    }
  }

  @Nullable String variable(String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  boolean verbose() {
    return verbose;
  }

  @Nullable Path logFile() {
    return logFile;
  }

  /** Reports the version from the jar manifest. Stateless and thread safe. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"swarmdb " + (v == null ? "(development build)" : v)};
    }
  }
}
