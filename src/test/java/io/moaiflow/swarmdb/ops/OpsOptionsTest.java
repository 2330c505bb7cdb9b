package io.moaiflow.swarmdb.ops;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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
    assertThat(o.maintenance().retentionEnabled()).isFalse();
    assertThat(o.maintenance().retentionInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(o.maintenance().backupDir()).isNull();
    assertThat(o.maintenance().backupInterval()).isEqualTo(Duration.ofHours(24));
    assertThat(o.maintenance().backupKeep()).isEqualTo(Duration.ofDays(7));
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
    assertThat(o.maintenance().retentionEnabled()).isTrue();
    assertThat(o.maintenance().deleteEventsOlderThan()).isEqualTo(Duration.ofDays(30));
    assertThat(o.maintenance().sweepStaleAgentsAfter()).isEqualTo(Duration.ofMinutes(15));
    assertThat(o.maintenance().backupDir()).isEqualTo(Path.of("backups"));
    assertThat(o.maintenance().backupKeep()).isEqualTo(Duration.ofDays(3));
    assertThat(o.workerThreads()).isEqualTo(8);
    assertThat(o.toString())
        .contains("port=8080")
        .contains("metricsToken=***")
        .contains("tlsKeystorePassword=***")
        .doesNotContain("0123456789abcdef")
        .doesNotContain("=pw");
    assertThat(
            OpsOptions.builder().purgeExpiredMemory(true).build().maintenance().retentionEnabled())
        .isTrue();
    assertThat(
            OpsOptions.builder()
                .sweepStaleAgentsAfter(Duration.ofHours(1))
                .build()
                .maintenance()
                .retentionEnabled())
        .isTrue();
  }

  /**
   * toString names every setting the builders take and every field the options hold (a hand-written
   * list that forgot one fails here), and no secret.
   */
  @Test
  void toStringNamesEverySettingAndMasksTheSecrets() {
    String text =
        OpsOptions.builder()
            .metricsToken("secret-token-0123456789")
            .tls(Path.of("ops.p12"), "secret-password")
            .deleteEventsOlderThan(Duration.ofDays(30))
            .backups(Path.of("backups"), Duration.ofHours(6), Duration.ofDays(3))
            .build()
            .toString();
    for (Class<?> c :
        List.of(OpsOptions.class, OpsOptions.Builder.class, MaintenanceSchedule.class)) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
          assertThat(text).as(c.getName()).contains(f.getName() + "=");
        }
      }
    }
    assertThat(text)
        .startsWith("OpsOptions[bindAddress=127.0.0.1, port=8000, metricsPort=9090")
        .contains("metricsToken=***", "tlsKeystore=ops.p12", "tlsKeystorePassword=***")
        .contains("maintenance=MaintenanceSchedule[deleteEventsOlderThan=PT720H")
        .contains("backupDir=backups, backupInterval=PT6H, backupKeep=PT72H]")
        .doesNotContain("secret-");
    assertThat(OpsOptions.defaults().toString())
        .contains("metricsToken=null", "tlsKeystorePassword=null");
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
    List<Map.Entry<UnaryOperator<OpsOptions.Builder>, String>> options =
        List.of(
            entry(b -> b.bindAddress(" "), "bindAddress is blank"),
            entry(b -> b.port(-1), "port is -1; use 0 to 65535"),
            entry(b -> b.metricsPort(65_536), "metricsPort is 65536"),
            entry(
                b -> b.metricsToken("short"),
                "the metrics token has 5 characters; use at least 16"),
            entry(b -> b.metricsToken("0123456789abcdef ghi"), "at index 16"),
            entry(b -> b.metricsToken("0123456789abcdefé"), "non-ASCII"),
            entry(b -> b.tls(Path.of("k.p12"), null), "a keystore without a password"),
            entry(b -> b.tls(null, "pw"), "a password without a keystore"),
            entry(b -> b.requestTimeout(Duration.ofMillis(500)), "requestTimeout is PT0.5S"),
            entry(b -> b.requestTimeout(Duration.ofHours(2)), "PT1S to PT1H"),
            entry(b -> b.maxBodyBytes(-1), "maxBodyBytes is -1"),
            entry(b -> b.workerThreads(0), "workerThreads is 0"),
            entry(b -> b.queueCapacity(0), "queueCapacity is 0"),
            entry(b -> b.maxConnections(0), "maxConnections is 0"),
            entry(b -> b.healthCacheTtl(Duration.ofMinutes(2)), "healthCacheTtl is PT2M"),
            entry(b -> b.healthCacheTtl(Duration.ofSeconds(-1)), "healthCacheTtl is PT-1S"),
            entry(
                b -> b.deleteEventsOlderThan(Duration.ZERO),
                "deleteEventsOlderThan is PT0S; use a positive duration"),
            entry(
                b -> b.sweepStaleAgentsAfter(Duration.ofSeconds(-5)),
                "sweepStaleAgentsAfter is PT-5S"),
            entry(b -> b.retentionInterval(Duration.ZERO), "retentionInterval is PT0S"),
            entry(
                b -> b.backups(Path.of("b"), Duration.ZERO, Duration.ofDays(1)),
                "backupInterval is PT0S"),
            entry(
                b -> b.backups(Path.of("b"), Duration.ofHours(1), Duration.ofDays(-1)),
                "backupKeep is PT-24H"));
    for (Map.Entry<UnaryOperator<OpsOptions.Builder>, String> e : options) {
      rejected(() -> e.getKey().apply(OpsOptions.builder()).build(), e.getValue());
    }
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
    Map<String, String> first = HttpLimits.applyToJvm(OpsTestSupport.options().build());
    Map<String, String> again =
        HttpLimits.applyToJvm(
            OpsTestSupport.options().requestTimeout(Duration.ofSeconds(30)).build());
    assertThat(again).isEqualTo(first);
    assertThat(System.getProperty(HttpLimits.MAX_REQ_TIME))
        .isEqualTo(first.get(HttpLimits.MAX_REQ_TIME));
  }
}
