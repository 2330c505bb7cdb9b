package io.moaiflow.swarmdb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of docs/integrations.md with the system Java compiler
 * against the test class path, by the rule the file states at its top: a block whose first code
 * line is {@code package ...;} is a compilation unit as it stands; any other block is a snippet,
 * its leading imports kept and the rest made the body of {@code void example() throws Exception} in
 * a class of its own; a block right below {@code <!-- not compiled: REASON -->} is skipped. All
 * blocks compile together; a failure names the file's line. Also checks that every {@code
 * swarmdb.*} key of a {@code ```properties} block is a property of the generated metadata.
 */
class DocsExamplesTest {
  static final Path DOC = Path.of("docs", "integrations.md");
  private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z0-9_-]*)\\s*$");
  private static final Pattern SKIP = Pattern.compile("^<!--\\s*not compiled:\\s*(.*?)\\s*-->$");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;");
  private static final Pattern PUBLIC_TYPE =
      Pattern.compile(
          "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*"
              + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");

  /**
   * A fenced block.
   *
   * @param language its info string
   * @param firstLine the file's line number of the block's first line of code (1-based)
   * @param lines the block's lines
   * @param skipReason the reason of a {@code not compiled} marker above it, or null
   */
  record Block(String language, int firstLine, List<String> lines, String skipReason) {}

  /** A source file made from a block; its line N is the block's line N. */
  record Unit(Path file, String source, Block block) {}

  static List<Block> blocks(List<String> lines) {
    List<Block> out = new ArrayList<>();
    String lastText = null;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = FENCE.matcher(lines.get(i));
      if (!m.matches()) {
        if (!lines.get(i).isBlank()) {
          lastText = lines.get(i).strip();
        }
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !lines.get(end).startsWith("```")) {
        end++;
      }
      if (end == lines.size()) {
        throw new AssertionError(DOC + ":" + (i + 1) + ": the code block is never closed");
      }
      String reason = null;
      Matcher skip = lastText == null ? null : SKIP.matcher(lastText);
      if (skip != null && skip.matches()) {
        reason = skip.group(1);
        if (reason.isBlank()) {
          throw new AssertionError(DOC + ":" + i + ": 'not compiled' needs a reason");
        }
      }
      out.add(new Block(m.group(1), start + 1, List.copyOf(lines.subList(start, end)), reason));
      lastText = null;
      i = end;
    }
    return out;
  }

  /** The source file of a Java block, by the rule of the class description. */
  static Unit unit(Block b, int index, Path root) {
    String code = String.join("\n", b.lines());
    String first =
        b.lines().stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("//"))
            .findFirst()
            .orElse("");
    Matcher pkg = PACKAGE.matcher(first);
    if (pkg.find()) {
      Matcher type = PUBLIC_TYPE.matcher(code);
      if (!type.find()) {
        throw new AssertionError(
            DOC + ":" + b.firstLine() + ": a block with a package must declare a public type");
      }
      Path file = root.resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
      return new Unit(file, code + "\n", b);
    }
    int imports = 0;
    while (imports < b.lines().size()
        && (b.lines().get(imports).startsWith("import ") || b.lines().get(imports).isBlank())) {
      imports++;
    }
    // each of the block's lines stays on its own line number: the package goes before the first,
    // the class and method headers after the last import (or before the first line)
    String name = String.format(Locale.ROOT, "DocExample%02d", index);
    String header = "class " + name + " { void example() throws Exception { ";
    List<String> src = new ArrayList<>(b.lines());
    if (src.isEmpty()) {
      src.add("");
    }
    if (imports == 0) {
      src.set(0, header + src.get(0));
    } else {
      src.set(imports - 1, src.get(imports - 1) + " " + header);
    }
    src.set(0, "package docs.examples; " + src.get(0));
    src.add("} }");
    return new Unit(
        root.resolve("docs/examples").resolve(name + ".java"), String.join("\n", src) + "\n", b);
  }

  /** Compiles the units; returns the errors, each naming the doc's line, or none. */
  static List<String> compile(List<Unit> units, Path out) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    for (Unit u : units) {
      Files.createDirectories(u.file().getParent());
      Files.writeString(u.file(), u.source(), StandardCharsets.UTF_8);
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      Iterable<? extends JavaFileObject> sources =
          files.getJavaFileObjectsFromPaths(units.stream().map(Unit::file).toList());
      List<String> options =
          List.of(
              "-proc:none",
              "--release",
              "17",
              "-d",
              out.toString(),
              "-classpath",
              System.getProperty("java.class.path"));
      javac.getTask(null, files, diagnostics, options, null, sources).call();
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String where = "?";
      for (Unit u : units) {
        if (d.getSource() != null && Path.of(d.getSource().toUri()).equals(u.file())) {
          where = DOC + ":" + (u.block().firstLine() + d.getLineNumber() - 1);
        }
      }
      errors.add(where + ": " + d.getMessage(Locale.ROOT));
    }
    return errors;
  }

  static List<Unit> units(List<Block> blocks, Path root) {
    List<Unit> units = new ArrayList<>();
    for (Block b : blocks) {
      if (b.language().equals("java") && b.skipReason() == null) {
        units.add(unit(b, units.size(), root));
      }
    }
    return units;
  }

  static List<Block> docBlocks() {
    try {
      return blocks(Files.readAllLines(DOC, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyJavaBlockCompiles(@TempDir Path tmp) throws IOException {
    List<Unit> units = units(docBlocks(), tmp.resolve("src"));
    assertThat(units).as("java blocks in " + DOC).hasSizeGreaterThanOrEqualTo(3);
    assertThat(compile(units, Files.createDirectories(tmp.resolve("classes"))))
        .as("compiler errors")
        .isEmpty();
  }

  @Test
  void aBrokenBlockFailsNamingTheDocsLineAndASkippedOneIsLeftOut(@TempDir Path tmp)
      throws IOException {
    List<String> doc =
        List.of(
            "# t", // 1
            "```java", // 2
            "import java.util.List;", // 3
            "List<String> a = List.of();", // 4
            "int b = a.size() + undefined;", // 5
            "```", // 6
            "<!-- not compiled: needs a server -->", // 7
            "", // 8
            "```java", // 9
            "this does not compile", // 10
            "```", // 11
            "```java", // 12
            "package p;", // 13
            "public class Q {", // 14
            "  int x = \"no\";", // 15
            "}", // 16
            "```");
    List<Block> blocks = blocks(doc);
    assertThat(blocks).hasSize(3);
    assertThat(blocks.get(1).skipReason()).isEqualTo("needs a server");
    List<Unit> units = units(blocks, tmp.resolve("src"));
    assertThat(units).hasSize(2);
    assertThat(units.get(1).file()).isEqualTo(tmp.resolve("src/p/Q.java"));
    List<String> errors = compile(units, Files.createDirectories(tmp.resolve("classes")));
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).startsWith(DOC + ":5: ").contains("undefined");
    assertThat(errors.get(1)).startsWith(DOC + ":15: ").contains("incompatible types");
  }

  @Test
  void theRuleNeedsAReasonAndAPublicType(@TempDir Path tmp) {
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class,
        () -> blocks(List.of("<!-- not compiled: -->", "```java", "int a;", "```")));
    Block noType = blocks(List.of("```java", "package p;", "class Q {}", "```")).get(0);
    AssertionError e =
        org.junit.jupiter.api.Assertions.assertThrows(
            AssertionError.class, () -> unit(noType, 0, tmp));
    assertThat(e).hasMessageContaining("must declare a public type");
  }

  @Test
  void everySwarmdbPropertyInTheDocIsReal() throws IOException {
    Set<String> known = new HashSet<>();
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      for (JsonNode p : new ObjectMapper().readTree(in).get("properties")) {
        known.add(p.get("name").asText());
      }
    }
    List<String> used = new ArrayList<>();
    for (Block b : docBlocks()) {
      if (b.language().equals("properties")) {
        for (String line : b.lines()) {
          String key = line.split("=", 2)[0].strip();
          if (key.startsWith("swarmdb.")) {
            used.add(key);
          }
        }
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(used).allSatisfy(key -> assertThat(known).as(key).contains(key));
  }
}
