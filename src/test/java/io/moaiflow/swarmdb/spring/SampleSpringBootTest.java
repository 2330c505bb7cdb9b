package io.moaiflow.swarmdb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.spring.sample.AgentApplication;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample application of docs/integrations.md under {@code @SpringBootTest}, as an application's
 * own test starts it: the auto-configured SwarmDB is injected, writes go to the file the properties
 * name, and Actuator's health endpoint shows the {@code swarmdb} component UP. The context is
 * closed after the class ({@code @DirtiesContext}), which closes the database.
 */
@SpringBootTest(
    classes = AgentApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "management.endpoint.health.show-details=always")
@DirtiesContext
class SampleSpringBootTest {
  private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";
  private static @Nullable String loggingSystem;

  @TempDir static Path dir;

  @Autowired SwarmDB db;
  @Autowired AgentApplication.Journal journal;
  @Autowired HealthEndpoint health;

  @BeforeAll
  static void keepTheTestJvmsLogging() {
    // Boot's logging system would reconfigure Logback for every later test of this JVM
    loggingSystem = System.setProperty(LOGGING_SYSTEM, "none");
  }

  @AfterAll
  static void restoreLogging() {
    if (loggingSystem == null) {
      System.clearProperty(LOGGING_SYSTEM);
    } else {
      System.setProperty(LOGGING_SYSTEM, loggingSystem);
    }
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("swarmdb.path", () -> dir.resolve("sample.db").toString());
  }

  @Test
  void theAutoConfiguredDatabaseIsInjectedAndHealthy() {
    assertThat(db.path()).contains(dir.resolve("sample.db"));
    assertThat(journal.spawn("run-1", "a-1")).isEqualTo(1);
    assertThat(db.sessions().get("run-1")).isPresent();
    assertThat(health.healthForPath("swarmdb")).isNotNull();
    assertThat(health.healthForPath("swarmdb").getStatus()).isEqualTo(Status.UP);
  }
}
