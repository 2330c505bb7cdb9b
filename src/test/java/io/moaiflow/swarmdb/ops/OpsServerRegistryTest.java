package io.moaiflow.swarmdb.ops;

import static io.moaiflow.swarmdb.ops.OpsTestSupport.get;
import static io.moaiflow.swarmdb.ops.OpsTestSupport.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server on the application's {@link MeterRegistry}, and the JVM-wide JDK HTTP limits
 * that starting a server no longer sets.
 */
class OpsServerRegistryTest {
  private static final List<String> JDK_LIMITS =
      List.of(
          HttpLimits.MAX_REQ_TIME,
          HttpLimits.MAX_RSP_TIME,
          HttpLimits.CLOCK_TICK,
          HttpLimits.MAX_CONNECTIONS);

  @TempDir Path dir;
  SwarmDB db;

  @BeforeEach
  void open() {
    db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static List<String> swarmMeters(MeterRegistry registry) {
    return registry.getMeters().stream()
        .map(m -> m.getId().getName())
        .filter(n -> n.startsWith("moai.flow."))
        .toList();
  }

  @Test
  void metersGoToTheApplicationsRegistryAndLeaveItOnClose() throws Exception {
    SimpleMeterRegistry app = new SimpleMeterRegistry();
    Counter own = Counter.builder("app.orders").register(app);
    try (OpsServer ops = OpsServer.start(db, options().jvmMetrics(true).build(), app)) {
      assertThat(get(ops.port(), "/health").statusCode()).isEqualTo(200);
      assertThat(app.get("moai.flow.db.size").gauge().value()).isPositive();
      assertThat(app.get("moai.flow.ops.requests").tag("endpoint", "/health").timer().count())
          .isEqualTo(1);
      assertThat(app.find("jvm.memory.used").meters())
          .as("JVM meters are the application's to bind")
          .isEmpty();

      HttpResponse<String> metrics = get(ops.metricsPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(404);
      assertThat(metrics.body())
          .contains("meters are in the application's registry")
          .contains(SimpleMeterRegistry.class.getName());
    }
    assertThat(swarmMeters(app)).as("closing removes the server's meters").isEmpty();
    assertThat(app.getMeters()).containsExactly((Meter) own);
    assertThat(app.isClosed()).as("the application's registry stays open").isFalse();
  }

  /**
   * A handler records its request's timer after the answer has gone out, so a server closed right
   * after answering must wait for it: else the timer is registered again after close removed the
   * meters. 300 rounds of answer-then-close.
   */
  @Test
  void closingRightAfterAnAnswerLeavesNoMeter() throws Exception {
    SimpleMeterRegistry app = new SimpleMeterRegistry();
    for (int round = 0; round < 300; round++) {
      try (OpsServer ops = OpsServer.start(db, options().build(), app)) {
        assertThat(get(ops.port(), "/health").statusCode()).isEqualTo(200);
      }
      assertThat(swarmMeters(app)).as("round %d", round).isEmpty();
    }
  }

  @Test
  void aPrometheusRegistryOfTheApplicationIsWhatMetricsRenders() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CompositeMeterRegistry app = new CompositeMeterRegistry();
    app.add(prometheus);
    Counter.builder("app.orders").register(app).increment();
    try (OpsServer ops = OpsServer.start(db, options().build(), app)) {
      HttpResponse<String> metrics = get(ops.metricsPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("moai_flow_db_size_bytes")
          .contains("app_orders_total 1.0");
    }
    assertThat(swarmMeters(prometheus)).isEmpty();
    assertThat(prometheus.scrape()).contains("app_orders_total 1.0");
  }

  /**
   * With the four JDK limits unset (after the JDK's server class has read them, so no other test
   * loses them), a server starts, serves and stops without setting any system property.
   */
  @Test
  void startingAServerSetsNoSystemProperty() throws Exception {
    HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0).stop(0);
    Map<String, String> saved = new HashMap<>();
    for (String name : JDK_LIMITS) {
      String value = System.getProperty(name);
      if (value != null) {
        saved.put(name, value);
        System.clearProperty(name);
      }
    }
    try {
      Properties before = (Properties) System.getProperties().clone();
      try (OpsServer ops = OpsServer.start(db, options().build())) {
        assertThat(get(ops.port(), "/health").statusCode()).isEqualTo(200);
      }
      try (OpsServer ops = OpsServer.start(db, options().build(), new SimpleMeterRegistry())) {
        assertThat(get(ops.port(), "/health").statusCode()).isEqualTo(200);
      }
      assertThat(System.getProperties()).isEqualTo(before);
      for (String name : JDK_LIMITS) {
        assertThat(System.getProperty(name)).as(name).isNull();
      }
    } finally {
      saved.forEach(System::setProperty);
    }
  }

  @Test
  void applyJvmLimitsSetsOnlyWhatIsUnsetAndKeepsTheRest() {
    Map<String, String> saved = new HashMap<>();
    for (String name : JDK_LIMITS) {
      String value = System.getProperty(name);
      if (value != null) {
        saved.put(name, value);
      }
    }
    try {
      System.clearProperty(HttpLimits.CLOCK_TICK);
      System.setProperty(HttpLimits.MAX_REQ_TIME, "7");
      Map<String, String> effective =
          OpsServer.applyJvmLimits(
              OpsOptions.builder()
                  .requestTimeout(Duration.ofMillis(2500))
                  .maxConnections(9)
                  .build());
      assertThat(effective)
          .containsEntry(HttpLimits.MAX_REQ_TIME, "7")
          .containsEntry(HttpLimits.CLOCK_TICK, "1000");
      assertThat(System.getProperty(HttpLimits.MAX_REQ_TIME)).isEqualTo("7");
      assertThat(System.getProperty(HttpLimits.CLOCK_TICK)).isEqualTo("1000");
    } finally {
      for (String name : JDK_LIMITS) {
        System.clearProperty(name);
      }
      saved.forEach(System::setProperty);
    }
  }

  @Test
  void theResponseLimitIsTheJvmsOrNone() {
    String saved = System.getProperty(HttpLimits.MAX_RSP_TIME);
    try {
      System.setProperty(HttpLimits.MAX_RSP_TIME, " 3 ");
      assertThat(HttpLimits.responseLimit()).isEqualTo(Duration.ofSeconds(3));
      System.setProperty(HttpLimits.MAX_RSP_TIME, "soon");
      assertThat(HttpLimits.responseLimit()).isNegative();
      System.clearProperty(HttpLimits.MAX_RSP_TIME);
      assertThat(HttpLimits.responseLimit()).isNegative();
    } finally {
      if (saved != null) {
        System.setProperty(HttpLimits.MAX_RSP_TIME, saved);
      }
    }
  }
}
