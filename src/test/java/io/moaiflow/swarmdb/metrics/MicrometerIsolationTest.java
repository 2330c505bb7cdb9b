package io.moaiflow.swarmdb.metrics;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer is optional: only the metrics, ops and cli packages may refer to it, and the Spring
 * Boot integration, whose meter binder bean exists only under {@code
 * ConditionalOnClass(MeterBinder.class)} (SwarmDbAutoConfigurationTest checks it without
 * Micrometer).
 */
class MicrometerIsolationTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.moaiflow.swarmdb");

  @Test
  void onlyMetricsOpsCliAndSpringDependOnMicrometer() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.moaiflow.swarmdb.metrics..",
            "io.moaiflow.swarmdb.ops..",
            "io.moaiflow.swarmdb.cli..",
            "io.moaiflow.swarmdb.spring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "io.prometheus..")
        .because("Micrometer is an optional dependency of the library")
        .check(MAIN);
  }

  @Test
  void metricsAndOpsUseOnlyThePublicApi() {
    noClasses()
        .that()
        .resideInAnyPackage("io.moaiflow.swarmdb.metrics..", "io.moaiflow.swarmdb.ops..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.moaiflow.swarmdb.internal..")
        .check(MAIN);
  }

  /**
   * Loads the library in a class loader whose class path has no Micrometer or Prometheus jar, opens
   * a database and writes to it: nothing on that path needs Micrometer.
   */
  @Test
  void coreWorksWithoutMicrometerOnTheClassPath(@TempDir Path dir) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath()) {
      if (!entry.contains("micrometer") && !entry.contains("prometheus") && !entry.isBlank()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    try (URLClassLoader loader =
        new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      assertThat(loader.getResource("io/micrometer/core/instrument/MeterRegistry.class")).isNull();
      Class<?> swarmDb = loader.loadClass("io.moaiflow.swarmdb.SwarmDB");
      Object db = swarmDb.getMethod("open", Path.class).invoke(null, dir.resolve("swarm.db"));
      try {
        Object events = swarmDb.getMethod("events").invoke(db);
        Class<?> eventClass = loader.loadClass("io.moaiflow.swarmdb.AgentEvent");
        Method of =
            eventClass.getMethod(
                "of", String.class, String.class, String.class, java.util.Map.class);
        Object event = of.invoke(null, "spawn", "agent-1", null, java.util.Map.of());
        loader
            .loadClass("io.moaiflow.swarmdb.EventStore")
            .getMethod("append", eventClass)
            .invoke(events, event);
        Object count =
            loader.loadClass("io.moaiflow.swarmdb.EventStore").getMethod("count").invoke(events);
        assertThat(count).isEqualTo(1L);
        Object inspector = swarmDb.getMethod("inspect").invoke(db);
        Object health =
            loader
                .loadClass("io.moaiflow.swarmdb.health.Inspector")
                .getMethod("health")
                .invoke(inspector);
        assertThat(health.toString()).contains("healthy=true");
      } finally {
        swarmDb.getMethod("close").invoke(db);
      }
      assertThat(swarmDb.getClassLoader()).isSameAs(loader);
    }
  }

  private static List<String> classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return List.of(cp.split(File.pathSeparator));
  }
}
