package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  @Test
  void helpListsEveryCommandExitCodesAndEnvironment() {
    CliRun r = CliRun.run(Map.of(), "--help").exits(ExitCodes.OK);
    for (String c :
        new String[] {
          "init", "demo", "size", "info", "health", "verify", "migrate", "backup", "restore",
          "cleanup", "vacuum", "export", "import", "search"
        }) {
      assertThat(r.out()).containsPattern("(?m)^  " + c + " +\\S");
    }
    assertThat(r.out())
        .contains("0   ok", "1   check failed", "2   usage error", "3   database error")
        .contains(
            "MOAI_ENV",
            "MOAI_DB_PATH",
            "MOAI_LOG_LEVEL",
            "MOAI_ENABLE_METRICS",
            "MOAI_METRICS_PORT",
            "MOAI_HTTP_PORT");
  }

  @Test
  void versionAndSubcommandHelp() {
    assertThat(CliRun.run(Map.of(), "--version").out()).startsWith("swarmdb ");
    CliRun r = CliRun.run(Map.of(), "backup", "--help").exits(ExitCodes.OK);
    assertThat(r.out()).contains("--keep-days", "--out", "--dir");
    assertThat(CliRun.run(Map.of(), "help", "size").out()).contains("--json");
  }

  @Test
  void missingCommandAndUnknownFlagsAreUsageErrors() {
    CliRun none = CliRun.run(Map.of()).exits(2);
    assertThat(none.err()).contains("missing command");
    CliRun unknown = CliRun.run(Map.of(), "size", "--bogus").exits(2);
    assertThat(unknown.err())
        .startsWith("swarmdb size: Unknown option: '--bogus'")
        .contains("Try 'swarmdb size --help'");
    assertThat(CliRun.run(Map.of(), "sise").err()).contains("size");
  }

  @ParameterizedTest
  @CsvSource({
    "MOAI_ENV, prod, 'development, staging, production'",
    "MOAI_LOG_LEVEL, loud, 'TRACE, DEBUG, INFO, WARN, ERROR, OFF'",
    "MOAI_ENABLE_METRICS, maybe, 'true, false'",
    "MOAI_METRICS_PORT, 70000, 'a port number from 1 to 65535'",
    "MOAI_HTTP_PORT, http, 'a port number from 1 to 65535'"
  })
  void invalidEnvironmentIsRejectedNamingTheVariable(String name, String value, String allowed)
      throws Exception {
    Path db = dir.resolve("x.db");
    Files.writeString(db, "");
    CliRun r = CliRun.run(Map.of(name, value), "--db", db.toString(), "size").exits(2);
    assertThat(r.err())
        .contains(name + "='" + value + "' is invalid")
        .contains("allowed values: " + allowed);
  }

  @Test
  void environmentDefaultsAndOverrides() {
    CliEnvironment d = CliEnvironment.from(Map.of());
    assertThat(d.env()).isEqualTo(CliEnvironment.Deployment.DEVELOPMENT);
    assertThat(d.logLevel()).isEqualTo("DEBUG");
    assertThat(d.metricsEnabled()).isTrue();
    assertThat(d.metricsPort()).isEqualTo(9090);
    assertThat(d.httpPort()).isEqualTo(8000);
    assertThat(d.dbPath()).isNull();
    Map<String, String> env = new HashMap<>();
    env.put("MOAI_ENV", "Staging");
    env.put("MOAI_ENABLE_METRICS", "0");
    env.put("MOAI_METRICS_PORT", "9100");
    env.put("MOAI_HTTP_PORT", "8080");
    env.put("MOAI_DB_PATH", "/tmp/a.db");
    CliEnvironment s = CliEnvironment.from(env);
    assertThat(s.env().jsonLogs()).isTrue();
    assertThat(s.logLevel()).isEqualTo("INFO");
    assertThat(s.metricsEnabled()).isFalse();
    assertThat(s.metricsPort()).isEqualTo(9100);
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.dbPath()).isEqualTo("/tmp/a.db");
    assertThat(CliEnvironment.from(Map.of("MOAI_ENV", "production")).logLevel()).isEqualTo("WARN");
    assertThat(CliEnvironment.from(Map.of("MOAI_LOG_LEVEL", "warning")).logLevel())
        .isEqualTo("WARN");
    assertThat(CliEnvironment.from(Map.of("MOAI_ENABLE_METRICS", "yes")).metricsEnabled()).isTrue();
  }

  @Test
  void dbPathComesFromFlagThenEnvironmentThenDefault() throws Exception {
    Path fromEnv = dir.resolve("env.db");
    Files.write(fromEnv, new byte[7]);
    Path fromFlag = dir.resolve("flag.db");
    Files.write(fromFlag, new byte[3]);
    Map<String, String> env = Map.of("MOAI_DB_PATH", fromEnv.toString());
    assertThat(CliRun.run(env, "size").out().trim()).isEqualTo("7");
    assertThat(CliRun.run(env, "--db", fromFlag.toString(), "size").out().trim()).isEqualTo("3");
    assertThat(CliRun.run(env, "size", "--db", fromFlag.toString()).out().trim()).isEqualTo("3");
    // The default path resolves against the working directory, here a fresh one: the README's
    // demo leaves .moai/memory/swarm.db in the process's working directory, which no test may see.
    Path cwd = Files.createDirectory(dir.resolve("cwd"));
    CliRun dflt = CliRun.runIn(cwd, Map.of(), "size").exits(3);
    assertThat(dflt.err()).contains(cwd.resolve(".moai/memory/swarm.db") + " does not exist");
    Path made = cwd.resolve(".moai/memory/swarm.db");
    Files.createDirectories(made.getParent());
    Files.write(made, new byte[11]);
    assertThat(CliRun.runIn(cwd, Map.of(), "size").out().trim()).isEqualTo("11");
    assertThat(CliRun.runIn(cwd, env, "size").out().trim()).isEqualTo("7");
    assertThat(CliRun.runIn(cwd, Map.of(), "--db", "flag.db", "size").code()).isEqualTo(3);
    Files.write(cwd.resolve("flag.db"), new byte[5]);
    assertThat(CliRun.runIn(cwd, Map.of(), "--db", "flag.db", "size").out().trim()).isEqualTo("5");
  }

  @Test
  void durationsAreParsedStrictly() {
    assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    for (String bad : new String[] {"30x", "30", "d", "1.5h", "-1h", "1h30m", "", "0d"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(CommandLine.TypeConversionException.class)
          .hasMessageContaining("30d, 1h, 15m or 45s");
    }
    assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ofHours(5))).isEqualTo("5h");
    assertThat(Durations.format(Duration.ofMinutes(7))).isEqualTo("7m");
    assertThat(Durations.format(Duration.ofSeconds(61))).isEqualTo("61s");
  }

  @Test
  void jsonStringsAreEscaped() {
    assertThat(JsonText.quote("a\"b\\c\n\r\t\u0001é"))
        .isEqualTo("\"a\\\"b\\\\c\\n\\r\\t\\u0001é\"");
  }

  @Test
  void exitCodesFollowTheErrorCode() {
    assertThat(ExitCodes.of(io.moaiflow.swarmdb.ErrorCode.CORRUPT)).isEqualTo(3);
    assertThat(ExitCodes.of(io.moaiflow.swarmdb.ErrorCode.INVALID_ARGUMENT)).isEqualTo(2);
  }
}
