package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.cli.Main;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 9: {@code swarmdb serve} stopped with SIGTERM (what Kubernetes and Docker send)
 * closes the endpoint and the database, logs a shutdown line and exits 0, not 143.
 */
class ServeShutdownTest {
  @TempDir Path dir;

  @Test
  void sigtermStopsServeWithExitZeroAndAShutdownLine() throws Exception {
    Path db = dir.resolve("serve.db");
    try (ChildJvm child =
        ChildJvm.startMergingStderr(
            Main.class,
            List.of("MOAI_ENV=production", "MOAI_LOG_LEVEL=WARN"),
            "--db",
            db.toString(),
            "serve",
            "--port",
            "0",
            "--metrics-port",
            "0")) {
      assertThat(child.awaitLine("serving " + db, 120)).as("%s", child.lines()).isNotNull();
      child.terminate();
      assertThat(child.waitFor(60)).as("%s", child.lines()).isZero();
      assertThat(child.lines())
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("stopped serving " + db + " (shutdown signal)")
                      .contains("closed"));
    }
    assertThat(DbFiles.integrityCheck(db)).containsExactly("ok");
  }
}
