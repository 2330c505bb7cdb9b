package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  @TempDir Path dir;

  private static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (!token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHealthAndProtectedMetricsUntilStopped() throws Exception {
    Path db = dir.resolve("serve/swarm.db");
    Path token = secret("token", "0123456789abcdef0123\n");
    Serving serving =
        Serving.start(
            CliRun.quietEnv(),
            List.of("--db", db.toString()),
            "--metrics-token-file",
            token.toString(),
            "--expired-memory",
            "--events-older-than",
            "30d",
            "--backup-dir",
            dir.resolve("backups").toString());
    ServeCommand serve = serving.command();
    StringWriter err = serving.err();
    assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(err::toString).isTrue();
    try {
      HttpResponse<String> health = get(serve.boundPort, "/health", "");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"healthy\"");
      assertThat(get(serve.boundMetricsPort, "/metrics", "").statusCode()).isEqualTo(401);
      HttpResponse<String> metrics =
          get(serve.boundMetricsPort, "/metrics", "0123456789abcdef0123");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("moai_flow_db_size_bytes");
      assertThat(err.toString()).contains("serving " + db.toAbsolutePath());
    } finally {
      serve.stop.countDown();
    }
    assertThat(serving.exit().get(60, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    assertThat(Files.exists(db)).isTrue();
  }

  @Test
  void uiServesTheDashboardBehindTheTokenAndIsOffWithoutIt() throws Exception {
    Path db = dir.resolve("ui/swarm.db");
    Path token = secret("token", "0123456789abcdef0123\n");
    Serving serving =
        Serving.start(
            CliRun.quietEnv(),
            List.of("--db", db.toString()),
            "--ui",
            "--metrics-token-file",
            token.toString());
    ServeCommand serve = serving.command();
    assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(serving.err()::toString).isTrue();
    try {
      assertThat(serving.err().toString())
          .contains("dashboard at http://127.0.0.1:" + serve.boundPort + "/ui")
          .contains("open /ui?token=TOKEN once");
      assertThat(get(serve.boundPort, "/ui", "").statusCode()).isEqualTo(401);
      HttpResponse<String> summary =
          get(serve.boundPort, "/ui/api/summary", "0123456789abcdef0123");
      assertThat(summary.statusCode()).isEqualTo(200);
      assertThat(summary.body()).contains("\"agentsTotal\":0");
    } finally {
      serve.stop.countDown();
    }
    assertThat(serving.exit().get(60, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);

    Serving plain = Serving.start(CliRun.quietEnv(), List.of("--db", db.toString()));
    assertThat(plain.command().started.await(60, TimeUnit.SECONDS)).isTrue();
    try {
      assertThat(get(plain.command().boundPort, "/ui", "").statusCode()).isEqualTo(404);
      assertThat(plain.err().toString()).doesNotContain("dashboard");
    } finally {
      plain.command().stop.countDown();
    }
    assertThat(plain.exit().get(60, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
  }

  @Test
  void rejectsIncompleteTlsAndBadValues() throws Exception {
    Path db = dir.resolve("swarm.db");
    CliRun tls =
        CliRun.fails(ExitCodes.USAGE, db, "serve", "--port", "0", "--tls-keystore", "ks.p12");
    assertThat(tls.err()).contains("--tls-password-file");
    CliRun.fails(ExitCodes.USAGE, db, "serve", "--backup-keep-days", "0");
    Path empty = secret("empty", "  \n");
    CliRun token =
        CliRun.fails(ExitCodes.USAGE, db, "serve", "--metrics-token-file", empty.toString());
    assertThat(token.err()).contains("is empty");
    CliRun.fails(
        ExitCodes.USAGE, db, "serve", "--metrics-token-file", dir.resolve("nope").toString());
    CliRun run =
        CliRun.fails(
            ExitCodes.USAGE, db, "serve", "--port", "0", "--metrics-token-file", writeShort());
    assertThat(run.err()).contains("at least 16");
  }

  @Test
  void aNonLoopbackBindWithoutTokenOrTlsIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path db = dir.resolve("open/swarm.db");
    for (String bind : List.of("0.0.0.0", "::")) {
      CliRun run =
          CliRun.fails(
              ExitCodes.USAGE, db, "serve", "--bind", bind, "--port", "0", "--metrics-port", "0");
      assertThat(run.err())
          .contains("--bind " + bind + " is not a loopback address")
          .contains("--metrics-token-file", "--tls-keystore", "--allow-unauthenticated");
    }
    assertThat(dir.resolve("open")).doesNotExist();
  }

  @Test
  void loopbackAddressesNeedNoToken() {
    for (String bind : List.of("127.0.0.1", "127.0.0.2", "::1", "localhost")) {
      assertThat(ServeCommand.isLoopback(bind)).as(bind).isTrue();
    }
    for (String bind : List.of("0.0.0.0", "::", "10.0.0.1", "192.168.1.1")) {
      assertThat(ServeCommand.isLoopback(bind)).as(bind).isFalse();
    }
  }

  @Test
  void allowUnauthenticatedServesOffLoopbackAndLogsAWarning() throws Exception {
    Path db = dir.resolve("swarm.db");
    Path log = dir.resolve("logs/serve.log");
    Map<String, String> env = new HashMap<>(CliRun.quietEnv());
    env.put("MOAI_LOG_LEVEL", "WARN");
    Serving serving =
        Serving.start(
            env,
            List.of("--db", db.toString(), "--log-file", log.toString()),
            "--bind",
            "0.0.0.0",
            "--allow-unauthenticated");
    ServeCommand serve = serving.command();
    StringWriter err = serving.err();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(err::toString).isTrue();
      assertThat(get(serve.boundPort, "/live", "").statusCode()).isEqualTo(200);
    } finally {
      serve.stop.countDown();
    }
    assertThat(serving.exit().get(60, TimeUnit.SECONDS)).as(err::toString).isEqualTo(ExitCodes.OK);
    assertThat(Files.readAllLines(log))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"level\":\"WARN\"")
                    .contains("serving on 0.0.0.0 without a metrics token or TLS")
                    .contains("--allow-unauthenticated"));
    assertThat(err.toString()).contains("stopped serving " + db.toAbsolutePath());
  }

  @Test
  void aTokenFileReadableByGroupOrOthersIsRefused() throws Exception {
    Path db = dir.resolve("swarm.db");
    for (String mode : List.of("rw-r-----", "rw----r--", "rw-r--r--")) {
      Path token = dir.resolve("token-" + mode);
      Files.writeString(token, "0123456789abcdef0123\n");
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(mode));
      CliRun run =
          CliRun.fails(
              ExitCodes.USAGE,
              db,
              "serve",
              "--port",
              "0",
              "--metrics-token-file",
              token.toString());
      assertThat(run.err())
          .contains("--metrics-token-file " + token + " is readable by its group or by others")
          .contains("(mode " + mode + ")", "chmod 600 " + token);
    }
    assertThat(db).doesNotExist();
  }

  @Test
  void aPortInUseIsAUsageError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      CliRun run =
          CliRun.fails(
              ExitCodes.USAGE,
              dir.resolve("swarm.db"),
              "serve",
              "--port",
              Integer.toString(port),
              "--metrics-port",
              "0");
      assertThat(run.err())
          .contains("could not listen on 127.0.0.1:" + port, "choose another port");
    }
  }

  /**
   * {@code swarmdb GLOBALS serve --port 0 --metrics-port 0 OPTIONS} on another thread, until the
   * test counts down {@code command().stop}.
   */
  private record Serving(ServeCommand command, CompletableFuture<Integer> exit, StringWriter err) {
    static Serving start(Map<String, String> env, List<String> globals, String... options) {
      StringWriter err = new StringWriter();
      CommandLine cl = Main.newCommandLine(new Main(env));
      cl.setOut(new PrintWriter(new StringWriter(), true));
      cl.setErr(new PrintWriter(err, true));
      List<String> args = new ArrayList<>(globals);
      args.addAll(List.of("serve", "--port", "0", "--metrics-port", "0"));
      args.addAll(List.of(options));
      ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
      return new Serving(
          serve, CompletableFuture.supplyAsync(() -> cl.execute(args.toArray(String[]::new))), err);
    }
  }

  private String writeShort() throws Exception {
    return secret("short", "abc").toString();
  }

  /** A file only its owner can read, as --metrics-token-file requires. */
  private Path secret(String name, String content) throws Exception {
    Path p =
        Files.createFile(
            dir.resolve(name),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(p, content);
  }
}
