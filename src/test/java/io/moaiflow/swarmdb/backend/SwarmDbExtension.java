package io.moaiflow.swarmdb.backend;

import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs every {@link BackendTest} method once on SQLite and once on PostgreSQL: the DAO suites are
 * one set of tests for both backends.
 *
 * <p>Each invocation gets its own {@link TestBackend}: before the test class's {@code @BeforeEach}
 * methods run, a new temporary directory (SQLite) or a new schema (PostgreSQL) is created; the test
 * and its {@code @BeforeEach} methods receive the {@code TestBackend} as a parameter and open
 * {@code SwarmDB}s on it. After the test's {@code @AfterEach} methods, every {@code SwarmDB} opened
 * through it is checked for pooled connections still borrowed ({@link PoolLeaks}: a read or write
 * that did not give its connection back fails the test), closed, and the directory deleted or the
 * schema dropped.
 *
 * <p>Without {@code SWARMDB_TEST_PG_URL} the PostgreSQL invocation fails an assumption that names
 * the variable, so it is reported as skipped, never as passed. A method with {@link SqliteOnly} has
 * only the SQLite invocation.
 *
 * <p>Stateless; JUnit may use one instance from several threads.
 */
public final class SwarmDbExtension implements TestTemplateInvocationContextProvider {
  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.isAnnotationPresent(BackendTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    Method method = context.getRequiredTestMethod();
    SqliteOnly only = method.getAnnotation(SqliteOnly.class);
    if (only != null && only.value().isBlank()) {
      throw new IllegalStateException(
          "@SqliteOnly on "
              + method.getName()
              + " needs a reason: why it cannot run on PostgreSQL");
    }
    Stream<TestBackend.Kind> kinds =
        only == null ? Stream.of(TestBackend.Kind.values()) : Stream.of(TestBackend.Kind.SQLITE);
    return kinds.map(k -> new Invocation(k, only == null ? null : only.value()));
  }

  /** One backend's invocation of a test method. */
  private static final class Invocation implements TestTemplateInvocationContext {
    private final TestBackend.Kind kind;
    private final String sqliteOnlyReason;

    Invocation(TestBackend.Kind kind, String sqliteOnlyReason) {
      this.kind = kind;
      this.sqliteOnlyReason = sqliteOnlyReason;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
      return sqliteOnlyReason == null
          ? "[" + kind.label() + "]"
          : "[" + kind.label() + " only: " + sqliteOnlyReason + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new Lifecycle(new TestBackend(kind)));
    }
  }

  /** Creates the invocation's database before it, resolves it as a parameter, cleans up after. */
  private static final class Lifecycle
      implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final TestBackend backend;

    Lifecycle(TestBackend backend) {
      this.backend = backend;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
      backend.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
      backend.finish();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == TestBackend.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return backend;
    }
  }
}
