package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.cli.TestDatabases.mode;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggingTest {
  @TempDir Path dir;

  @AfterEach
  void quiet() {
    Logging.configure(CliEnvironment.from(CliRun.quietEnv()), false, null);
  }

  private static Logger root() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
  }

  private static List<Appender<?>> appenders() {
    List<Appender<?>> list = new ArrayList<>();
    for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it =
            root().iteratorForAppenders();
        it.hasNext(); ) {
      list.add(it.next());
    }
    return list;
  }

  @Test
  void levelAndFormatFollowTheEnvironment() {
    Logging.configure(CliEnvironment.from(Map.of()), false, null);
    assertThat(root().getLevel()).isEqualTo(Level.DEBUG);
    assertThat(appenders()).extracting(Appender::getName).containsExactly("TEXT");
    assertThat(((ConsoleAppender<?>) appenders().get(0)).getTarget()).isEqualTo("System.err");

    Logging.configure(CliEnvironment.from(Map.of("MOAI_ENV", "production")), false, null);
    assertThat(root().getLevel()).isEqualTo(Level.WARN);
    assertThat(appenders()).extracting(Appender::getName).containsExactly("JSON");

    Logging.configure(
        CliEnvironment.from(Map.of("MOAI_ENV", "staging", "MOAI_LOG_LEVEL", "error")), true, null);
    assertThat(root().getLevel()).isEqualTo(Level.DEBUG);
  }

  @Test
  void logFileGetsJsonLinesAndRollsDaily() throws Exception {
    Path file = dir.resolve("swarmdb.log");
    Logging.configure(CliEnvironment.from(Map.of("MOAI_ENV", "staging")), false, file);
    assertThat(appenders()).extracting(Appender::getName).containsExactlyInAnyOrder("JSON", "FILE");
    RollingFileAppender<?> rolling =
        (RollingFileAppender<?>)
            appenders().stream().filter(a -> a.getName().equals("FILE")).findFirst().orElseThrow();
    assertThat(rolling.getRollingPolicy())
        .isInstanceOfSatisfying(
            ch.qos.logback.core.rolling.TimeBasedRollingPolicy.class,
            p -> {
              assertThat(p.getFileNamePattern()).endsWith(".%d{yyyy-MM-dd}.gz");
              assertThat(p.getMaxHistory()).isEqualTo(7);
            });
    LoggerFactory.getLogger("test.logging").info("hello {}", "world");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    JsonNode n = new ObjectMapper().readTree(lines.get(0));
    assertThat(n.get("level").asText()).isEqualTo("INFO");
    assertThat(n.get("formattedMessage").asText()).isEqualTo("hello world");
    assertThat(n.get("loggerName").asText()).isEqualTo("test.logging");
  }

  @Test
  void logFileDirectoriesAre700AndTheFile600() throws Exception {
    Path file = dir.resolve("a/b/swarmdb.log");
    Logging.configure(CliEnvironment.from(Map.of("MOAI_ENV", "staging")), false, file);
    LoggerFactory.getLogger("test.logging").info("private");
    assertThat(Files.readAllLines(file)).hasSize(1);
    assertThat(mode(dir.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(dir.resolve("a/b"))).isEqualTo("rwx------");
    assertThat(mode(file)).isEqualTo("rw-------");
    // the file a daily roll opens is private too
    Files.delete(file);
    RollingFileAppender<?> rolling =
        (RollingFileAppender<?>)
            appenders().stream().filter(a -> a.getName().equals("FILE")).findFirst().orElseThrow();
    rolling.openFile(file.toString());
    assertThat(mode(file)).isEqualTo("rw-------");
  }

  @Test
  void unwritableLogFileIsAUsageError() throws Exception {
    Path blocker = Files.writeString(dir.resolve("file"), "x");
    Path db = TestDatabases.populated(dir.resolve("swarm.db"), 1);
    CliRun run =
        CliRun.fails(2, db, "--log-file", blocker.resolve("sub/swarmdb.log").toString(), "health");
    assertThat(run.err()).contains("cannot configure logging", "--log-file");
  }
}
