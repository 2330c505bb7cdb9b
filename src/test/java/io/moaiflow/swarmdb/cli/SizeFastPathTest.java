package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SizeFastPathTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        SizeFastPath.run(
            args,
            env,
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void handlesPlainSizeInvocationsLikePicocliWould() throws Exception {
    Path db = Files.write(dir.resolve("s.db"), new byte[10]);
    Files.write(Path.of(db + "-wal"), new byte[5]);
    String p = db.toString();
    for (String[] args :
        new String[][] {
          {"--db", p, "size"}, {"size", "--db", p}, {"--db=" + p, "size"}, {"size", "--db=" + p}
        }) {
      Run r = run(Map.of(), args);
      assertThat(r.code()).isZero();
      assertThat(r.out()).isEqualTo("15" + System.lineSeparator());
      assertThat(r.out()).isEqualTo(CliRun.run(Map.of(), args).out());
    }
    Run json = run(Map.of(), "size", "--json", "--db", p);
    assertThat(json.out().trim())
        .isEqualTo(CliRun.run(Map.of(), "size", "--json", "--db", p).out().trim());
    assertThat(run(Map.of("MOAI_DB_PATH", p), "size").out().trim()).isEqualTo("15");
  }

  @Test
  void reportsErrorsWithTheSameExitCodes() {
    Path missing = dir.resolve("none.db");
    Run r = run(Map.of(), "--db", missing.toString(), "size");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).isEqualTo(CliRun.run(Map.of(), "--db", missing.toString(), "size").err());
    Run env = run(Map.of("MOAI_ENV", "qa"), "size");
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.err()).contains("MOAI_ENV='qa' is invalid");
    Run dirAsDb = run(Map.of(), "--db", dir.toString(), "size");
    assertThat(dirAsDb.code()).isEqualTo(3);
  }

  @Test
  void leavesEverythingElseToPicocli() {
    for (String[] args :
        new String[][] {
          {},
          {"size", "--help"},
          {"--help"},
          {"size", "size"},
          {"--json", "size"},
          {"info"},
          {"size", "--db"},
          {"--db", "--json", "size"},
          {"size", "--json", "--json"},
          {"--verbose", "size"},
          {"--db", "a", "--db", "b", "size"},
          {"--db=", "size"}
        }) {
      assertThat(run(Map.of(), args).code()).as(String.join(" ", args)).isEqualTo(-1);
    }
  }
}
