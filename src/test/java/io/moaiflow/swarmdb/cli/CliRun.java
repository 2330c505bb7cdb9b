package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in-process through picocli, capturing stdout and stderr. */
record CliRun(int code, String out, String err) {

  static CliRun run(Map<String, String> env, String... args) {
    return run(new Main(env), args);
  }

  /**
   * Runs with {@code workingDirectory} as the directory relative paths and the default database
   * path resolve against, so a test never sees the process's working directory (where the README's
   * demo leaves {@code .moai/}).
   */
  static CliRun runIn(Path workingDirectory, Map<String, String> env, String... args) {
    return run(new Main(env, workingDirectory), args);
  }

  private static CliRun run(Main main, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.newCommandLine(main);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** Runs against {@code db} (via --db) with a quiet production environment. */
  static CliRun on(Path db, String... args) {
    List<String> all = new ArrayList<>(List.of("--db", db.toString()));
    all.addAll(List.of(args));
    return run(quietEnv(), all.toArray(String[]::new));
  }

  /** {@link #on}, asserting exit 0. */
  static CliRun ok(Path db, String... args) {
    return on(db, args).exits(ExitCodes.OK);
  }

  /** {@link #on}, asserting the exit code. */
  static CliRun fails(int code, Path db, String... args) {
    return on(db, args).exits(code);
  }

  /** Asserts the exit code; a failure shows the whole run. */
  CliRun exits(int expected) {
    assertThat(code).as(toString()).isEqualTo(expected);
    return this;
  }

  static Map<String, String> quietEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("MOAI_ENV", "production");
    env.put("MOAI_LOG_LEVEL", "ERROR");
    return env;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
