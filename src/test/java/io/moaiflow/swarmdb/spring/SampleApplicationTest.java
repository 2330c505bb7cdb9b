package io.moaiflow.swarmdb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.spring.sample.AgentApplication;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application of docs/integrations.md, started as Spring Boot starts it ({@link
 * SpringApplication#run}), with every auto-configuration on the test class path (Actuator's health,
 * metrics and endpoints included): the application injects the auto-configured SwarmDB, Actuator's
 * health endpoint shows the {@code swarmdb} component, the meters are on Boot's registry, and
 * Actuator's endpoint machinery exposes the {@code swarmdb} endpoint (over JMX here: the test
 * starts no web server); closing the application closes the database.
 *
 * <p>{@link SampleSpringBootTest} starts the same application under {@code @SpringBootTest}.
 */
class SampleApplicationTest {
  @TempDir Path dir;

  @Test
  void theApplicationRunsOnTheAutoConfiguredDatabase() throws Exception {
    SpringApplication app = new SpringApplication(AgentApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    // Boot's logging system would reconfigure Logback for the whole test JVM
    app.setListeners(
        app.getListeners().stream()
            .filter(l -> !(l instanceof LoggingApplicationListener))
            .toList());
    // SpringApplication sets java.awt.headless; put the test JVM's value back afterwards
    String headless = System.getProperty("java.awt.headless");
    SwarmDB db;
    try (ConfigurableApplicationContext ctx =
        app.run(
            "--swarmdb.path=" + dir.resolve("agents.db"),
            "--swarmdb.synchronous=full",
            "--management.endpoint.health.show-details=always",
            "--spring.jmx.enabled=true",
            "--spring.jmx.unique-names=true",
            "--management.endpoints.jmx.exposure.include=swarmdb")) {
      db = ctx.getBean(SwarmDB.class);
      assertThat(db.path()).contains(dir.resolve("agents.db"));
      AgentApplication.Journal journal = ctx.getBean(AgentApplication.Journal.class);
      assertThat(journal.spawn("run-1", "a-1")).isEqualTo(1);
      assertThat(journal.spawn("run-1", "a-2")).isEqualTo(2);

      HealthDescriptor swarmdb = ctx.getBean(HealthEndpoint.class).healthForPath("swarmdb");
      assertThat(swarmdb).isNotNull();
      assertThat(swarmdb.getStatus()).isEqualTo(Status.UP);

      MeterRegistry registry = ctx.getBean(MeterRegistry.class);
      assertThat(registry.get("moai.flow.db.size").gauge().value()).isPositive();
      assertThat(ctx.getBean(SwarmDbEndpoint.class).info())
          .containsEntry("schemaVersion", db.inspect().info().schemaVersion());
      // Actuator's own endpoint machinery exposes it (here over JMX; the web is the same endpoint)
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      Set<ObjectName> names =
          jmx.queryNames(
              new ObjectName("org.springframework.boot:type=Endpoint,name=Swarmdb,*"), null);
      assertThat(names).hasSize(1);
      Object info = jmx.invoke(names.iterator().next(), "info", new Object[0], new String[0]);
      assertThat(info).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("indexCount", 12);
    } finally {
      if (headless == null) {
        System.clearProperty("java.awt.headless");
      } else {
        System.setProperty("java.awt.headless", headless);
      }
    }
    assertThat(db.isClosed()).as("closed with the application").isTrue();
  }
}
