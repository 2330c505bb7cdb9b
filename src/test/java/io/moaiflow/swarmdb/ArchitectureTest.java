package io.moaiflow.swarmdb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of DESIGN.md §2, enforced on the main classes. */
class ArchitectureTest {
  static final String BASE = "io.moaiflow.swarmdb";
  static final String INTERNAL = "io.moaiflow.swarmdb.internal";
  static final String LANGCHAIN4J = "io.moaiflow.swarmdb.langchain4j";
  static final Set<String> API_PACKAGES =
      Set.of(
          BASE,
          BASE + ".health",
          BASE + ".migrate",
          BASE + ".embed",
          BASE + ".langchain4j",
          BASE + ".spring.ai");

  static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages(BASE);
    assertThat(classes.contain(SwarmDB.class)).isTrue();
  }

  /** Public members of public API types must not mention an internal type anywhere. */
  static final ArchCondition<JavaClass> EXPOSE_NO_INTERNAL_TYPE =
      new ArchCondition<>("expose no internal type in a public member") {
        @Override
        public void check(JavaClass c, ConditionEvents events) {
          for (JavaField f : c.getFields()) {
            if (f.getModifiers().contains(JavaModifier.PUBLIC)) {
              report(c, f.getFullName(), f.getType().getAllInvolvedRawTypes(), events);
            }
          }
          for (JavaCodeUnit u : c.getCodeUnits()) {
            if (!u.getModifiers().contains(JavaModifier.PUBLIC)) {
              continue;
            }
            Set<JavaClass> types = new HashSet<>(u.getReturnType().getAllInvolvedRawTypes());
            u.getParameterTypes().forEach(t -> types.addAll(t.getAllInvolvedRawTypes()));
            u.getThrowsClause().getTypes().forEach(types::add);
            report(c, u.getFullName(), types, events);
          }
          if (c.getRawSuperclass().isPresent()) {
            report(c, "superclass", Set.of(c.getRawSuperclass().get()), events);
          }
          report(c, "interfaces", c.getRawInterfaces(), events);
        }

        private void report(
            JavaClass owner, String member, Set<JavaClass> types, ConditionEvents events) {
          for (JavaClass t : types) {
            if (t.getPackageName().startsWith(INTERNAL)) {
              events.add(
                  SimpleConditionEvent.violated(
                      owner, member + " exposes internal type " + t.getName()));
            }
          }
        }
      };

  @Test
  void publicApiExposesNoInternalType() {
    ArchRule rule =
        classes()
            .that(
                DescribedPredicate.describe(
                    "are in the public API packages",
                    (JavaClass c) -> API_PACKAGES.contains(c.getPackageName())))
            .and()
            .arePublic()
            .should(EXPOSE_NO_INTERNAL_TYPE);
    rule.check(classes);
  }

  @Test
  void cliOpsMetricsAndIntegrationsUseOnlyThePublicApi() {
    noClasses()
        .that()
        .resideInAnyPackage("..cli..", "..ops..", "..metrics..", "..spring..", LANGCHAIN4J + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("..internal..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void cliOpsAndIntegrationsUseNoJdbcAndNoSqliteDriver() {
    noClasses()
        .that()
        .resideInAnyPackage("..cli..", "..ops..", "..spring..", LANGCHAIN4J + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "org.sqlite..")
        .check(classes);
  }

  @Test
  void libraryCodeDoesNotPrint() {
    noClasses()
        .that()
        .resideOutsideOfPackage("..cli..")
        .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
        .check(classes);
  }

  /**
   * LangChain4j is optional: only the embed package (the MiniLM embedder's ~150 MB dependency) and
   * the LangChain4j integration refer to it, and nothing of the library but the executable refers
   * to those two packages, so the core never loads it.
   */
  @Test
  void onlyTheEmbedAndIntegrationPackagesUseLangChain4j() {
    noClasses()
        .that()
        .resideOutsideOfPackages(BASE + ".embed..", LANGCHAIN4J + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.langchain4j..")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(BASE + ".embed..", LANGCHAIN4J + "..", "..cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(BASE + ".embed..", LANGCHAIN4J + "..")
        .check(classes);
    assertThat(classes.containPackage(BASE + ".embed")).isTrue();
    assertThat(classes.containPackage(LANGCHAIN4J)).isTrue();
  }

  /**
   * Spring AI is optional: nothing else of the library refers to the Spring AI adapters, so the
   * core never loads them (only the spring packages use Spring at all: see the Spring Boot rule).
   */
  @Test
  void nothingElseUsesTheSpringAiAdapters() {
    noClasses()
        .that()
        .resideOutsideOfPackage(BASE + ".spring.ai..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(BASE + ".spring.ai..")
        .check(classes);
    assertThat(classes.containPackage(BASE + ".spring.ai")).isTrue();
  }

  @Test
  void internalDoesNotDependOnTheApplications() {
    noClasses()
        .that()
        .resideInAPackage("..internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..cli..", "..ops..", "..metrics..", "..spring..")
        .check(classes);
  }

  /**
   * Spring Boot is optional: only the integration packages under {@code spring} refer to it, and
   * nothing else of the library refers to them, so the core never loads Spring.
   */
  @Test
  void onlyTheSpringPackagesUseSpring() {
    noClasses()
        .that()
        .resideOutsideOfPackage(BASE + ".spring..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.springframework..")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackage(BASE + ".spring..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(BASE + ".spring..")
        .check(classes);
    assertThat(classes.containPackage(BASE + ".spring")).isTrue();
  }

  /** The shared DAOs and engine know neither backend; the two backends do not know each other. */
  @Test
  void theBackendsAreSymmetricAndApart() {
    noClasses()
        .that()
        .resideInAPackage(INTERNAL)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(INTERNAL + ".sqlite", INTERNAL + ".pg")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(INTERNAL + ".sqlite")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(INTERNAL + ".pg")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(INTERNAL + ".pg")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(INTERNAL + ".sqlite")
        .check(classes);
  }

  /**
   * A backend package shows only its entry point and what another package really needs (HikariCP's
   * engine is package-private the same way): the facade opens {@code SqliteDatabase} and {@code
   * PgDatabase} and restores through {@code BackupFiles}; {@code QueryPlanTest} explains the SQLite
   * spellings. Anything else made public fails here.
   */
  @Test
  void backendEnginesArePackagePrivate() {
    Set<String> allowed =
        Set.of(
            INTERNAL + ".sqlite.SqliteDatabase",
            INTERNAL + ".sqlite.SqliteDialect",
            INTERNAL + ".sqlite.BackupFiles",
            INTERNAL + ".pg.PgDatabase");
    Set<String> exposed = new HashSet<>();
    for (JavaClass c : classes) {
      String pkg = c.getPackageName();
      if ((pkg.equals(INTERNAL + ".sqlite") || pkg.equals(INTERNAL + ".pg"))
          && c.getModifiers().contains(JavaModifier.PUBLIC)
          && !c.isNestedClass()) {
        exposed.add(c.getName());
      }
    }
    assertThat(exposed).isEqualTo(allowed);
  }

  @Test
  void theRuleDetectsAnExposedInternalType() {
    JavaClasses leaky = new ClassFileImporter().importClasses(Leaky.class);
    ArchRule rule = classes().should(EXPOSE_NO_INTERNAL_TYPE);
    assertThat(rule.evaluate(leaky).hasViolation()).isTrue();
    assertThat(rule.evaluate(leaky).getFailureReport().getDetails())
        .anyMatch(d -> d.contains("TimeSource"));
  }

  /** A deliberately leaky type, used only to prove the condition fires. */
  public static final class Leaky {
    public java.util.List<io.moaiflow.swarmdb.internal.TimeSource> leak() {
      return java.util.List.of();
    }
  }
}
