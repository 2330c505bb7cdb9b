package io.moaiflow.swarmdb.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Shared by the ops tests. */
final class OpsTestSupport {
  /** One value for every test: the JDK reads its request time limit once per JVM. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private OpsTestSupport() {}

  static OpsOptions.Builder options() {
    return OpsOptions.builder()
        .port(0)
        .metricsPort(0)
        .requestTimeout(REQUEST_TIMEOUT)
        .healthCacheTtl(Duration.ZERO);
  }

  static HttpResponse<String> send(int port, String method, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(int port, String path, String... headers)
      throws IOException, InterruptedException {
    return send(port, "GET", path, headers);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
