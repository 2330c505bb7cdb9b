package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwarmDbConfigTest {
  @TempDir Path dir;

  private SwarmDbConfig everySettingChanged() {
    return SwarmDbConfig.builder(dir.resolve("all.db"))
        .synchronous(Synchronous.FULL)
        .busyTimeout(Duration.ofMillis(1111))
        .cacheSizePages(2222)
        .journalSizeLimitBytes(3333)
        .walCheckpointThresholdBytes(44444)
        .mmapSizeBytes(5555)
        .readPoolSize(7)
        .maxBatchSize(666)
        .maxBatchWait(Duration.ofMillis(77))
        .writeQueueCapacity(8888)
        .writeTimeout(Duration.ofMillis(9999))
        .migrate(false)
        .backupBeforeMigrate(false)
        .quickCheckOnOpen(true)
        .clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
        .backupRoot(dir.resolve("backups"))
        .minFreeSpaceBytes(12345)
        .historyBudgetBytes(67890)
        .embedder(new WordHashEmbedder("word-hash", 3))
        .indexEvents(false)
        .jsonMapper(j -> j.findAndAddModules())
        .build();
  }

  @Test
  void toStringPrintsEverySettingWithItsValue() {
    String s = everySettingChanged().toString();
    assertThat(s)
        .startsWith("SwarmDbConfig[target=SqliteFile[path=")
        .contains(dir.resolve("all.db").toString())
        .contains("synchronous=FULL")
        .contains("busyTimeout=PT1.111S")
        .contains("cacheSizePages=2222")
        .contains("journalSizeLimitBytes=3333")
        .contains("walCheckpointThresholdBytes=44444")
        .contains("mmapSizeBytes=5555")
        .contains("readPoolSize=7")
        .contains("maxBatchSize=666")
        .contains("maxBatchWait=PT0.077S")
        .contains("writeQueueCapacity=8888")
        .contains("writeTimeout=PT9.999S")
        .contains("migrate=false")
        .contains("backupBeforeMigrate=false")
        .contains("quickCheckOnOpen=true")
        .contains("clock=FixedClock[1970-01-01T00:00:00Z,Z]")
        .contains("backupRoot=" + dir.resolve("backups"))
        .contains("minFreeSpaceBytes=12345")
        .contains("historyBudgetBytes=67890")
        .contains("embedder=word-hash/3")
        .contains("indexEvents=false")
        .contains("jsonMapper=io.moaiflow.swarmdb.SwarmDbConfigTest");
    // every builder setter is a setting: one missing from toString fails here
    List<String> settings =
        Arrays.stream(SwarmDbConfig.Builder.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()))
            .filter(m -> m.getReturnType() == SwarmDbConfig.Builder.class)
            .map(Method::getName)
            .toList();
    assertThat(settings).hasSize(22);
    for (String name : settings) {
      assertThat(s).as("toString prints %s", name).contains(name + "=");
    }
  }

  @Test
  void toStringMasksPostgresSecrets() {
    String url = "jdbc:postgresql://swarm:hunter2@db:5432/x?password=s3cret&ssl=true";
    String s = SwarmDbConfig.postgres(url).build().toString();
    assertThat(s).contains("db:5432/x").contains("ssl=true").doesNotContain("hunter2", "s3cret");
    DataSource ds =
        (DataSource)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) ->
                    method.getName().equals("toString") ? "pool password=leaked" : null);
    String d = SwarmDbConfig.dataSource(ds).build().toString();
    assertThat(d).contains(ds.getClass().getName()).doesNotContain("leaked");
  }

  @Test
  void equalSettingsMakeEqualConfigs() {
    assertThat(everySettingChanged()).isEqualTo(everySettingChanged());
    assertThat(everySettingChanged()).hasSameHashCodeAs(everySettingChanged());
    assertThat(SwarmDbConfig.builder(dir.resolve("all.db")).build())
        .isNotEqualTo(everySettingChanged());
    assertThat(SwarmDbConfig.inMemory().build()).isEqualTo(SwarmDbConfig.inMemory().build());
  }

  @Test
  void theTargetIsExactlyOneOfFileMemoryUrlOrDataSource() {
    Path f = dir.resolve("t.db");
    SwarmDbConfig file = SwarmDbConfig.builder(f).build();
    assertThat(file.target()).isEqualTo(new SwarmDbConfig.SqliteFile(f));
    assertThat(file.path()).isEqualTo(f);
    assertThat(file.jdbcUrl()).isNull();
    assertThat(file.isInMemory()).isFalse();
    assertThat(file.isPostgres()).isFalse();
    SwarmDbConfig memory = SwarmDbConfig.inMemory().build();
    assertThat(memory.target()).isEqualTo(new SwarmDbConfig.InMemory());
    assertThat(memory.path()).isNull();
    assertThat(memory.isInMemory()).isTrue();
    assertThat(memory.isPostgres()).isFalse();
    assertThat(memory.toString()).contains("target=InMemory[]");
    // a bad URL or path is reported by build(), as before, not by the factory
    SwarmDbConfig.Builder badUrl = SwarmDbConfig.postgres("jdbc:mysql://db/x");
    assertInvalid(badUrl::build, "not a PostgreSQL JDBC URL");
    SwarmDbConfig.Builder badPath = SwarmDbConfig.builder(Path.of("file:x.db"));
    assertInvalid(badPath::build, "URI");
    assertInvalid(() -> new SwarmDbConfig.PostgresUrl("jdbc:sqlite:x"), "not a PostgreSQL");
    assertInvalid(() -> new SwarmDbConfig.SqliteFile(Path.of(" ")), "blank");
  }

  @Test
  void groupedSettingsCarryTheBuilderValues() {
    SwarmDbConfig c = everySettingChanged();
    assertThat(c.pragmas())
        .isEqualTo(
            new SwarmDbConfig.Pragmas(Synchronous.FULL, Duration.ofMillis(1111), 2222, 3333, 5555));
    assertThat(c.writeQueue())
        .isEqualTo(
            new SwarmDbConfig.WriteQueue(
                666, Duration.ofMillis(77), 8888, Duration.ofMillis(9999), 44444));
    assertThat(c.writeQueue().maxBatchSize()).isEqualTo(666);
    assertThat(c.writeQueue().capacity()).isEqualTo(8888);
    assertThat(c.writeQueue().walCheckpointThresholdBytes()).isEqualTo(44444);
    assertThat(c.pragmas().cacheSizePages()).isEqualTo(2222);
  }

  private SwarmDbConfig.WriteQueue queue(UnaryOperator<SwarmDbConfig.Builder> settings) {
    return settings.apply(SwarmDbConfig.builder(dir.resolve("l.db"))).build().writeQueue();
  }

  @Test
  void limitsHoldAtTheirEdges() {
    Path f = dir.resolve("l.db");
    assertInvalid(() -> SwarmDbConfig.builder(f).readPoolSize(0).build(), "readPoolSize is 0");
    assertThat(SwarmDbConfig.builder(f).readPoolSize(1).build().readPoolSize()).isEqualTo(1);
    assertThat(SwarmDbConfig.builder(f).readPoolSize(64).build().readPoolSize()).isEqualTo(64);
    assertInvalid(() -> SwarmDbConfig.builder(f).readPoolSize(65).build(), "readPoolSize is 65");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).walCheckpointThresholdBytes(4095).build(),
        "walCheckpointThresholdBytes is 4095 bytes; it must be between 4096 and");
    assertThat(queue(b -> b.walCheckpointThresholdBytes(4096)).walCheckpointThresholdBytes())
        .isEqualTo(4096L);
    assertThat(queue(b -> b.walCheckpointThresholdBytes(4097)).walCheckpointThresholdBytes())
        .isEqualTo(4097);
    assertThat(queue(b -> b.maxBatchSize(99_999)).maxBatchSize()).isEqualTo(99_999);
    assertThat(queue(b -> b.maxBatchSize(100_000)).maxBatchSize()).isEqualTo(100_000);
    assertInvalid(
        () -> SwarmDbConfig.builder(f).maxBatchSize(100_001).build(), "maxBatchSize is 100001");
    assertThat(queue(b -> b.maxBatchWait(Duration.ofMillis(999))).maxBatchWait())
        .isEqualTo(Duration.ofMillis(999));
    assertThat(queue(b -> b.maxBatchWait(Duration.ofMillis(1000))).maxBatchWait())
        .isEqualTo(Duration.ofMillis(1000));
    assertInvalid(
        () -> SwarmDbConfig.builder(f).maxBatchWait(Duration.ofMillis(1001)).build(),
        "maxBatchWait is 1001 ms");
    assertInvalid(
        () -> new SwarmDbConfig.Pragmas(Synchronous.NORMAL, Duration.ZERO, 0, 0, 0),
        "cacheSizePages is 0");
    assertInvalid(
        () -> new SwarmDbConfig.WriteQueue(1, Duration.ZERO, 0, Duration.ofSeconds(1), 4096),
        "writeQueueCapacity is 0");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).backupRoot(Path.of("file:b")).build(),
        "backupRoot 'file:b' is not a directory path");
    // the history budget: none by default, at least one byte
    assertThat(SwarmDbConfig.builder(f).build().historyBudgetBytes()).isEmpty();
    assertThat(SwarmDbConfig.builder(f).build().toString()).contains("historyBudgetBytes=none");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).historyBudgetBytes(0).build(),
        "invalid configuration: historyBudgetBytes is 0 bytes; it must be between 1 and "
            + Long.MAX_VALUE
            + " bytes");
    assertInvalid(
        () -> SwarmDbConfig.builder(f).historyBudgetBytes(-1).build(), "historyBudgetBytes is -1");
    assertThat(SwarmDbConfig.builder(f).historyBudgetBytes(1).build().historyBudgetBytes())
        .hasValue(1);
    assertThat(SwarmDbConfig.builder(f).historyBudgetBytes(2).build().historyBudgetBytes())
        .hasValue(2);
    assertThat(
            SwarmDbConfig.builder(f)
                .historyBudgetBytes(Long.MAX_VALUE)
                .build()
                .historyBudgetBytes())
        .hasValue(Long.MAX_VALUE);
  }
}
