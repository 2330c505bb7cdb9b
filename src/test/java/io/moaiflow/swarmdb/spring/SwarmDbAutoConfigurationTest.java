package io.moaiflow.swarmdb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.Synchronous;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import io.moaiflow.swarmdb.metrics.SwarmDbMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link SwarmDbAutoConfiguration} in Spring's own {@link ApplicationContextRunner}: the bean from
 * the properties, every property's mapping, startup failures with SwarmDB's messages before any
 * file is written, backing off, and the Actuator parts present only with their libraries.
 */
class SwarmDbAutoConfigurationTest {
  private static final ApplicationContextRunner RUNNER =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SwarmDbAutoConfiguration.class));

  @TempDir Path dir;

  private ApplicationContextRunner inDir(String... properties) {
    return RUNNER
        .withPropertyValues("swarmdb.path=" + dir.resolve("app.db"))
        .withPropertyValues(properties);
  }

  @Test
  void opensTheFileFromSwarmdbPathAndClosesItWithTheContext() {
    SwarmDB[] seen = new SwarmDB[1];
    inDir()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(SwarmDB.class);
              SwarmDB db = ctx.getBean(SwarmDB.class);
              seen[0] = db;
              assertThat(db.path()).contains(dir.resolve("app.db"));
              db.sessions().start("run-1");
              db.events().append(AgentEvent.of("agent_spawned", "a-1", "worker", Map.of()));
              assertThat(db.events().count()).isEqualTo(1);
            });
    assertThat(seen[0].isClosed()).as("closed with the context").isTrue();
    assertThat(dir.resolve("app.db")).exists();
  }

  @Test
  void everyPropertyReachesTheConfiguration() {
    inDir(
            "swarmdb.synchronous=full",
            "swarmdb.busy-timeout=2s",
            "swarmdb.read-pool-size=3",
            "swarmdb.max-batch-size=17",
            "swarmdb.max-batch-wait=5ms",
            "swarmdb.write-queue-capacity=50",
            "swarmdb.write-timeout=3s",
            "swarmdb.migrate=true",
            "swarmdb.min-free-space-bytes=0",
            "swarmdb.history-budget-bytes=1048576",
            "swarmdb.vector-index-bytes=4096")
        .run(
            ctx -> {
              SwarmDbConfig c = ctx.getBean(SwarmDB.class).config();
              assertThat(c.pragmas().synchronous()).isEqualTo(Synchronous.FULL);
              assertThat(c.pragmas().busyTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(c.readPoolSize()).isEqualTo(3);
              assertThat(c.writeQueue().maxBatchSize()).isEqualTo(17);
              assertThat(c.writeQueue().maxBatchWait()).isEqualTo(Duration.ofMillis(5));
              assertThat(c.writeQueue().capacity()).isEqualTo(50);
              assertThat(c.writeQueue().timeout()).isEqualTo(Duration.ofSeconds(3));
              assertThat(c.migrate()).isTrue();
              assertThat(c.minFreeSpaceBytes()).isZero();
              assertThat(c.historyBudgetBytes()).hasValue(1048576);
              assertThat(c.vectorIndexBytes()).isEqualTo(4096);
            });
  }

  @Test
  void unsetPropertiesKeepTheBuilderDefaults() {
    inDir()
        .run(
            ctx -> {
              SwarmDbConfig c = ctx.getBean(SwarmDB.class).config();
              assertThat(c)
                  .isEqualTo(SwarmDbConfig.builder(dir.resolve("app.db")).build())
                  .as("same settings as the builder's defaults");
            });
  }

  /** readPoolSize's limits are 1 and 64: 0 and 65 fail startup, 1, 2, 63 and 64 open. */
  @ParameterizedTest
  @CsvSource({"0,false", "1,true", "2,true", "63,true", "64,true", "65,false"})
  void readPoolSizeAtItsLimits(int size, boolean opens) {
    inDir("swarmdb.read-pool-size=" + size)
        .run(
            ctx -> {
              if (opens) {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx.getBean(SwarmDB.class).config().readPoolSize()).isEqualTo(size);
              } else {
                assertInvalidStartup(
                    ctx, "readPoolSize is " + size + " connections; it must be between 1 and 64");
                assertThat(dir.resolve("app.db")).as("nothing written").doesNotExist();
              }
            });
  }

  /** maxBatchWait's upper limit is one second. */
  @ParameterizedTest
  @CsvSource({"999ms,true", "1000ms,true", "1001ms,false"})
  void maxBatchWaitAtItsLimit(String wait, boolean opens) {
    inDir("swarmdb.max-batch-wait=" + wait)
        .run(
            ctx -> {
              if (opens) {
                assertThat(ctx).hasNotFailed();
              } else {
                assertInvalidStartup(ctx, "maxBatchWait is 1001 ms; it must be between 0 and 1000");
                assertThat(dir.resolve("app.db")).doesNotExist();
              }
            });
  }

  @Test
  void aZeroHistoryBudgetFailsStartup() {
    inDir("swarmdb.history-budget-bytes=0")
        .run(ctx -> assertInvalidStartup(ctx, "historyBudgetBytes is 0 bytes"));
  }

  @Test
  void aNegativeMinimumOfFreeSpaceFailsStartup() {
    inDir("swarmdb.min-free-space-bytes=-1")
        .run(ctx -> assertInvalidStartup(ctx, "minFreeSpaceBytes is -1 bytes"));
  }

  @Test
  void writeQueueCapacityBelowOneFailsStartup() {
    inDir("swarmdb.write-queue-capacity=0")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx, "writeQueueCapacity is 0 writes; it must be between 1 and 10000000"));
  }

  @Test
  void propertiesThatDoNotFitTogetherFailStartupBeforeAnyWrite() {
    inDir("swarmdb.postgresql.url=jdbc:postgresql://db:5432/swarm")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx, "swarmdb.postgresql.* is set but swarmdb.backend is sqlite"));
    inDir("swarmdb.use-application-datasource=true")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx, "swarmdb.use-application-datasource=true needs swarmdb.backend"));
    inDir("swarmdb.backend=postgresql")
        .run(
            ctx ->
                assertInvalidStartup(ctx, "swarmdb.path is set but swarmdb.backend is postgresql"));
    RUNNER
        .withPropertyValues("swarmdb.backend=postgresql")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx, "swarmdb.backend=postgresql needs swarmdb.postgresql.url"));
    RUNNER
        .withPropertyValues(
            "swarmdb.backend=postgresql", "swarmdb.postgresql.url=http://db:5432/swarm")
        .run(ctx -> assertInvalidStartup(ctx, "is not a PostgreSQL JDBC URL"));
    RUNNER
        .withPropertyValues(
            "swarmdb.backend=postgresql",
            "swarmdb.postgresql.url=jdbc:postgresql://db:5432/swarm?user=a",
            "swarmdb.postgresql.username=b")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx,
                    "swarmdb.postgresql.username is set but swarmdb.postgresql.url already has a"
                        + " user parameter"));
    RUNNER
        .withPropertyValues("swarmdb.backend=postgresql", "swarmdb.use-application-datasource=true")
        .run(
            ctx ->
                assertInvalidStartup(
                    ctx, "the application has no single DataSource bean; define one"));
    RUNNER
        .withPropertyValues(
            "swarmdb.backend=postgresql",
            "swarmdb.use-application-datasource=true",
            "swarmdb.postgresql.url=jdbc:postgresql://db:5432/swarm")
        .run(ctx -> assertInvalidStartup(ctx, "are both set; keep one way to reach PostgreSQL"));
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void withoutAPathTheDefaultPathIsUsed() {
    SwarmDbConfig c = SwarmDbAutoConfiguration.config(new SwarmDbProperties(), () -> null);
    assertThat(c.path()).isEqualTo(SwarmDbConfig.defaultPath());
  }

  @Test
  void aPathThatIsNoFilePathFailsStartup() {
    RUNNER
        .withPropertyValues("swarmdb.path=bad\u0000name")
        .run(ctx -> assertInvalidStartup(ctx, "is not a file path"));
  }

  @Test
  void userAndPasswordAreAddedToTheUrlEncoded() {
    SwarmDbProperties p = new SwarmDbProperties();
    p.setBackend(SwarmDbProperties.Backend.POSTGRESQL);
    p.getPostgresql().setUrl("jdbc:postgresql://db:5432/swarm");
    p.getPostgresql().setUsername("swarm");
    p.getPostgresql().setPassword("p@ss&word=1");
    SwarmDbConfig c = SwarmDbAutoConfiguration.config(p, () -> null);
    assertThat(c.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db:5432/swarm?user=swarm&password=p%40ss%26word%3D1");
    assertThat(c.toString()).doesNotContain("p%40ss").contains("password=***");
    p.getPostgresql().setUrl("jdbc:postgresql://db:5432/swarm?ssl=true");
    p.getPostgresql().setPassword(null);
    assertThat(SwarmDbAutoConfiguration.config(p, () -> null).jdbcUrl())
        .isEqualTo("jdbc:postgresql://db:5432/swarm?ssl=true&user=swarm");
    p.getPostgresql().setUrl("jdbc:postgresql://db:5432/swarm?ssl=true&PASSWORD=x");
    p.getPostgresql().setPassword("y");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SwarmDbAutoConfiguration.config(p, () -> null))
        .isInstanceOf(SwarmDbException.class)
        .hasMessageContaining(
            "swarmdb.postgresql.password is set but swarmdb.postgresql.url already has a"
                + " password parameter");
  }

  @Test
  void anUnboundValueFailsStartupWithSpringsBindingMessage() {
    inDir("swarmdb.synchronous=sometimes")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("sometimes"));
  }

  @Test
  void readOnlyOpensAnExistingFileWithoutWriting() throws IOException {
    Path file = dir.resolve("app.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.sessions().start("run-1");
    }
    long size = Files.size(file);
    inDir("swarmdb.read-only=true", "swarmdb.migrate=false")
        .run(
            ctx -> {
              SwarmDB db = ctx.getBean(SwarmDB.class);
              assertThat(db.sessions().get("run-1")).isPresent();
              SwarmDbException e =
                  org.junit.jupiter.api.Assertions.assertThrows(
                      SwarmDbException.class, () -> db.sessions().start("run-2"));
              assertThat(e.code()).isEqualTo(ErrorCode.READ_ONLY);
            });
    assertThat(Files.size(file)).isEqualTo(size);
    assertThat(dir.resolve("app.db-wal")).doesNotExist();
    inDir("swarmdb.read-only=true").run(ctx -> assertInvalidStartup(ctx, "migrate(false)"));
  }

  @Test
  void backsOffWhenTheApplicationHasItsOwnDatabase() {
    RUNNER
        .withBean(SwarmDB.class, SwarmDB::openInMemory)
        .withPropertyValues("swarmdb.read-pool-size=0")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(SwarmDB.class);
              assertThat(ctx.getBean(SwarmDB.class).config().isInMemory()).isTrue();
              assertThat(ctx).hasSingleBean(SwarmDbHealthIndicator.class);
            });
  }

  @Test
  void withoutActuatorOrMicrometerOnlyTheDatabaseIsConfigured() {
    inDir()
        .withClassLoader(
            new FilteredClassLoader(HealthIndicator.class, Endpoint.class, MeterBinder.class))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(SwarmDB.class);
              assertThat(ctx)
                  .doesNotHaveBean(SwarmDbHealthIndicator.class)
                  .doesNotHaveBean(SwarmDbEndpoint.class)
                  .doesNotHaveBean(SwarmDbMetrics.class);
            });
    inDir()
        .run(
            ctx ->
                assertThat(ctx)
                    .hasSingleBean(SwarmDbHealthIndicator.class)
                    .hasSingleBean(SwarmDbEndpoint.class)
                    .hasSingleBean(SwarmDbMetrics.class));
  }

  @Test
  void withoutSwarmDbOnTheClassPathNothingIsConfigured() {
    inDir()
        .withClassLoader(new FilteredClassLoader(SwarmDB.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("swarmDB"));
  }

  @Test
  void theHealthIndicatorCanBeSwitchedOff() {
    inDir("management.health.swarmdb.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(SwarmDbHealthIndicator.class));
  }

  @Test
  void healthIsUpWithTheReportAsDetails() {
    inDir()
        .run(
            ctx -> {
              Health h = ctx.getBean(SwarmDbHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails())
                  .containsEntry("status", "healthy")
                  .containsEntry("database", "connected")
                  .containsEntry("path", dir.resolve("app.db").toString())
                  .containsEntry("writable", true)
                  .containsKeys(
                      "schemaVersion", "dbSizeBytes", "walSizeBytes", "problems", "usableBytes");
              assertThat(h.getDetails().get("schemaVersion"))
                  .isEqualTo(h.getDetails().get("expectedSchemaVersion"));
            });
  }

  @Test
  void healthIsOutOfServiceWhileTheSchemaWaitsForMigration() throws IOException {
    Path file = dir.resolve("app.db");
    try (InputStream in = getClass().getResourceAsStream("/db/v1/swarm-v1.db")) {
      Files.copy(in, file);
    }
    inDir("swarmdb.migrate=false")
        .run(
            ctx -> {
              SwarmDB db = ctx.getBean(SwarmDB.class);
              Health h = ctx.getBean(SwarmDbHealthIndicator.class).health();
              assertThat(h.getStatus()).as(h.toString()).isEqualTo(Status.OUT_OF_SERVICE);
              assertThat(h.getDetails()).containsEntry("schemaVersion", 1);
              assertThat(h.getDetails().get("problems").toString()).contains("schema version is 1");
              db.migrator().migrate();
              assertThat(ctx.getBean(SwarmDbHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.UP);
            });
  }

  @Test
  void healthIsDownOnceTheDatabaseIsClosed() {
    inDir()
        .run(
            ctx -> {
              ctx.getBean(SwarmDB.class).close();
              Health h = ctx.getBean(SwarmDbHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.DOWN);
              assertThat(h.getDetails().get("problems").toString()).contains("database is closed");
            });
  }

  @Test
  void theMetersReachTheApplicationsRegistry() {
    inDir()
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .run(
            ctx -> {
              SwarmDB db = ctx.getBean(SwarmDB.class);
              db.sessions().start("run-1");
              db.events().append(AgentEvent.of("agent_spawned", "a-1", "worker", Map.of()));
              ctx.getBean(SwarmDbMetrics.class).refresh();
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(registry.get("moai.flow.db.size").gauge().value()).isPositive();
              assertThat(
                      registry
                          .get("moai.flow.events")
                          .tag("type", "agent_spawned")
                          .functionCounter()
                          .count())
                  .isEqualTo(1.0);
            });
  }

  @Test
  void theEndpointReturnsWhatInfoJsonPrints() {
    inDir()
        .run(
            ctx -> {
              SwarmDB db = ctx.getBean(SwarmDB.class);
              Map<String, Object> info = ctx.getBean(SwarmDbEndpoint.class).info();
              assertThat(info)
                  .containsOnlyKeys(
                      "path",
                      "sqliteVersion",
                      "schemaVersion",
                      "latestSchemaVersion",
                      "rowCounts",
                      "indexCount",
                      "indexes",
                      "pragmas",
                      "pageSize",
                      "pageCount",
                      "freelistCount",
                      "files",
                      "history")
                  .containsEntry("indexCount", 12)
                  .containsEntry("path", dir.resolve("app.db").toString());
              assertThat(info).isEqualTo(db.inspect().info().toJsonMap());
            });
  }

  @Test
  void postgresqlByUrlUserAndPassword() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      java.util.regex.Matcher user =
          java.util.regex.Pattern.compile("([?&])user=([^&]*)&?").matcher(schema.url());
      assertThat(user.find()).as("the test server's URL names its user").isTrue();
      String withoutUser = user.replaceFirst("$1").replaceAll("[?&]$", "");
      RUNNER
          .withPropertyValues(
              "swarmdb.backend=postgresql",
              "swarmdb.postgresql.url=" + withoutUser,
              "swarmdb.postgresql.username=" + user.group(2))
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                SwarmDB db = ctx.getBean(SwarmDB.class);
                assertThat(db.config().isPostgres()).isTrue();
                db.sessions().start("run-1");
                assertThat(ctx.getBean(SwarmDbHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
                assertThat(ctx.getBean(SwarmDbEndpoint.class).info())
                    .containsEntry("schemaVersion", db.inspect().info().latestSchemaVersion())
                    .containsEntry("indexCount", db.inspect().info().indexes().size());
              });
      String nobody = "nobody_" + System.nanoTime();
      RUNNER
          .withPropertyValues(
              "swarmdb.backend=postgresql",
              "swarmdb.postgresql.url=" + withoutUser,
              "swarmdb.postgresql.username=" + nobody,
              "swarmdb.postgresql.password=s3cret&x=y")
          .run(
              ctx -> {
                assertThat(ctx).hasFailed();
                assertThat(ctx.getStartupFailure())
                    .hasStackTraceContaining(nobody)
                    .satisfies(
                        t ->
                            assertThat(stackTrace(t))
                                .as("the password never shows")
                                .doesNotContain("s3cret"));
              });
    }
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  @Test
  void postgresqlThroughTheApplicationsDataSource() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        HikariDataSource pool = new HikariDataSource()) {
      pool.setJdbcUrl(schema.url());
      pool.setMaximumPoolSize(4);
      RUNNER
          .withBean(DataSource.class, () -> pool)
          .withPropertyValues(
              "swarmdb.backend=postgresql", "swarmdb.use-application-datasource=true")
          .run(
              ctx -> {
                SwarmDB db = ctx.getBean(SwarmDB.class);
                assertThat(db.config().dataSource()).isSameAs(pool);
                db.sessions().start("run-1");
                assertThat(db.sessions().get("run-1")).isPresent();
                db.close();
                assertThat(pool.isClosed())
                    .as("SwarmDB never closes the application's pool")
                    .isFalse();
              });
    }
  }

  static void assertInvalidStartup(AssertableApplicationContext ctx, String fragment) {
    assertThat(ctx).hasFailed();
    Throwable root = ctx.getStartupFailure();
    while (root.getCause() != null && !(root instanceof SwarmDbException)) {
      root = root.getCause();
    }
    assertThat(root)
        .as("startup failure %s", ctx.getStartupFailure())
        .isInstanceOf(SwarmDbException.class);
    assertThat(((SwarmDbException) root).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(root.getMessage()).contains(fragment);
  }
}
