package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    Path token = dir.resolve("token");
    Files.writeString(token, "0123456789abcdef0123\n");
    StringWriter err = new StringWriter();
    CommandLine cl = Main.newCommandLine(new Main(CliRun.quietEnv()));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cl.execute(
                    "--db",
                    db.toString(),
                    "serve",
                    "--port",
                    "0",
                    "--metrics-port",
                    "0",
                    "--metrics-token-file",
                    token.toString(),
                    "--expired-memory",
                    "--events-older-than",
                    "30d",
                    "--backup-dir",
                    dir.resolve("backups").toString()));
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
    assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    assertThat(Files.exists(db)).isTrue();
  }

  @Test
  void rejectsIncompleteTlsAndBadValues() throws Exception {
    Path db = dir.resolve("swarm.db");
    CliRun tls = CliRun.on(db, "serve", "--port", "0", "--tls-keystore", "ks.p12");
    assertThat(tls.code()).as(tls::toString).isEqualTo(ExitCodes.USAGE);
    assertThat(tls.err()).contains("--tls-password-file");
    CliRun keep = CliRun.on(db, "serve", "--backup-keep-days", "0");
    assertThat(keep.code()).as(keep::toString).isEqualTo(ExitCodes.USAGE);
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "  \n");
    CliRun token = CliRun.on(db, "serve", "--metrics-token-file", empty.toString());
    assertThat(token.code()).as(token::toString).isEqualTo(ExitCodes.USAGE);
    assertThat(token.err()).contains("is empty");
    CliRun missing = CliRun.on(db, "serve", "--metrics-token-file", dir.resolve("nope").toString());
    assertThat(missing.code()).as(missing::toString).isEqualTo(ExitCodes.USAGE);
    CliRun shortToken = CliRun.on(db, "serve", "--port", "0", "--metrics-token-file", writeShort());
    assertThat(shortToken.code()).as(shortToken::toString).isEqualTo(ExitCodes.USAGE);
    assertThat(shortToken.err()).contains("at least 16");
  }

  private String writeShort() throws Exception {
    Path p = dir.resolve("short");
    Files.writeString(p, "abc");
    return p.toString();
  }
}
