package io.moaiflow.swarmdb.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class OpsOptionsTest {

  private static void rejected(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((SwarmDbException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void defaults() {
    OpsOptions o = OpsOptions.defaults();
    assertThat(o.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(8000);
    assertThat(o.metricsPort()).isEqualTo(9090);
    assertThat(o.sharedListener()).isFalse();
    assertThat(o.metricsToken()).isNull();
    assertThat(o.tls()).isFalse();
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.maxBodyBytes()).isEqualTo(4096);
    assertThat(o.workerThreads()).isEqualTo(4);
    assertThat(o.queueCapacity()).isEqualTo(1024);
    assertThat(o.maxConnections()).isEqualTo(1024);
    assertThat(o.healthCacheTtl()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.retentionEnabled()).isFalse();
    assertThat(o.backupDir()).isNull();
    assertThat(o.backupInterval()).isEqualTo(Duration.ofHours(24));
    assertThat(o.backupKeep()).isEqualTo(Duration.ofDays(7));
    assertThat(o.jvmMetrics()).isTrue();
  }

  @Test
  void builderSetsEverything() {
    OpsOptions o =
        OpsOptions.builder()
            .bindAddress("0.0.0.0")
            .port(8080)
            .metricsPort(8080)
            .metricsToken("0123456789abcdef")
            .tls(Path.of("ops.p12"), "pw")
            .requestTimeout(Duration.ofSeconds(5))
            .maxBodyBytes(0)
            .workerThreads(8)
            .queueCapacity(10)
            .maxConnections(50)
            .healthCacheTtl(Duration.ZERO)
            .deleteEventsOlderThan(Duration.ofDays(30))
            .purgeExpiredMemory(true)
            .sweepStaleAgentsAfter(Duration.ofMinutes(15))
            .retentionInterval(Duration.ofMinutes(10))
            .backups(Path.of("backups"), Duration.ofHours(6), Duration.ofDays(3))
            .jvmMetrics(false)
            .build();
    assertThat(o.sharedListener()).isTrue();
    assertThat(o.tls()).isTrue();
    assertThat(o.retentionEnabled()).isTrue();
    assertThat(o.deleteEventsOlderThan()).isEqualTo(Duration.ofDays(30));
    assertThat(o.sweepStaleAgentsAfter()).isEqualTo(Duration.ofMinutes(15));
    assertThat(o.backupDir()).isEqualTo(Path.of("backups"));
    assertThat(o.backupKeep()).isEqualTo(Duration.ofDays(3));
    assertThat(o.workerThreads()).isEqualTo(8);
    assertThat(o.toString())
        .contains("port=8080")
        .contains("metricsToken=***")
        .contains("password ***")
        .doesNotContain("0123456789abcdef")
        .doesNotContain("=pw");
    assertThat(OpsOptions.builder().purgeExpiredMemory(true).build().retentionEnabled()).isTrue();
    assertThat(
            OpsOptions.builder()
                .sweepStaleAgentsAfter(Duration.ofHours(1))
                .build()
                .retentionEnabled())
        .isTrue();
  }

  @Test
  void portsComeFromTheEnvironment() {
    OpsOptions o =
        OpsOptions.builder()
            .environment(Map.of("MOAI_HTTP_PORT", "18000", "MOAI_METRICS_PORT", " 19090 "))
            .build();
    assertThat(o.port()).isEqualTo(18000);
    assertThat(o.metricsPort()).isEqualTo(19090);
    OpsOptions unset = OpsOptions.builder().environment(Map.of("MOAI_HTTP_PORT", " ")).build();
    assertThat(unset.port()).isEqualTo(OpsOptions.DEFAULT_PORT);
    rejected(
        () -> OpsOptions.builder().environment(Map.of("MOAI_METRICS_PORT", "ninety")),
        "MOAI_METRICS_PORT is 'ninety', not a port number");
  }

  @Test
  void rejectsBadValuesWithTheRange() {
    rejected(() -> OpsOptions.builder().bindAddress(" ").build(), "bindAddress is blank");
    rejected(() -> OpsOptions.builder().port(-1).build(), "port is -1; use 0 to 65535");
    rejected(() -> OpsOptions.builder().metricsPort(65_536).build(), "metricsPort is 65536");
    rejected(
        () -> OpsOptions.builder().metricsToken("short").build(),
        "the metrics token has 5 characters; use at least 16");
    rejected(
        () -> OpsOptions.builder().metricsToken("0123456789abcdef ghi").build(), "at index 16");
    rejected(() -> OpsOptions.builder().metricsToken("0123456789abcdefé").build(), "non-ASCII");
    rejected(() -> withTls(Path.of("k.p12"), null), "a keystore without a password");
    rejected(() -> withTls(null, "pw"), "a password without a keystore");
    rejected(
        () -> OpsOptions.builder().requestTimeout(Duration.ofMillis(500)).build(),
        "requestTimeout is PT0.5S");
    rejected(
        () -> OpsOptions.builder().requestTimeout(Duration.ofHours(2)).build(), "PT1S to PT1H");
    rejected(() -> OpsOptions.builder().maxBodyBytes(-1).build(), "maxBodyBytes is -1");
    rejected(() -> OpsOptions.builder().workerThreads(0).build(), "workerThreads is 0");
    rejected(() -> OpsOptions.builder().queueCapacity(0).build(), "queueCapacity is 0");
    rejected(() -> OpsOptions.builder().maxConnections(0).build(), "maxConnections is 0");
    rejected(
        () -> OpsOptions.builder().healthCacheTtl(Duration.ofMinutes(2)).build(),
        "healthCacheTtl is PT2M");
    rejected(
        () -> OpsOptions.builder().healthCacheTtl(Duration.ofSeconds(-1)).build(),
        "healthCacheTtl is PT-1S");
    rejected(
        () -> OpsOptions.builder().deleteEventsOlderThan(Duration.ZERO).build(),
        "deleteEventsOlderThan is PT0S; use a positive duration");
    rejected(
        () -> OpsOptions.builder().sweepStaleAgentsAfter(Duration.ofSeconds(-5)).build(),
        "sweepStaleAgentsAfter is PT-5S");
    rejected(
        () -> OpsOptions.builder().retentionInterval(Duration.ZERO).build(),
        "retentionInterval is PT0S");
    rejected(
        () -> OpsOptions.builder().backups(Path.of("b"), Duration.ZERO, Duration.ofDays(1)).build(),
        "backupInterval is PT0S");
    rejected(
        () ->
            OpsOptions.builder()
                .backups(Path.of("b"), Duration.ofHours(1), Duration.ofDays(-1))
                .build(),
        "backupKeep is PT-24H");
  }

  @Test
  void requestTimeoutRoundsUpToWholeSecondsForTheJdk() {
    assertThat(HttpLimits.ceilSeconds(Duration.ofMillis(1500))).isEqualTo(2);
    assertThat(HttpLimits.ceilSeconds(Duration.ofSeconds(3))).isEqualTo(3);
    Map<String, String> wanted =
        HttpLimits.wanted(
            OpsOptions.builder().requestTimeout(Duration.ofMillis(2500)).maxConnections(7).build());
    assertThat(wanted)
        .containsEntry(HttpLimits.MAX_REQ_TIME, "3")
        .containsEntry(HttpLimits.MAX_RSP_TIME, "3")
        .containsEntry(HttpLimits.MAX_CONNECTIONS, "7");
  }

  @Test
  void jdkLimitsAreAppliedOncePerJvm() {
    Map<String, String> first = HttpLimits.apply(OpsTestSupport.options().build());
    Map<String, String> again =
        HttpLimits.apply(OpsTestSupport.options().requestTimeout(Duration.ofSeconds(30)).build());
    assertThat(again).isEqualTo(first);
    assertThat(System.getProperty(HttpLimits.MAX_REQ_TIME))
        .isEqualTo(first.get(HttpLimits.MAX_REQ_TIME));
  }

  /** The canonical constructor with every other component valid, so only the TLS pair can fail. */
  private static OpsOptions withTls(@Nullable Path keystore, @Nullable String password) {
    return new OpsOptions(
        "127.0.0.1",
        1,
        2,
        null,
        keystore,
        password,
        Duration.ofSeconds(1),
        1,
        1,
        1,
        1,
        Duration.ZERO,
        null,
        false,
        null,
        Duration.ofHours(1),
        null,
        Duration.ofHours(1),
        Duration.ofDays(1),
        true);
  }
}
