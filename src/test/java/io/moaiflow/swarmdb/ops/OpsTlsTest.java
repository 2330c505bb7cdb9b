package io.moaiflow.swarmdb.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsTlsTest {
  private static final String PASSWORD = "changeit-test-only";

  @TempDir static Path dir;
  static Path keystore;
  static SSLContext clientContext;
  static SwarmDB db;
  static OpsServer server;

  @BeforeAll
  static void start() throws Exception {
    keystore = dir.resolve("ops.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    run(
        keytool.toString(),
        "-genkeypair",
        "-alias",
        "ops",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    clientContext = TlsProtocolProbe.trusting(keystore, PASSWORD);

    db = SwarmDB.open(dir.resolve("swarm.db"));
    server =
        OpsServer.start(
            db,
            OpsTestSupport.options()
                .tls(keystore, PASSWORD)
                .metricsToken("tls-token-0123456789abcdef")
                .build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(clientContext)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHttpsWithTheKeystore() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"healthy\"");
    assertThat(get("/metrics").statusCode()).isEqualTo(401);
    assertThat(get("/metrics", "Authorization", "Bearer tls-token-0123456789abcdef").statusCode())
        .isEqualTo(200);
  }

  @Test
  void negotiatesOnlyTls12Or13() throws Exception {
    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      try (SSLSocket s = clientSocket(protocol)) {
        s.startHandshake();
        assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
      }
    }
  }

  /**
   * The JDK disables TLSv1.1 JVM-wide and reads that once, so the check runs in a fresh JVM that
   * re-enables it: there a plain JDK server agrees on TLSv1.1 (the control), the ops server does
   * not.
   */
  @Test
  void refusesTls11EvenWhenTheJvmAllowsIt() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path");
    if (classPath == null || classPath.isBlank()) {
      classPath = System.getProperty("java.class.path");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String out =
        run(
            java.toString(),
            "-cp",
            classPath,
            TlsProtocolProbe.class.getName(),
            keystore.toString(),
            PASSWORD);
    assertThat(out).contains("control=TLSv1.1").contains("ops=refused");
  }

  /** Runs {@code command} to its end within 2 minutes; exit 0 is required. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void aTls11OnlyClientIsRefused() throws Exception {
    try (SSLSocket s = clientSocket("TLSv1.1")) {
      assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
  }

  private static SSLSocket clientSocket(String protocol) throws Exception {
    SSLSocket s =
        (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", server.port());
    s.setSoTimeout(30_000);
    s.setEnabledProtocols(new String[] {protocol});
    return s;
  }

  @Test
  void aWrongPasswordIsAClearError() {
    OpsOptions bad = OpsTestSupport.options().tls(keystore, "wrong-password").build();
    assertThatThrownBy(() -> OpsServer.start(db, bad))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("could not load the TLS keystore " + keystore)
        .extracting(e -> ((SwarmDbException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    OpsOptions missing = OpsTestSupport.options().tls(dir.resolve("missing.p12"), PASSWORD).build();
    assertThatThrownBy(() -> OpsServer.start(db, missing))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining("missing.p12");
  }
}
