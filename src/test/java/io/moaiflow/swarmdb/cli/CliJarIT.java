package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged {@code target/swarmdb.jar} as a separate process. Run by maven-failsafe-plugin
 * in the {@code integration-test} phase, after {@code package} built the jar, so it never tests a
 * stale jar; {@code ./mvnw verify} runs it.
 */
class CliJarIT {
  private static final Path JAR = Path.of("target", "swarmdb.jar").toAbsolutePath();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void jarExists() {
    assertThat(JAR)
        .as("target/swarmdb.jar is built by 'package'; run ./mvnw verify, not this test alone")
        .isRegularFile();
  }

  private Result run(List<String> jvmArgs, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(List.of(args));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().remove("MOAI_DB_PATH");
    pb.environment().put("MOAI_ENV", "production");
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("swarmdb %s finished", List.of(args)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /**
   * The MiniLM embedder's ~150 MB (model, ONNX Runtime, tokenizer) is not shaded in; the manifest
   * names swarmdb-minilm.jar ({@code -Pminilm package}) so that it is used when it lies beside.
   */
  @Test
  void theEmbedderStaysOutOfTheJarWhichNamesItsOwnJar() throws Exception {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Class-Path"))
          .isEqualTo("swarmdb-minilm.jar");
      assertThat(jar.stream().map(java.util.jar.JarEntry::getName))
          .contains("io/moaiflow/swarmdb/embed/MiniLmEmbedder.class")
          .noneMatch(n -> n.startsWith("dev/langchain4j/") || n.startsWith("ai/"))
          .noneMatch(n -> n.endsWith(".onnx") || n.startsWith("com/sun/jna/"));
    }
    assertThat(Files.size(JAR)).as("swarmdb.jar bytes").isLessThan(40L << 20);
  }

  @Test
  void demoOnTheDefaultPathThenSizeAndHealth() throws Exception {
    Result demo = run(List.of(), "demo", "--agents", "12", "--sessions", "2");
    assertThat(demo.code()).as(demo.toString()).isZero();
    DemoCommandTest.assertFirstReport(demo.out(), 2, 12);
    Path db = dir.resolve(".moai/memory/swarm.db");
    assertThat(db).isRegularFile();

    Result size = run(List.of(), "size");
    assertThat(size.code()).as(size.toString()).isZero();
    long expected = Files.size(db);
    for (String s : new String[] {"-wal", "-shm"}) {
      Path side = Path.of(db + s);
      expected += Files.exists(side) ? Files.size(side) : 0;
    }
    assertThat(size.out()).isEqualTo(expected + System.lineSeparator());

    Result health = run(List.of(), "--db", db.toString(), "health", "--json");
    assertThat(health.code()).as(health.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(health.out());
    assertThat(n.get("status").asText()).isEqualTo("healthy");
    assertThat(n.get("database").asText()).isEqualTo("connected");
    assertThat(health.out().lines()).hasSize(1);
  }

  @Test
  void sizeIsAFastPathThatLoadsNeitherTheLibraryNorLoggingNorJackson() throws Exception {
    Path db = Files.write(dir.resolve("x.db"), new byte[1000]);
    Result size = run(List.of("-Xlog:class+load=info"), "--db", db.toString(), "size");
    assertThat(size.code()).as(size.err()).isZero();
    assertThat(size.out()).contains("[class,load] io.moaiflow.swarmdb.cli.SizeFastPath");
    assertThat(size.out())
        .doesNotContain("ch.qos.logback")
        .doesNotContain("com.fasterxml.jackson")
        .doesNotContain("io.moaiflow.swarmdb.internal")
        .doesNotContain("org.sqlite")
        .doesNotContain("picocli.CommandLine$Model$OptionSpec");
    assertThat(size.out().lines().filter(l -> !l.startsWith("[")).toList()).containsExactly("1000");
  }

  @Test
  void missingDatabaseAndUsageErrorsGiveTheDocumentedExitCodes() throws Exception {
    Result missing = run(List.of(), "--db", "nope.db", "health", "--json");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.out()).startsWith("{\"status\":\"unhealthy\"");
    assertThat(dir.resolve("nope.db")).doesNotExist();
    Result bad = run(List.of(), "cleanup", "--events-older-than", "30x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().lines()).hasSize(2);
  }
}
