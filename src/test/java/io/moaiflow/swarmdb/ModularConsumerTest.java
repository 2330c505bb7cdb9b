package io.moaiflow.swarmdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a named module: a small modular application ({@code requires io.moaiflow.swarmdb;}
 * and nothing else) is compiled with {@code javac} and run with {@code java} on the module path. It
 * uses {@code java.sql} types through the API without requiring {@code java.sql} itself ({@code
 * requires transitive}), opens a database, writes and reads; a second application that imports an
 * internal class does not compile.
 */
class ModularConsumerTest {
  private static final List<String> RUNTIME_JARS =
      List.of(
          "sqlite-jdbc-",
          "HikariCP-",
          "jackson-core-",
          "jackson-databind-",
          "jackson-annotations-",
          "jackson-datatype-jsr310-",
          "jackson-datatype-jdk8-",
          "slf4j-api-");

  @TempDir Path dir;

  @Test
  void aModularApplicationUsesThePublicApiAndCannotSeeInternals() throws Exception {
    String modulePath = modulePath();
    Compiled ok =
        compile(
            modulePath,
            "consumer",
            "Main",
            String.join(
                "\n",
                "package consumer;",
                "import io.moaiflow.swarmdb.*;",
                "import java.nio.file.Path;",
                "import java.util.Map;",
                "public final class Main {",
                "  public static void main(String[] args) throws Exception {",
                "    javax.sql.DataSource none = null; // java.sql comes with requires transitive",
                "    try (SwarmDB db = SwarmDB.open(Path.of(args[0]))) {",
                "      db.sessions().start(\"s1\");",
                "      db.events().append(AgentEvent.of(\"spawn\", \"agent-1\", null, \"s1\", Map.of(\"k\", 1)));",
                "      try {",
                "        db.events().append(AgentEvent.of(\"\", \"agent-1\", null, Map.of()));",
                "      } catch (SwarmDbException e) {",
                "        System.out.println(\"REFUSED \" + e.code());",
                "      }",
                "      System.out.println(\"EVENTS \" + db.events().count() + \" \" + (none == null));",
                "    }",
                "  }",
                "}",
                ""));
    assertThat(ok.exit()).as(ok.output()).isZero();

    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path",
                dir.resolve("out/consumer") + File.pathSeparator + modulePath,
                "-m",
                "consumer/consumer.Main",
                dir.resolve("modular.db").toString())
            .redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("REFUSED INVALID_ARGUMENT").contains("EVENTS 1 true");

    Compiled refused =
        compile(
            modulePath,
            "peeker",
            "Peek",
            "package peeker;\npublic final class Peek { Object o = io.moaiflow.swarmdb.internal.Uuid7.next(); }\n");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.output()).contains("package io.moaiflow.swarmdb.internal is not visible");
  }

  private record Compiled(int exit, String output) {}

  /** Compiles a module that requires SwarmDB and holds one class into {@code out/<module>}. */
  private Compiled compile(String modulePath, String module, String className, String source)
      throws IOException {
    Path src = dir.resolve("src/" + module);
    Path info = src.resolve("module-info.java");
    Path file = src.resolve(module + "/" + className + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(info, "module " + module + " { requires io.moaiflow.swarmdb; }\n");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    List<String> args =
        List.of(
            "--module-path",
            modulePath,
            "-d",
            dir.resolve("out/" + module).toString(),
            info.toString(),
            file.toString());
    int exit;
    try (PrintStream ps = new PrintStream(buffer, true, UTF_8)) {
      exit = javac.run(null, ps, ps, args.toArray(String[]::new));
    }
    return new Compiled(exit, buffer.toString(UTF_8));
  }

  /** The library's compiled classes (with its module-info) and the jars it requires at run time. */
  private static String modulePath() throws URISyntaxException {
    Path classes =
        Path.of(SwarmDB.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(classes.resolve("module-info.class")).exists();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> jars =
        Arrays.stream(cp.split(File.pathSeparator))
            .filter(e -> e.endsWith(".jar"))
            // Jackson 3 (tools.jackson, which Spring AI uses) has the same jar names as Jackson 2.
            .filter(e -> !e.contains(String.join(File.separator, "", "tools", "jackson", "")))
            .filter(
                e -> {
                  String name = Path.of(e).getFileName().toString();
                  return RUNTIME_JARS.stream().anyMatch(name::startsWith);
                })
            .collect(Collectors.toList());
    assertThat(jars).as("runtime jars on %s", cp).hasSize(RUNTIME_JARS.size());
    jars.add(0, classes.toString());
    return String.join(File.pathSeparator, jars);
  }
}
